"""Inspection templates as data: sections of items with stable ids, response types, scores and flags.

A template is a JSON file (assets/templates/*.json, or one the office publishes); it is
validated when loaded, and a template file with an unknown response type, a section
without a title or a duplicate item id is refused with a message naming the item:

    template = parse_template(text)          # raises TemplateError("…: item canteen.licence …")
    template.items["canteen.licence"].score("fail")
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class TemplateError(ValueError):
    """A template file the app cannot use; the message names the section or item at fault."""


class ResponseType(StrEnum):
    PASS_FAIL = "pass_fail"  # 合格 / 不合格 / 不适用
    YES_NO = "yes_no"  # 是 / 否
    NUMBER = "number"  # a number with its unit and allowed range
    TEXT = "text"
    PHOTO = "photo"
    SINGLE = "single_choice"
    MULTIPLE = "multiple_choice"


NOT_APPLICABLE = "na"
# The answers a pass/fail or yes/no item takes, and what they score unless the item says otherwise.
FIXED_ANSWERS = {ResponseType.PASS_FAIL: ("pass", "fail", NOT_APPLICABLE), ResponseType.YES_NO: ("yes", "no")}


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=60)
    text: str = Field(min_length=1)
    text_en: str = ""
    score: float | None = None
    flagged: bool = False


class ShowIf(BaseModel):
    """A follow-up item is shown only once another item got one of these answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    item: str
    answers: tuple[str, ...] = Field(min_length=1)


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9_.\-]+$")
    text: str = Field(min_length=1)
    text_en: str = ""
    help: str = ""
    type: ResponseType
    # pass_fail / yes_no: the score of each answer; flagged: the answers that raise a concern.
    scores: dict[str, float] = Field(default_factory=dict)
    flagged: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    unit: str = ""
    min: float | None = None
    max: float | None = None
    # A photo or a note is needed when the answer is flagged (or a number is outside its range).
    requires: Literal["photo", "note", "photo_or_note", ""] = "photo_or_note"
    show_if: ShowIf | None = None
    category: str = ""  # the issue category a flagged answer becomes

    @model_validator(mode="after")
    def _consistent(self) -> "Item":
        if self.type in (ResponseType.SINGLE, ResponseType.MULTIPLE):
            if not self.options:
                raise ValueError("a choice needs options")
            ids = [o.id for o in self.options]
            if len(set(ids)) != len(ids):
                raise ValueError("two options have the same id")
        fixed = FIXED_ANSWERS.get(self.type)
        if fixed is not None:
            unknown = (set(self.scores) | set(self.flagged)) - set(fixed)
            if unknown:
                raise ValueError(f"answers {sorted(unknown)} are not {', '.join(fixed)}")
        if self.type is ResponseType.NUMBER and self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self

    def answers(self) -> tuple[str, ...]:
        """The answers a choice item takes (empty for numbers, text and photos)."""
        fixed = FIXED_ANSWERS.get(self.type)
        if fixed is not None:
            return fixed
        return tuple(o.id for o in self.options)

    def max_score(self) -> float:
        if self.type in FIXED_ANSWERS:
            return max(self.scores.values(), default=0.0)
        if self.type is ResponseType.SINGLE:
            return max((o.score or 0.0 for o in self.options), default=0.0)
        if self.type is ResponseType.MULTIPLE:
            return sum(o.score or 0.0 for o in self.options if (o.score or 0) > 0)
        return 0.0

    def score(self, value: Any) -> float | None:
        """What an answer scores; None for an answer that does not count (not applicable, text, photos)."""
        if self.type in FIXED_ANSWERS:
            return None if value == NOT_APPLICABLE else self.scores.get(str(value), 0.0)
        by_id = {o.id: o for o in self.options}
        if self.type is ResponseType.SINGLE:
            option = by_id.get(str(value))
            return option.score or 0.0 if option else None
        if self.type is ResponseType.MULTIPLE:
            return sum(by_id[v].score or 0.0 for v in value or () if v in by_id)
        return None

    def is_flagged(self, value: Any) -> bool:
        """Whether an answer raises a concern: a flagged answer or option, or a number outside its range."""
        if self.type in FIXED_ANSWERS:
            return str(value) in self.flagged
        by_id = {o.id: o for o in self.options}
        if self.type is ResponseType.SINGLE:
            return bool(by_id.get(str(value)) and by_id[str(value)].flagged)
        if self.type is ResponseType.MULTIPLE:
            return any(by_id[v].flagged for v in value or () if v in by_id)
        if self.type is ResponseType.NUMBER:
            return self.out_of_range(value)
        return False

    def out_of_range(self, value: Any) -> bool:
        if self.type is not ResponseType.NUMBER or not isinstance(value, (int, float)) or isinstance(value, bool):
            return False
        return (self.min is not None and value < self.min) or (self.max is not None and value > self.max)


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=60)
    title: str = Field(min_length=1)
    title_en: str = ""
    items: tuple[Item, ...] = Field(min_length=1)


class Template(BaseModel):
    """One version of an inspection template."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9\-]+$")
    version: int = Field(ge=1)
    title: str = Field(min_length=1)
    title_en: str = ""
    description: str = ""
    place_type: str = "other"
    category: str = ""  # the default category of issues its flagged items become
    sections: tuple[Section, ...] = Field(min_length=1)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def items(self) -> dict[str, Item]:
        return {item.id: item for section in self.sections for item in section.items}

    def walk(self) -> Iterator[tuple[Section, Item]]:
        for section in self.sections:
            for item in section.items:
                yield section, item

    def section_of(self, item_id: str) -> Section | None:
        return next((s for s, i in self.walk() if i.id == item_id), None)

    def fingerprint(self) -> str:
        """A hash of the template's content: a pinned copy is the published version, nothing else."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def shown(self, item: Item, answers: dict[str, Any]) -> bool:
        """Whether an item is asked, given the answers so far (a follow-up waits for its trigger)."""
        if item.show_if is None:
            return True
        trigger = answers.get(item.show_if.item)
        values = trigger if isinstance(trigger, list) else [trigger]
        return any(str(v) in item.show_if.answers for v in values)


def parse_template(text: str | bytes | dict) -> Template:
    """Read and validate a template; raise TemplateError naming the section or item at fault."""
    data = text if isinstance(text, dict) else _json(text)
    _check_names(data)
    try:
        template = Template.model_validate(data)
    except ValidationError as exc:
        raise TemplateError(_explain(data, exc)) from None
    seen: dict[str, str] = {}
    for section, item in template.walk():
        if item.id in seen:
            raise TemplateError(f"item {item.id}: the id is used twice (sections {seen[item.id]} and {section.id})")
        seen[item.id] = section.id
    for _section, item in template.walk():
        if item.show_if is not None:
            trigger = template.items.get(item.show_if.item)
            if trigger is None:
                raise TemplateError(f"item {item.id}: shown after item {item.show_if.item}, which the template lacks")
            unknown = set(item.show_if.answers) - set(trigger.answers())
            if trigger.answers() and unknown:
                raise TemplateError(f"item {item.id}: item {trigger.id} has no answer {sorted(unknown)}")
    return template


def _json(text: str | bytes) -> dict:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TemplateError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateError("a template is a JSON object")
    return data


def _check_names(data: dict) -> None:
    """Say which section or item is wrong before pydantic's general message: the office reads this."""
    for index, section in enumerate(data.get("sections") or []):
        if not isinstance(section, dict):
            raise TemplateError(f"section {index + 1}: not an object")
        name = section.get("id") or f"#{index + 1}"
        if not str(section.get("title") or "").strip():
            raise TemplateError(f"section {name}: it has no title")
        for item in section.get("items") or []:
            if isinstance(item, dict) and item.get("type") not in {t.value for t in ResponseType}:
                raise TemplateError(f"item {item.get('id')}: unknown response type {item.get('type')!r} "
                                    f"(one of {', '.join(t.value for t in ResponseType)})")


def _explain(data: dict, exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = list(error["loc"])
    place = "template"
    if len(where) >= 2 and where[0] == "sections":
        section = (data.get("sections") or [])[where[1]] if isinstance(where[1], int) else {}
        place = f"section {section.get('id') or where[1]}"
        if len(where) >= 4 and where[2] == "items" and isinstance(where[3], int):
            item = (section.get("items") or [])[where[3]]
            place = f"item {item.get('id') if isinstance(item, dict) else where[3]}"
            where = where[4:]
        else:
            where = where[2:]
    field = ".".join(str(p) for p in where)
    return f"{place}: {field + ': ' if field else ''}{error['msg']}"
