"""Every code a push or a server error can answer has words in both languages."""

from __future__ import annotations

import re

import pytest

from app.i18n import load_catalog
from app.problems import Problem
from tests.conftest import REPO_ROOT


def test_the_domain_codes_are_in_the_one_list_of_problems():
    codes = {problem.code for problem in Problem}
    assert {"issue.title_required", "event.not_allowed_in_status", "location.latitude_not_number",
            "record.time_in_future", "mutation.unknown_kind", "blob.missing"} <= codes


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_error_code_has_a_message(language):
    catalog = load_catalog(language)  # raises if two files define one key
    wanted = {problem.message_key for problem in Problem}
    assert sorted(key for key in wanted if not catalog.get(key, "").strip()) == []


def test_the_server_catalog_has_the_same_keys_in_both_languages():
    import json

    zh = json.loads((REPO_ROOT / "assets/i18n/zh-CN/server.json").read_text(encoding="utf-8"))
    en = json.loads((REPO_ROOT / "assets/i18n/en/server.json").read_text(encoding="utf-8"))
    assert set(zh) == set(en)
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in zh.values())
