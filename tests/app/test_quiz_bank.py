"""The quiz's question bank: the shipped one, validation of a bad one, marking, drawing per deputy."""

from __future__ import annotations

import json

import pytest

from app.quiz import BankError, builtin_banks, draw, load_bank, mark, option_order, parse_bank
from app.quiz._bank import Marked

LAWS = ("《中华人民共和国宪法》", "《中华人民共和国地方各级人民代表大会和地方各级人民政府组织法》",
        "《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》")


def _bank(*questions):
    return {"id": "t", "version": 1, "title": "测试题库", "questions": list(questions)}


def _single(qid="q1", **fields):
    return {"id": qid, "type": "single", "text": "乡镇人大每届任期几年？",
            "options": [{"key": "A", "text": "三年"}, {"key": "B", "text": "五年"}], "answer": ["B"],
            "source": "《宪法》第九十八条"} | fields


def test_the_shipped_bank_has_sixty_questions_of_every_type_each_with_its_source():
    bank = builtin_banks()[0]
    assert len(bank.questions) >= 60
    types = {q.type for q in bank.questions}
    assert types == {"single", "multiple", "truefalse"}
    assert all(q.source.strip() for q in bank.questions)
    # The deputies' essentials: the Organic Law, the Deputies Law, the stations' work, handling suggestions.
    sources = " ".join(q.source for q in bank.questions)
    assert all(law in sources for law in LAWS) and "联络站" in sources
    assert {q.topic for q in bank.questions} >= {"地方组织法", "代表法", "联络站工作", "建议办理与监督"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in q.text) for q in bank.questions)


@pytest.mark.parametrize("question, fault", [
    (_single(answer=[]), "question q1: has no answer"),
    (_single(answer=["C"]), "question q1: its answer names an option it does not have"),
    (_single(answer=["A", "B"]), "question q1: a single question has exactly one answer"),
    (_single(type="multiple", answer=["A"]), "question q1: a multiple-choice question has at least two answers"),
    (_single(type="truefalse", options=[], answer=["Y"]), "question q1: its answer names an option it does not have"),
    (_single(type="essay"), "question q1: type 'essay' is not one of single, multiple, truefalse"),
    (_single(source=""), "question q1: source"),
    (_single(options=[{"key": "A", "text": "x"}, {"key": "A", "text": "y"}]), "two options have the same key"),
])
def test_a_bank_with_a_faulty_question_is_refused_naming_the_question(question, fault):
    with pytest.raises(BankError) as refused:
        parse_bank(_bank(question, _single("q2")), source="bad.json")
    assert any(fault in p for p in refused.value.problems), refused.value.problems
    assert str(refused.value).startswith("bad.json: ")


def test_a_duplicate_id_is_refused_and_a_file_that_is_not_json_too(tmp_path):
    with pytest.raises(BankError) as twice:
        parse_bank(_bank(_single("q1"), _single("q1")))
    assert twice.value.problems == ["question q1: the id is used twice"]
    broken = tmp_path / "bank.json"
    broken.write_text('{"id": "t", "questions": [', encoding="utf-8")
    with pytest.raises(BankError) as unreadable:
        load_bank(broken)
    assert "cannot be read as JSON" in unreadable.value.problems[0]
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_bank(_single(), _single("q2", type="truefalse", options=[], answer=["T"]))),
                    encoding="utf-8")
    assert [o.key for o in load_bank(good).questions[0].options] == ["A", "B"]


def test_marking_wants_exactly_the_answer_options():
    key = {"a": ["B"], "b": ["A", "C"], "c": ["T"]}
    assert mark({"a": ["B"], "b": ["C", "A"], "c": ["T"]}, key, ["a", "b", "c"]) == Marked(3, 3)
    assert mark({"a": ["B"], "b": ["A"], "c": ["F"]}, key, ["a", "b", "c"]).correct == 1  # one option short
    assert mark({"a": ["B"], "b": ["A", "B", "C"]}, key, ["a", "b", "c"]).correct == 1  # one too many, one blank
    assert Marked(2, 3).score == 67 and Marked(1, 8).score == 13 and Marked(0, 0).score == 0


def test_each_deputy_and_attempt_draws_its_own_questions_the_same_on_every_device():
    pool = [f"q{i}" for i in range(60)]
    first = draw("quiz", "wang", 1, pool, 20)
    assert first == draw("quiz", "wang", 1, pool, 20) and len(set(first)) == 20 and set(first) <= set(pool)
    assert first != draw("quiz", "li", 1, pool, 20) and first != draw("quiz", "wang", 2, pool, 20)
    orders = {tuple(option_order("quiz", p, 1, "q1", ["A", "B", "C", "D"])) for p in ("a", "b", "c", "d", "e")}
    assert len(orders) > 1 and all(sorted(o) == ["A", "B", "C", "D"] for o in orders)
    assert option_order("quiz", "a", 1, "q1", ["T", "F"]) == ["T", "F"]  # 正确 before 错误, always


def test_the_browser_build_leaves_the_banks_with_their_answers_out():
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "build_pwa.py"
    spec = importlib.util.spec_from_file_location("build_pwa", script)
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    shipped = [p.relative_to(build.ROOT / "assets").as_posix() for p in build._asset_files()]
    assert "i18n/zh-CN/year.json" in shipped and "templates/school-safety.json" in shipped
    assert not [p for p in shipped if p.startswith("question_banks/")]
