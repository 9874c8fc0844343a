"""One list of problems: every code has words in both languages, and no code is spelled anywhere else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.i18n import Translator
from app.problems import RETRYABLE, Problem, problem_of

REPO = Path(__file__).resolve().parent.parent
SOURCES = [p for folder in ("app", "sync", "views") for p in sorted((REPO / folder).rglob("*.py"))
           if p != REPO / "app" / "problems.py"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("problem", list(Problem), ids=lambda p: p.value)
def test_every_problem_has_chinese_and_english_words(problem):
    chinese, english = Translator("zh-CN"), Translator("en")
    assert chinese.has(problem.message_key), f"{problem.value}: no zh-CN text"
    assert CJK.search(chinese(problem.message_key)), f"{problem.value}: the zh-CN text is not Chinese"
    english_text = english(problem.message_key)
    assert english_text != problem.message_key and not CJK.search(english_text), f"{problem.value}: no English text"


def test_each_problem_has_a_status_and_only_transient_ones_may_be_retried():
    for problem in Problem:
        assert 400 <= problem.status < 600, problem
    assert RETRYABLE == {Problem.SERVER_ERROR, Problem.OFFLINE, Problem.BLOB_MISSING, Problem.BLOB_OFFSET_MISMATCH,
                         Problem.TOO_MANY_ATTEMPTS, Problem.TOO_MANY_CONCERNS}
    assert problem_of("issue.title_required") is Problem.TITLE_REQUIRED
    assert problem_of("no.such_code") is None


def _literals(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def spelled_codes(paths) -> list[str]:
    """Every place a problem's code (or its message key) is written as a string literal."""
    codes = {p.value for p in Problem} | {p.message_key for p in Problem}
    found = []
    for path in paths:
        for line, value in _literals(path):
            if value in codes:
                found.append(f"{path.relative_to(REPO)}:{line}: {value!r}")
    return found


def test_no_code_is_spelled_outside_the_list():
    assert spelled_codes(SOURCES) == []


def test_the_scan_finds_a_spelled_code(tmp_path):
    stray = REPO / "app" / "_stray_for_test.py"
    try:
        stray.write_text('CODE = "network.offline"\nKEY = "error.issue.title_required"\n', encoding="utf-8")
        assert len(spelled_codes([stray])) == 2
    finally:
        stray.unlink()
