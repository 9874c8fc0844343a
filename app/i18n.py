"""Translation catalogs: every visible string comes from assets/i18n/<language>/*.json."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from importlib.resources.abc import Traversable

from app.assets import asset
from app.clock import as_utc, to_china, utcnow

DEFAULT_LANGUAGE = "zh-CN"
# Parameters that are codes themselves: shown by their own catalog entry, not raw.
NESTED_PARAMS = {"kind": "event.", "status": "status.", "role": "role.", "got": "photos.kind."}


class CatalogError(ValueError):
    """A catalog file is malformed or two files define the same key."""


@lru_cache(maxsize=8)
def load_catalog(language: str, root: Traversable | None = None) -> dict[str, str]:
    """Merge every JSON file of one language into one key → text mapping (root: the bundled catalogs)."""
    folder = (asset("i18n") if root is None else root) / language
    files = [entry for entry in folder.iterdir() if entry.name.endswith(".json")] if folder.is_dir() else []
    merged: dict[str, str] = {}
    for entry in sorted(files, key=lambda entry: entry.name):
        path = f"{language}/{entry.name}"
        data = json.loads(entry.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise CatalogError(f"{path}: expected a JSON object")
        for key, text in data.items():
            if key in merged:
                raise CatalogError(f"{path}: key {key!r} is defined twice")
            if not isinstance(text, str):
                raise CatalogError(f"{path}: value of {key!r} is not a string")
            merged[key] = text
    return merged


class Translator:
    """Look up visible strings in one language, falling back to Chinese, then the key."""

    def __init__(self, language: str = DEFAULT_LANGUAGE, root: Traversable | None = None):
        self.language = language
        self._own = load_catalog(language, root)
        self._fallback = load_catalog(DEFAULT_LANGUAGE, root) if language != DEFAULT_LANGUAGE else {}

    def has(self, key: str) -> bool:
        return key in self._own or key in self._fallback

    def __call__(self, key: str, **params: object) -> str:
        text = self._own.get(key) or self._fallback.get(key)
        if text is None:
            return key
        if params:
            params = {name: self._nested(name, value) for name, value in params.items()}
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def of_kind(self, prefix: str, kind: str, value: str, **params: object) -> str:
        """A status or event word for one kind of record: `status.quiz.closed` where the kind has its own
        word, else the shared `status.closed`."""
        own = f"{prefix}.{kind}.{value}"
        return self(own if self.has(own) else f"{prefix}.{value}", **params)

    def _nested(self, name: str, value: object) -> object:
        prefix = NESTED_PARAMS.get(name)
        if prefix and isinstance(value, str):
            key = prefix + value
            return self._own.get(key) or self._fallback.get(key) or value
        return value

    def age(self, moment: datetime, now: datetime | None = None) -> str:
        """Say how long ago moment was: 刚刚, 5分钟前, 3天前, or a date."""
        seconds = (as_utc(now or utcnow()) - as_utc(moment)).total_seconds()
        if seconds < 60:
            return self("age.just_now")
        if seconds < 3600:
            return self("age.minutes", n=int(seconds // 60))
        if seconds < 86400:
            return self("age.hours", n=int(seconds // 3600))
        if seconds < 86400 * 30:
            return self("age.days", n=int(seconds // 86400))
        return self.date(moment)

    def date(self, moment: datetime) -> str:
        local = to_china(moment)
        return self("format.date", y=local.year, m=local.month, d=local.day)

    def datetime(self, moment: datetime) -> str:
        local = to_china(moment)
        return self("format.datetime", y=local.year, m=local.month, d=local.day, H=f"{local.hour:02d}", M=f"{local.minute:02d}")
