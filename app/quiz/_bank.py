"""The question bank of the essential-knowledge quiz (应知应会), as data under assets/question_banks/.

A bank is a JSON file:

    {"id": "essentials", "version": 1, "title": "人大代表应知应会",
     "questions": [{"id": "org-001", "type": "single",          # single | multiple | truefalse
                    "text": "……", "options": [{"key": "A", "text": "……"}, …],
                    "answer": ["B"], "source": "《……》第……条", "topic": "……"}, …]}

A true/false question has the options 正确 (key T) and 错误 (key F), given or not. The
bank is validated whole when it is loaded: every problem is named with its question, and
a bank with any problem is not used at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

QUESTION_TYPES = ("single", "multiple", "truefalse")
TRUE_FALSE = ({"key": "T", "text": "正确"}, {"key": "F", "text": "错误"})


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(min_length=1, max_length=4)
    text: str = Field(min_length=1, max_length=500)


class BankQuestion(BaseModel):
    """One question with its answer, as the bank holds it (only the central store keeps the answer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    type: str
    text: str = Field(min_length=1, max_length=1000)
    options: tuple[Option, ...] = ()
    answer: tuple[str, ...] = ()
    source: str = Field(min_length=1, max_length=200)  # the article of law or rule it comes from
    topic: str = Field(default="", max_length=60)


class Bank(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=120)
    questions: tuple[BankQuestion, ...]


class BankError(ValueError):
    """A bank file the app cannot use; `problems` names each fault, with its question."""

    def __init__(self, source: str, problems: list[str]):
        self.source, self.problems = source, problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _question_problems(q: BankQuestion) -> list[str]:
    where = f"question {q.id}"
    if q.type not in QUESTION_TYPES:
        return [f"{where}: type {q.type!r} is not one of {', '.join(QUESTION_TYPES)}"]
    options = q.options or (tuple(Option(**o) for o in TRUE_FALSE) if q.type == "truefalse" else ())
    keys = [o.key for o in options]
    problems = []
    if q.type == "truefalse" and sorted(keys) != ["F", "T"]:
        problems.append(f"{where}: a true/false question has the options T and F")
    if q.type != "truefalse" and len(options) < 2:
        problems.append(f"{where}: needs at least two options")
    if len(set(keys)) != len(keys):
        problems.append(f"{where}: two options have the same key")
    if not q.answer:
        problems.append(f"{where}: has no answer")
    elif any(a not in keys for a in q.answer):
        problems.append(f"{where}: its answer names an option it does not have")
    elif len(set(q.answer)) != len(q.answer):
        problems.append(f"{where}: its answer names an option twice")
    elif q.type in ("single", "truefalse") and len(q.answer) != 1:
        problems.append(f"{where}: a {q.type} question has exactly one answer")
    elif q.type == "multiple" and len(q.answer) < 2:
        problems.append(f"{where}: a multiple-choice question has at least two answers")
    return problems


def parse_bank(data: Any, *, source: str = "bank") -> Bank:
    """Validate a bank (parsed JSON); raise BankError naming every problem."""
    try:
        bank = Bank.model_validate(data)
    except ValidationError as error:
        problems = []
        for e in error.errors():
            loc = list(e["loc"])
            where = ""
            if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
                raw = (data.get("questions") or [])[loc[1]] if isinstance(data, dict) else None
                qid = raw.get("id") if isinstance(raw, dict) else None
                where = f"question {qid or '#' + str(loc[1] + 1)}: "
                loc = loc[2:]
            problems.append(f"{where}{'.'.join(map(str, loc)) or 'bank'}: {e['msg']}")
        raise BankError(source, problems) from None
    problems = []
    seen: set[str] = set()
    for q in bank.questions:
        if q.id in seen:
            problems.append(f"question {q.id}: the id is used twice")
        seen.add(q.id)
        problems += _question_problems(q)
    if not bank.questions:
        problems.append("the bank has no questions")
    if problems:
        raise BankError(source, problems)
    return bank


def load_bank(path: Path) -> Bank:
    """Read and validate a bank file; raise BankError (also for a file that is not JSON)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BankError(str(path), [f"cannot be read as JSON: {error}"]) from None
    return parse_bank(data, source=str(path))


def options_of(q: BankQuestion) -> tuple[Option, ...]:
    return q.options or tuple(Option(**o) for o in TRUE_FALSE)


@dataclass(frozen=True)
class Marked:
    correct: int
    total: int

    @property
    def score(self) -> int:
        """Out of 100, rounded half up."""
        return (self.correct * 100 * 2 + self.total) // (2 * self.total) if self.total else 0


def mark(answers: dict[str, list[str]], key: dict[str, list[str]], question_ids: list[str]) -> Marked:
    """Score answers against the key: a question is right when exactly its answer's options are chosen
    (a multiple-choice question with one option missing or one too many is wrong, as on paper)."""
    correct = sum(1 for q in question_ids if sorted(answers.get(q) or ()) == sorted(key.get(q) or ()) and key.get(q))
    return Marked(correct, len(question_ids))
