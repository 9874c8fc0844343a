"""The forms behind an issue's actions: which fields each step needs, their defaults, the payload, recording it.

One `ActionForm` serves every event type the detail offers (and the triage screen's batch
交办): the view draws `form.fields`, forwards edits to `set`/`toggle`/`add_photos`, and calls
`submit`, which records the event on this device (judged by the rules) or marks the field a
refusal names, changing nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Sequence

from sqlmodel import col, select

from app.actors import Role
from app.clock import utcnow
from app.errors import DomainError
from app.issues import (ISSUE, LEADERSHIP, LETTER, Finding, Issue, Nature, Satisfaction, Urgency, assign_issues,
                        duplicate_candidates, issue_state, mark_duplicate, record_event, today_in_china)
from app.models import Department, Person
from app.photos import PhotoError, Watermark, process_photos
from app.problems import Problem
from app.records import allowed_events
from app.viewmodels.capture import CapturedPhoto
from app.viewmodels.context import AppContext

DEFAULT_DEADLINE_DAYS = 15  # the office's usual time for a department to handle an issue
PERCENTS = (25, 50, 75, 100)
# The order the detail offers steps in: the one a person most likely takes next first (its button is the
# filled one), the steps anyone may take on any issue last.
ORDER = ("rate", "acknowledge", "grant_extension", "refuse_extension", "supervise", "escalate", "respond", "resolve",
         "request_extension", "assign", "classify", "merge", "return", "look_back", "reopen",
         "comment", "attach_photo", "add_follower")


class Kind:
    """How a field is entered; the view draws one control per kind."""

    TEXT = "text"  # several lines of words
    CHOICE = "choice"  # one of a few options, as large chips
    MULTI = "multi"  # any of a few options
    DATE = "date"  # a day, typed as YYYY-MM-DD or picked on a calendar
    CHECK = "check"  # yes or no
    PHOTOS = "photos"  # photos through the capture pipeline
    CANDIDATES = "candidates"  # one of a list of issues, each with its distance


@dataclass(frozen=True)
class Option:
    value: Any
    label: str
    detail: str = ""  # e.g. a candidate's distance and place


@dataclass(frozen=True)
class Spec:
    """One field of a form as the rules need it: the payload name, how it is entered, its label key."""

    name: str
    kind: str
    label: str  # a catalog key
    required: bool = False


def _text(label: str = "action.field.text", required: bool = True) -> Spec:
    return Spec("text", Kind.TEXT, label, required)


# Which fields each event type asks for, in the order they are shown.
FORMS: dict[str, tuple[Spec, ...]] = {
    "assign": (Spec("department_id", Kind.CHOICE, "action.field.department", True),
               Spec("co_department_ids", Kind.MULTI, "action.field.co_departments"),
               Spec("deadline", Kind.DATE, "action.field.deadline", True),
               _text("action.field.instructions", required=False)),
    "classify": (Spec("category_id", Kind.CHOICE, "action.field.category", True),
                 Spec("urgency", Kind.CHOICE, "action.field.urgency"),
                 Spec("nature", Kind.CHOICE, "action.field.nature"),
                 Spec("key_suggestion", Kind.CHECK, "action.field.key_suggestion")),
    "return": (_text("action.field.reason"),),
    "reopen": (_text("action.field.reason"),),
    "acknowledge": (_text(required=False),),
    "respond": (_text("action.field.progress"), Spec("photos", Kind.PHOTOS, "action.field.photos"),
                Spec("percent", Kind.CHOICE, "action.field.percent")),
    "request_extension": (Spec("deadline", Kind.DATE, "action.field.new_deadline", True),
                          _text("action.field.reason")),
    "grant_extension": (Spec("deadline", Kind.DATE, "action.field.new_deadline"), _text(required=False)),
    "refuse_extension": (_text("action.field.reason"),),
    "supervise": (_text("action.field.reminder"),),
    "escalate": (Spec("level", Kind.CHOICE, "action.field.level", True), _text(required=False)),
    "resolve": (_text("action.field.result"), Spec("photos", Kind.PHOTOS, "action.field.photos")),
    "rate": (Spec("satisfaction", Kind.CHOICE, "action.field.satisfaction", True),
             _text("action.field.words", required=False)),
    "look_back": (Spec("finding", Kind.CHOICE, "action.field.finding", True), _text("action.field.what_seen"),
                  Spec("photos", Kind.PHOTOS, "action.field.after_photos")),
    "comment": (_text("action.field.comment"),),
    "attach_photo": (Spec("photos", Kind.PHOTOS, "action.field.photos", True),),
    "merge": (Spec("into", Kind.CANDIDATES, "action.field.merge_into", True), _text(required=False)),
    "add_follower": (Spec("person_id", Kind.CHOICE, "action.field.person", True),),
}

# Refusals name payload fields; a few are shown at the form field that entered them.
FIELD_OF = {"sha256": "photos", "record_id": "form"}


@dataclass(frozen=True)
class FormField:
    """A field as the view draws it: its spec, its label in the user's language and its options."""

    name: str
    kind: str
    label: str
    required: bool
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class ActionChoice:
    """One action the user may take on the issue now: its event type and its button label."""

    type: str
    label: str


def available_actions(ctx: AppContext, issue_id: str) -> list[ActionChoice]:
    """The actions this user may take on this issue now, the likeliest next step first (none without a user)."""
    if ctx.current_user() is None:
        return []
    with ctx.session() as session:
        issue = session.get(Issue, issue_id)
        if issue is None:
            return []
        allowed = allowed_events(ISSUE, issue_state(session, issue), ctx.actor())
    names = sorted((e.name for e in allowed if e.name in FORMS), key=ORDER.index)
    return [ActionChoice(name, ctx.t(f"action.{name}")) for name in names]


class ActionForm:
    """One step on one issue (or several, for 交办): its fields, what was entered, and recording it."""

    def __init__(self, ctx: AppContext, issue_ids: Sequence[str], type_: str, *,
                 on_change: Callable[[], None] | None = None, on_done: Callable[[], None] | None = None,
                 today: date | None = None):
        if type_ not in FORMS:
            raise ValueError(f"no form for event type {type_!r}")
        if not issue_ids:
            raise ValueError("an action needs at least one issue")
        if len(issue_ids) > 1 and type_ != "assign":
            raise ValueError("only 交办 takes several issues at once")
        self.ctx, self.type, self.issue_ids = ctx, type_, list(issue_ids)
        self.on_change = on_change or (lambda: None)
        self.on_done = on_done or (lambda: None)  # what the caller does next, after the redraw
        # Called once the step is recorded; a view that must close its form before the screens redraw
        # replaces it and calls `finish` when the form is gone.
        self.on_recorded: Callable[[], None] = self.finish
        self.today = today or today_in_china()
        self.values: dict[str, Any] = {}
        self.photos: list[CapturedPhoto] = []
        self.errors: dict[str, str] = {}
        self.notices: list[str] = []  # photos that could not be used, and why
        self.progress: tuple[int, int] | None = None
        self.done = False
        t = ctx.t
        self.title = t(f"action.{type_}")
        self.submit_label = t("action.submit", action=self.title)
        self.hint = t(f"action.hint.{type_}") if t.has(f"action.hint.{type_}") else ""
        with ctx.session() as session:
            issue = session.get(Issue, self.issue_ids[0])
            self.issue_title = issue.title if issue is not None else ""
            self.batch_title = (t("action.batch", n=len(self.issue_ids)) if len(self.issue_ids) > 1
                                else self.issue_title)
            state = issue_state(session, issue) if issue is not None else None
            self.fields = [FormField(s.name, s.kind, t(s.label), s.required, self._options(session, s.name, issue))
                           for s in FORMS[type_]]
            self._defaults(state)

    # -- options and defaults -------------------------------------------------------------------------------------
    def _options(self, session, name: str, issue: Issue | None) -> tuple[Option, ...]:
        t, ctx = self.ctx.t, self.ctx
        if name in ("department_id", "co_department_ids"):
            rows = session.exec(select(Department).order_by(col(Department.sort_order)))
            return tuple(Option(d.id, ctx.name_of(d)) for d in rows)
        if name == "category_id":
            return tuple(Option(c.id, ctx.name_of(c)) for c in ctx.categories())
        if name == "urgency":
            return tuple(Option(u.value, t(f"urgency.{u.value}")) for u in Urgency)
        if name == "nature":
            return tuple(Option(n.value, t(f"nature.{n.value}")) for n in Nature)
        if name == "level":
            return tuple(Option(level, t(f"escalation.{level}")) for level in (LETTER, LEADERSHIP))
        if name == "satisfaction":
            return tuple(Option(s.value, t(f"satisfaction.{s.value}")) for s in Satisfaction)
        if name == "finding":
            return tuple(Option(f.value, t(f"finding.{f.value}")) for f in Finding)
        if name == "percent":
            return tuple(Option(p, t("action.percent", n=p)) for p in PERCENTS)
        if name == "person_id":
            rows = session.exec(select(Person).where(col(Person.role).in_([Role.DEPUTY.value,
                                                                            Role.STATION_STAFF.value]))
                                .order_by(col(Person.name)))
            held = set(issue.follower_ids or []) | {issue.reporter_id} if issue is not None else set()
            return tuple(Option(p.id, p.name) for p in rows if p.id not in held)
        if name == "into" and issue is not None:
            return tuple(Option(c.issue.id, c.issue.title,
                                t("action.distance", m=round(c.distance_m), place=c.issue.place_name))
                         for c in duplicate_candidates(session, issue))
        return ()

    def _defaults(self, state) -> None:
        today = self.today
        self.values = {f.name: ([] if f.kind == Kind.MULTI else False if f.kind == Kind.CHECK else
                                "" if f.kind in (Kind.TEXT, Kind.DATE) else None) for f in self.fields}
        if state is None:
            return
        if self.type == "assign":
            self.values["deadline"] = (today + timedelta(days=DEFAULT_DEADLINE_DAYS)).isoformat()
            if len(self.issue_ids) == 1:  # handing it again keeps who had it, unless changed
                self.values["department_id"] = state.department_id
                self.values["co_department_ids"] = list(state.co_department_ids)
        elif self.type == "classify":
            self.values.update(category_id=state.category_id, urgency=state.urgency, nature=state.nature,
                               key_suggestion=state.key_suggestion)
        elif self.type == "request_extension":
            self.values["deadline"] = ((state.deadline or today) + timedelta(days=DEFAULT_DEADLINE_DAYS)).isoformat()
        elif self.type == "grant_extension" and state.extension_asked is not None:
            self.values["deadline"] = state.extension_asked.isoformat()
        elif self.type == "escalate":
            self.values["level"] = LEADERSHIP if state.escalation >= LETTER else LETTER

    def field(self, name: str) -> FormField:
        return next(f for f in self.fields if f.name == name)

    # -- editing --------------------------------------------------------------------------------------------------
    def set(self, name: str, value: Any) -> None:
        """Change one field; choosing a chosen option again clears an optional choice."""
        spec = self.field(name)
        if spec.kind == Kind.CHOICE and not spec.required and value == self.values.get(name):
            value = None
        self.values[name] = value
        self.errors.pop(name, None)
        self.errors.pop("form", None)
        if name == "department_id" and value in self.values.get("co_department_ids", []):
            self.values["co_department_ids"] = [d for d in self.values["co_department_ids"] if d != value]

    def toggle(self, name: str, value: Any) -> None:
        """Add a value to a multi-select field, or take it out again."""
        chosen = list(self.values.get(name) or [])
        self.set(name, [v for v in chosen if v != value] if value in chosen else chosen + [value])

    def deadline_in(self, days: int) -> str:
        """A deadline some days from today, as the date field holds it (for quick choices)."""
        return (self.today + timedelta(days=days)).isoformat()

    async def add_photos(self, files: list[tuple[str, bytes]]) -> None:
        """Put picked or taken photos through the capture pipeline; keep the good ones, explain the others."""
        known = {p.source_sha256 for p in self.photos}
        fresh = [(name, data, hashlib.sha256(data).hexdigest()) for name, data in files]
        fresh = [f for f in fresh if f[2] not in known]
        if not fresh:
            return
        self.progress = (0, len(fresh))
        self.on_change()

        def progress(done: int, total: int) -> None:
            self.progress = (done, total)
            self.on_change()

        results = await process_photos([data for _, data, _ in fresh], on_progress=progress,
                                       watermark=self._watermark())
        for (name, _, digest), result in zip(fresh, results):
            if isinstance(result, PhotoError):
                self.notices.append(self.ctx.t("capture.photo_refused", name=name,
                                               reason=self.ctx.t(result.message_key, **result.params)))
            elif all(p.sha256 != result.sha256 for p in self.photos):
                self.ctx.photos.put(result)
                self.photos.append(CapturedPhoto(result.sha256, result.width, result.height, len(result.data),
                                                 result.taken_at.isoformat() if result.taken_at else None,
                                                 result.latitude, result.longitude, digest))
        self.errors.pop("photos", None)
        self.progress = None
        self.on_change()

    def remove_photo(self, sha256: str) -> None:
        self.photos = [p for p in self.photos if p.sha256 != sha256]
        self.on_change()

    def _watermark(self) -> Watermark | None:
        if not self.ctx.watermark_photos:
            return None
        t, user = self.ctx.t, self.ctx.current_user()
        lines = (t.datetime(utcnow()), self.issue_title,
                 t("watermark.signature", township=self.ctx.settings.township, name=user.name if user else ""))
        return Watermark(tuple(line for line in lines if line))

    @property
    def busy(self) -> bool:
        return self.progress is not None

    # -- recording ------------------------------------------------------------------------------------------------
    def payload(self) -> dict[str, Any]:
        """The event's payload from what was entered (raises _BadDate for a date field that holds no date)."""
        out: dict[str, Any] = {}
        for f in self.fields:
            value = self.values.get(f.name)
            if f.kind == Kind.PHOTOS:
                if self.photos:  # without taken_at: the record engine's photo rows cannot take it as text yet
                    out["photos"] = [p.ref().model_dump(mode="json", exclude={"taken_at"}) for p in self.photos]
            elif f.kind == Kind.TEXT:
                if str(value or "").strip():
                    out[f.name] = str(value).strip()
            elif f.kind == Kind.DATE:
                if str(value or "").strip():
                    out[f.name] = _day(str(value), f.name).isoformat()
            elif f.kind == Kind.MULTI:
                out[f.name] = list(value or [])
            elif f.kind == Kind.CHECK:
                out[f.name] = bool(value)
            elif value is not None:
                out[f.name] = value
        return out

    def submit(self) -> bool:
        """Record the step on this device; on a refusal mark the field it names and record nothing."""
        self.errors = {}
        if self.busy:
            return False
        if self.ctx.current_user() is None:
            self.errors["form"] = self.ctx.t("capture.no_user")
            return False
        try:
            payload = self.payload()
        except _BadDate as bad:
            self.errors[bad.field] = self.ctx.t("action.date_invalid", value=bad.value)
            return False
        try:
            with self.ctx.session() as session:
                self._record(session, payload)
        except DomainError as refusal:
            where = FIELD_OF.get(refusal.field or "", refusal.field)
            names = {f.name for f in self.fields}
            self.errors[where if where in names else "form"] = self.ctx.t(refusal.message_key, **refusal.params)
            return False
        self.done = True
        self.on_recorded()
        return True

    def finish(self) -> None:
        """Send the step now if the network allows, redraw every screen, then hand back to the caller."""
        self.ctx.saved_locally()
        self.on_done()

    def _record(self, session, payload: dict[str, Any]) -> None:
        actor = self.ctx.actor()
        if self.type == "assign":  # one event per issue, all or none
            deadline = payload.get("deadline")
            if deadline is None:
                raise DomainError(Problem.DEADLINE_REQUIRED, field="deadline")
            assign_issues(session, actor=actor, issue_ids=self.issue_ids,
                          department_id=payload.get("department_id") or "", deadline=date.fromisoformat(deadline),
                          text=payload.get("text", ""), co_department_ids=payload.get("co_department_ids", []))
            return
        issue_id = self.issue_ids[0]
        if self.type == "merge":  # the duplicate's reporter then follows the original
            if not payload.get("into"):
                raise DomainError(Problem.MERGE_TARGET_REQUIRED, field="into")
            mark_duplicate(session, actor=actor, duplicate_id=issue_id, original_id=payload["into"],
                           text=payload.get("text", ""))
            return
        if self.type == "attach_photo":  # each photo its own event, as a photo added later always was
            if not self.photos:
                raise DomainError(Problem.PHOTO_HASH_REQUIRED, field="photos")
            for photo in payload["photos"]:
                record_event(session, actor=actor, issue_id=issue_id, type_="attach_photo", payload=photo)
            return
        record_event(session, actor=actor, issue_id=issue_id, type_=self.type, payload=payload)


class _BadDate(ValueError):
    def __init__(self, field_name: str, value: str):
        super().__init__(value)
        self.field, self.value = field_name, value


def _day(text: str, field_name: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _BadDate(field_name, text.strip()) from None
