import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from app.clock import utcnow
from app.i18n import CatalogError, Translator, load_catalog
from app.problems import Problem

ROOT = Path(__file__).resolve().parents[2]


def test_every_key_exists_in_both_languages():
    zh, en = load_catalog("zh-CN"), load_catalog("en")
    assert set(zh) - set(en) == set(), "missing in English"
    assert set(en) - set(zh) == set(), "missing in Chinese"


def test_placeholders_match_between_languages():
    zh, en = load_catalog("zh-CN"), load_catalog("en")
    names = lambda s: sorted(set(re.findall(r"{(\w+)", s)))
    assert {k: (names(zh[k]), names(en[k])) for k in zh if names(zh[k]) != names(en[k])} == {}


def test_every_key_used_in_code_is_in_the_catalog():
    used = set()
    for path in list((ROOT / "app").rglob("*.py")) + list((ROOT / "views").rglob("*.py")):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z][\w.-]+)["']""", path.read_text(encoding="utf-8")))
    catalog = load_catalog("zh-CN")
    assert sorted(k for k in used if k not in catalog) == []


def test_every_domain_error_has_a_message():
    named = set()
    for path in (ROOT / "app").rglob("*.py"):  # every problem the app raises or reports
        named |= set(re.findall(r"\bProblem\.([A-Z][A-Z0-9_]*)\b", path.read_text(encoding="utf-8")))
    codes = {Problem[name].value for name in named}
    assert {"issue.title_required", "location.latitude_not_number", "event.score_range"} <= codes
    catalog = load_catalog("zh-CN")
    assert sorted(c for c in codes if f"error.{c}" not in catalog) == []


def test_chinese_is_the_default_and_english_is_switchable():
    assert Translator()("status.assigned") == "已交办"
    assert Translator("en")("status.assigned") == "Assigned"


def test_code_parameters_are_shown_by_their_own_names():
    t = Translator()
    message = t("error.event.not_allowed_in_status", kind="rate", status="new")
    assert "满意度评价" in message and "待分办" in message


def test_ages_read_naturally():
    t, now = Translator(), utcnow()
    assert t.age(now - timedelta(days=3), now) == "3天前"
    assert t.age(now - timedelta(seconds=5), now) == "刚刚"
    assert Translator("en").age(now - timedelta(hours=2), now) == "2 h ago"


def test_a_key_defined_twice_is_refused(tmp_path):
    (tmp_path / "zh-CN").mkdir()
    (tmp_path / "zh-CN" / "a.json").write_text(json.dumps({"x": "一"}))
    (tmp_path / "zh-CN" / "b.json").write_text(json.dumps({"x": "二"}))
    with pytest.raises(CatalogError, match="twice"):
        load_catalog("zh-CN", tmp_path)
