"""Every code a push or a server error can answer has words in both languages."""

from __future__ import annotations

import re

import pytest

from app.i18n import load_catalog
from sync.protocol import ErrorCode
from tests.conftest import REPO_ROOT

_CODE = re.compile(r'DomainError\(f?"([a-z_.{}]+)"')
_NUMBER_FIELDS = ("latitude", "longitude", "accuracy_m")  # location.{name}_not_number


def domain_codes() -> set[str]:
    codes: set[str] = set()
    for path in (REPO_ROOT / "app").glob("*.py"):
        for code in _CODE.findall(path.read_text(encoding="utf-8")):
            if "{name}" in code:
                codes |= {code.replace("{name}", name) for name in _NUMBER_FIELDS}
            else:
                codes.add(code)
    return codes


def test_the_domain_codes_are_found():
    codes = domain_codes()
    assert {"issue.title_required", "event.not_allowed_in_status", "location.latitude_not_number"} <= codes


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_error_code_has_a_message(language):
    catalog = load_catalog(language)  # raises if two files define one key
    wanted = {f"error.{code.value}" for code in ErrorCode} | {f"error.{code}" for code in domain_codes()}
    assert sorted(key for key in wanted if not catalog.get(key, "").strip()) == []


def test_the_server_catalog_has_the_same_keys_in_both_languages():
    import json

    zh = json.loads((REPO_ROOT / "assets/i18n/zh-CN/server.json").read_text(encoding="utf-8"))
    en = json.loads((REPO_ROOT / "assets/i18n/en/server.json").read_text(encoding="utf-8"))
    assert set(zh) == set(en)
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in zh.values())
