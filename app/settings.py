"""Settings read once from `.env` and the environment into one frozen object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values

LANGUAGES = ("zh-CN", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MAP_TILES = ("tianditu", "amap", "none")
PLACEHOLDER_SECRETS = {"", "changethis", "change-me", "secret"}


class SettingsError(ValueError):
    """A setting has a value the app cannot start with; the message names the key."""


@dataclass(frozen=True)
class Settings:
    """Everything the app and the server are configured by."""

    data_dir: Path = Path("data")
    server_url: str = "http://127.0.0.1:8700"
    language: str = "zh-CN"
    log_level: str = "INFO"
    secret_key: str = ""
    township: str = "桔园镇"
    watermark_photos: bool = True
    database_url: str = ""
    token_days: int = 30
    # Supervision letters: the document number's prefix (桔人大函〔2026〕3号) and the issuing body.
    letter_prefix: str = "桔人大函"
    issuer: str = "桔园镇人民代表大会主席团"
    # The official documents' fonts, by the names the office PCs have them installed.
    font_title: str = "方正小标宋简体"
    font_body: str = "仿宋_GB2312"
    font_heading1: str = "黑体"
    font_heading2: str = "楷体_GB2312"
    # The browser build the central store serves at /app/ (scripts/build_pwa.py), and the other
    # origins allowed to call the API from a browser (a PWA hosted elsewhere), comma-separated.
    pwa_dir: Path = Path("dist/app")
    cors_origins: str = ""
    # Reception days (代表接待日): the day of the month, and what happens when it is a weekend or holiday.
    reception_day: int = 15
    reception_rule: str = "next_workday"
    # The address villagers reach the central store's public page at (the station posters' QR codes).
    public_url: str = ""
    # The map's tiles: tianditu (天地图, needs a key), amap (高德, GCJ-02) or none (markers on a plain grid);
    # and a tile server of the township's own (a mirror or proxy) used in place of the provider's address.
    map_tiles: str = "tianditu"
    tianditu_key: str = ""
    map_tile_url: str = ""
    extra: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def local_db_path(self) -> Path:
        return self.data_dir / "lianluo.sqlite3"

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    def with_overrides(self, **changes) -> "Settings":
        """Return a copy with some fields changed (command-line options, tests)."""
        return validate(replace(self, **changes))


_KEYS = {
    "LIANLUO_DATA_DIR": "data_dir",
    "LIANLUO_SERVER_URL": "server_url",
    "LIANLUO_LANGUAGE": "language",
    "LIANLUO_LOG_LEVEL": "log_level",
    "LIANLUO_SECRET_KEY": "secret_key",
    "LIANLUO_TOWNSHIP": "township",
    "LIANLUO_WATERMARK_PHOTOS": "watermark_photos",
    "DATABASE_URL": "database_url",
    "LIANLUO_TOKEN_DAYS": "token_days",
    "LIANLUO_LETTER_PREFIX": "letter_prefix",
    "LIANLUO_ISSUER": "issuer",
    "LIANLUO_FONT_TITLE": "font_title",
    "LIANLUO_FONT_BODY": "font_body",
    "LIANLUO_FONT_HEADING1": "font_heading1",
    "LIANLUO_FONT_HEADING2": "font_heading2",
    "LIANLUO_RECEPTION_DAY": "reception_day",
    "LIANLUO_RECEPTION_RULE": "reception_rule",
    "LIANLUO_PUBLIC_URL": "public_url",
    "LIANLUO_PWA_DIR": "pwa_dir",
    "LIANLUO_CORS_ORIGINS": "cors_origins",
    "LIANLUO_MAP_TILES": "map_tiles",
    "LIANLUO_TIANDITU_KEY": "tianditu_key",
    "LIANLUO_MAP_TILE_URL": "map_tile_url",
}


def _to_bool(key: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{key}: expected true or false, got {raw!r}")


def _to_int(key: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise SettingsError(f"{key}: expected a whole number, got {raw!r}") from None


def validate(settings: Settings) -> Settings:
    """Refuse settings the app cannot run with, naming the key at fault."""
    if settings.language not in LANGUAGES:
        raise SettingsError(f"LIANLUO_LANGUAGE: expected one of {', '.join(LANGUAGES)}, got {settings.language!r}")
    if settings.log_level not in LOG_LEVELS:
        raise SettingsError(f"LIANLUO_LOG_LEVEL: expected one of {', '.join(LOG_LEVELS)}, got {settings.log_level!r}")
    if not settings.server_url.startswith(("http://", "https://")):
        raise SettingsError(f"LIANLUO_SERVER_URL: expected an http:// or https:// address, got {settings.server_url!r}")
    if not 1 <= settings.reception_day <= 28:
        raise SettingsError(f"LIANLUO_RECEPTION_DAY: expected a day from 1 to 28, got {settings.reception_day}")
    if settings.reception_rule not in ("next_workday", "previous_workday", "keep"):
        raise SettingsError("LIANLUO_RECEPTION_RULE: expected next_workday, previous_workday or keep, "
                            f"got {settings.reception_rule!r}")
    if settings.map_tiles not in MAP_TILES:
        raise SettingsError(f"LIANLUO_MAP_TILES: expected one of {', '.join(MAP_TILES)}, got {settings.map_tiles!r}")
    if settings.map_tile_url and not (settings.map_tile_url.startswith(("http://", "https://"))
                                      and all(p in settings.map_tile_url for p in ("{x}", "{y}", "{z}"))):
        raise SettingsError("LIANLUO_MAP_TILE_URL: expected an http:// or https:// address with {x}, {y} and {z}, "
                            f"got {settings.map_tile_url!r}")
    if settings.token_days < 1:
        raise SettingsError(f"LIANLUO_TOKEN_DAYS: expected at least 1, got {settings.token_days}")
    return settings


def load_settings(env_file: str | os.PathLike | None = ".env", environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the env file, then the environment, which wins."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    fields: dict[str, object] = {}
    for key, name in _KEYS.items():
        if key not in values:
            continue
        raw = values[key]
        if name in ("data_dir", "pwa_dir"):
            fields[name] = Path(raw)
        elif name == "watermark_photos":
            fields[name] = _to_bool(key, raw)
        elif name in ("token_days", "reception_day"):
            fields[name] = _to_int(key, raw)
        elif name == "log_level":
            fields[name] = raw.strip().upper()
        elif name == "map_tiles":
            fields[name] = raw.strip().lower()
        else:
            fields[name] = raw.strip()
    return validate(Settings(**fields))


def require_secret(settings: Settings) -> None:
    """Refuse to serve with a missing or placeholder secret key."""
    if settings.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(settings.secret_key) < 16:
        raise SettingsError("LIANLUO_SECRET_KEY: set a random value of at least 16 characters (see .env.example)")
