"""检查: the user's inspections, starting one, and answering its checklist item by item, with no page.

    form = InspectionsModel(ctx).start_form()     # pick a template, the place, the participants
    inspection_id = form.start()
    model = InspectionModel(ctx, inspection_id)
    model.answer("fire.escape_routes", "fail")    # an outbox event at once: autosaved, synced when online
    model.save_note("fire.escape_routes", "二楼安全出口被桌椅堵塞")
    issue_id = model.raise_issue("fire.escape_routes")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from sqlmodel import col, select

from app.actors import FIELD_ROLES, OFFICE_ROLES, Role
from app.clock import utcnow
from app.errors import DomainError
from app.inspections import (INSPECTION, NOT_APPLICABLE, Inspection, InspectionStatus, Item,
                             ResponseType, Template, answer_item, inspection_document, inspection_state,
                             list_inspections, published_templates, raise_issue_from_item, start_inspection)
from app.issues import Issue, Location, LocationSource, PlaceType, make_location
from app.models import Person, SpecialGroup, Station
from app.outbox import waiting_changes
from app.photos import PhotoError, Watermark, process_photos
from app.problems import Problem
from app.records import photos_of, record_event
from app.viewmodels.context import AppContext
from app.viewmodels.issue_detail import location_text
from app.viewmodels.office import Chip, Tone
from app.viewmodels.supervise import FILE_NAME_FORBIDDEN

RESULTS = "results"  # the last tab of an inspection: score, flagged items, sign-off, the report
INSPECTORS = FIELD_ROLES | OFFICE_ROLES  # who may start one (a department answers issues, it does not inspect)
PARTICIPANT_ROLES = (Role.DEPUTY, Role.STATION_STAFF)
FIXED_WORDS = {"pass": "inspect.answer.pass", "fail": "inspect.answer.fail", NOT_APPLICABLE: "inspect.answer.na",
               "yes": "inspect.answer.yes", "no": "inspect.answer.no"}
STATUS_KEYS = {InspectionStatus.IN_PROGRESS.value: "status.in_progress_inspection",
               InspectionStatus.SIGNED_OFF.value: "status.signed_off"}
NEEDS = {"photo": "inspect.needs.photo", "note": "inspect.needs.note", "photo_or_note": "inspect.needs.photo_or_note"}


# -- small pure helpers ---------------------------------------------------------------------------------------------
def inspection_chip(ctx: AppContext, status: str) -> Chip:
    """检查中 / 已签字确认, with its word (the issue's 办理中 is another status of another kind)."""
    tone = Tone.GOOD if status == InspectionStatus.SIGNED_OFF.value else Tone.INFO
    return Chip(ctx.t(STATUS_KEYS.get(status, f"status.{status}")), tone)


def number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def parse_number(text: str) -> int | float | None:
    """A number as typed on a phone (full-width digits, a Chinese comma for the point); None if it is none."""
    cleaned = text.strip().translate(str.maketrans("０１２３４５６７８９．，－", "0123456789..-")).replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if value != value or abs(value) >= 1e12:  # NaN, or beyond what an answer takes
        return None
    return int(value) if value.is_integer() and "." not in cleaned else value


def range_text(ctx: AppContext, item: Item) -> str:
    """合格范围 0–8 ℃ / 应为 0 具 / 不低于 20 立方米 / 不超过 2 头/叶, or nothing without a range."""
    t, unit = ctx.t, item.unit
    low, high = number_text(item.min), number_text(item.max)
    if item.min is not None and item.max is not None:
        if item.min == item.max:
            return t("inspect.range.exactly", value=low, unit=unit)
        return t("inspect.range.between", low=low, high=high, unit=unit)
    if item.min is not None:
        return t("inspect.range.at_least", value=low, unit=unit)
    if item.max is not None:
        return t("inspect.range.at_most", value=high, unit=unit)
    return ""


def answer_words(ctx: AppContext, item: Item, value: Any) -> str:
    """An answer in this language's words: 不合格, 是, 温州蜜柑, 6 ℃, 未填写."""
    t = ctx.t
    if value is None:
        return t("inspect.answer.photo") if item.type is ResponseType.PHOTO else t("inspect.answer.none")
    options = {o.id: _text(ctx, o.text, o.text_en) for o in item.options}
    if isinstance(value, list):
        return "、".join(options.get(v, v) for v in value) or t("inspect.answer.nothing_chosen")
    if isinstance(value, str):
        if value in options:
            return options[value]
        return t(FIXED_WORDS[value]) if value in FIXED_WORDS and item.type is not ResponseType.TEXT else value
    return f"{number_text(value)} {item.unit}".strip()


def report_file_name(ctx: AppContext, place: str, title: str) -> str:
    name = ctx.t("inspect.report.file_name", place=place, title=title)
    return "".join("_" if c in FILE_NAME_FORBIDDEN else c for c in name) + ".docx"


def _text(ctx: AppContext, zh: str, en: str) -> str:
    return en if ctx.t.language == "en" and en else zh


def _refusal(ctx: AppContext, error: DomainError, template: Template | None = None) -> str:
    params = dict(error.params)
    if error.code is Problem.CONFLICTS_OPEN and template is not None:
        # The rule names the items by id; a deputy reads their words.
        ids = str(params.get("items") or "").split("、")
        params["items"] = "、".join(_text(ctx, template.items[i].text, template.items[i].text_en)
                                    for i in ids if i in template.items)
    return ctx.t(error.message_key, **params)


# -- the 检查 tab ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InspectionRow:
    id: str
    title: str
    place: str
    day: str
    progress: str  # 已查 12/31 项
    score: str  # 得分 18/20
    flagged: Chip | None  # 发现问题 2 项
    status: Chip
    waiting: str = ""  # 待同步 while some of it is only on this phone


class InspectionsModel:
    """The inspections on this device, newest first, and the 开始检查 form."""

    def __init__(self, ctx: AppContext):
        self.ctx = ctx
        self.rows: list[InspectionRow] = []
        self.reload()

    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        self.can_start = user is not None and user.role in INSPECTORS
        with ctx.session() as session:
            inspections = list_inspections(session)
            waiting = waiting_changes(session, [i.id for i in inspections])
        self.rows = [InspectionRow(
            id=i.id, title=i.title, place=i.place_name, day=t.date(i.created_at),
            progress=t("inspect.progress", answered=i.answered, total=i.total),
            score=t("inspect.score", score=number_text(i.score), max=number_text(i.max_score)),
            flagged=Chip(t("inspect.flagged", n=i.flagged), Tone.DANGER) if i.flagged else None,
            status=inspection_chip(ctx, i.status), waiting=t("list.waiting") if i.id in waiting else "")
            for i in inspections]
        self.count_text = t("inspect.list.count", n=len(self.rows))

    @property
    def empty_text(self) -> str:
        return self.ctx.t("inspect.list.empty" if self.can_start else "inspect.list.empty_viewer")

    def start_form(self) -> "StartForm":
        return StartForm(self.ctx)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    detail: str  # the station, or the role
    selected: bool


class StartForm:
    """开始检查: which checklist, where (name, type, the phone's position) and who takes part."""

    def __init__(self, ctx: AppContext, on_change: Callable[[], None] | None = None):
        self.ctx = ctx
        self.on_change = on_change or (lambda: None)
        with ctx.session() as session:
            self.templates = published_templates(session)
        self.template_id = self.templates[0].id if self.templates else ""
        self.place_name = ""
        self.place_type = self.template.place_type if self.template else PlaceType.OTHER.value
        self.location: Location | None = None
        self.participant_ids: list[str] = []
        self.group_id: str | None = None  # a special group's joint inspection
        self.errors: dict[str, str] = {}
        self.notice = ""
        self.inspection_id: str | None = None

    @property
    def template(self) -> Template | None:
        return next((tpl for tpl in self.templates if tpl.id == self.template_id), None)

    def template_options(self) -> list[Option]:
        return [Option(tpl.id, _text(self.ctx, tpl.title, tpl.title_en), tpl.id == self.template_id)
                for tpl in self.templates]

    def place_type_options(self) -> list[Option]:
        return [Option(p.value, self.ctx.t(f"place.{p.value}"), p.value == self.place_type) for p in PlaceType]

    def group_options(self) -> list[Option]:
        """The special groups (e.g. 柑桔产业专门小组): choosing one ticks its members."""
        with self.ctx.session() as session:
            groups = list(session.exec(select(SpecialGroup).order_by(col(SpecialGroup.sort_order))))
        return [Option(g.id, self.ctx.t("inspect.start.group", name=self.ctx.name_of(g), n=len(g.member_ids)),
                       g.id == self.group_id) for g in groups]

    def choose_group(self, group_id: str) -> None:
        """A group's joint inspection: its members take part (again unticked when the group is unchosen)."""
        with self.ctx.session() as session:
            group = session.get(SpecialGroup, group_id)
            before = session.get(SpecialGroup, self.group_id) if self.group_id else None
        me = self.ctx.current_user()
        if before is not None:
            self.participant_ids = [p for p in self.participant_ids if p not in before.member_ids]
        if group is None or group_id == self.group_id:
            self.group_id = None
            return
        self.group_id = group.id
        for person in group.member_ids:
            self.toggle_participant(person, me is None or person != me.id)

    def participant_options(self) -> list[Participant]:
        """The deputies and station staff who may take part, the user's own station first."""
        me = self.ctx.current_user()
        with self.ctx.session() as session:
            people = list(session.exec(select(Person).where(col(Person.role).in_([r.value for r in PARTICIPANT_ROLES]))))
            stations = {s.id: s for s in session.exec(select(Station))}
        own = me.station_id if me else None
        people = [p for p in people if me is None or p.id != me.id]
        people.sort(key=lambda p: (p.station_id != own, p.role != Role.DEPUTY.value,
                                   getattr(stations.get(p.station_id), "sort_order", 0), p.name))
        return [Participant(p.id, p.name, self.ctx.name_of(stations.get(p.station_id)) or self.ctx.t(f"role.{p.role}"),
                            p.id in self.participant_ids) for p in people]

    @property
    def location_label(self) -> str:
        """Where the phone says it is, how precisely and from what (or 未定位)."""
        loc, t = self.location, self.ctx.t
        return location_text(t, loc.latitude, loc.longitude, loc.accuracy_m, loc.source) if loc else t("location.none")

    def set_template(self, template_id: str) -> None:
        before = self.template
        self.template_id = template_id
        if before is not None and self.place_type == before.place_type and self.template is not None:
            self.place_type = self.template.place_type  # the user had not chosen one: follow the checklist
        self.errors.pop("template", None)

    def set_place_name(self, text: str) -> None:
        self.place_name = text
        self.errors.pop("place_name", None)

    def set_place_type(self, value: str) -> None:
        self.place_type = value

    def toggle_participant(self, person_id: str, on: bool) -> None:
        if on and person_id not in self.participant_ids:
            self.participant_ids.append(person_id)
        elif not on and person_id in self.participant_ids:
            self.participant_ids.remove(person_id)

    def set_device_location(self, latitude: float, longitude: float, accuracy_m: float | None) -> None:
        try:
            self.location = make_location(latitude, longitude, accuracy_m, LocationSource.DEVICE.value)
        except DomainError:
            return  # a nonsense fix is ignored, as on the capture screen
        self.notice = ""
        self.on_change()

    def location_unavailable(self) -> None:
        self.notice = self.ctx.t("location.unavailable")
        self.on_change()

    def clear_location(self) -> None:
        self.location = None
        self.on_change()

    def start(self, *, announce: bool = True) -> str | None:
        """Start the inspection on this device (an outbox event) and return its id; else say what is missing.

        announce=False leaves ctx.saved_locally() to the caller (a dialog redraws the screens once it has gone)."""
        t = self.ctx.t
        self.errors = {}
        if self.template is None:
            self.errors["template"] = t("inspect.start.no_template")
        if not self.place_name.strip():
            self.errors["place_name"] = t("inspect.start.place_required")
        if self.errors:
            return None
        try:
            with self.ctx.session() as session:
                inspection = start_inspection(session, actor=self.ctx.actor(), template=self.template,
                                              place_name=self.place_name.strip(), place_type=self.place_type,
                                              location=self.location, participant_ids=self.participant_ids,
                                              group_id=self.group_id)
        except DomainError as refusal:
            self.errors[refusal.field or "form"] = _refusal(self.ctx, refusal)
            return None
        except LookupError:
            self.errors["form"] = t("capture.no_user")
            return None
        self.inspection_id = inspection.id
        if announce:
            self.ctx.saved_locally()
        return inspection.id


# -- one inspection -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """One answer of a pass/fail, yes/no or choice item, as a large button or chip."""

    value: str
    label: str
    tone: Tone  # DANGER for an answer that raises a concern, GOOD for the others, QUIET for 不适用
    selected: bool


@dataclass(frozen=True)
class GivenAnswer:
    """One person's answer to an item in conflict: who, what, and the id the lead picks it by."""

    answer_id: str
    who: str
    what: str
    note: str
    when: str


@dataclass(frozen=True)
class RaisedIssue:
    issue_id: str
    title: str
    status: str
    status_label: str
    here: bool  # False until the issue itself has reached this device


@dataclass(frozen=True)
class ItemView:
    id: str
    number: str  # 3.
    text: str
    help: str
    kind: str  # segments · choice · multiple · number · text · photo
    segments: tuple[Segment, ...]
    unit: str
    range: str
    value_text: str  # the number or text as typed
    answered: bool
    answer: str  # the answer in words
    note: str
    photos: tuple[str, ...]
    flagged: bool
    needs: str  # what a flagged answer needs: 需要拍照或写明情况
    missing: bool  # flagged and without it: sign-off is refused until it is given
    evidence: str  # what a flagged answer has: 已写明情况 / 已拍照 / 已拍照并写明情况
    by: str  # 孙丽填写 when the answer shown is someone else's
    conflict: tuple[GivenAnswer, ...]
    can_choose: bool
    issue: RaisedIssue | None
    can_raise: bool
    extras_open: bool  # note and photos shown (always once there are some, or the answer is flagged)
    error: str


@dataclass(frozen=True)
class SectionTab:
    id: str
    label: str  # 消防安全 2/8
    selected: bool
    attention: bool  # a flagged item or a conflict inside: the tab says so in words too


@dataclass(frozen=True)
class Outcome:
    saved: bool
    confirm: str = ""  # a question to ask first (a number outside its range)


class InspectionModel:
    """An inspection's checklist as this user sees it; each answer is recorded at once."""

    def __init__(self, ctx: AppContext, inspection_id: str, on_change: Callable[[], None] | None = None):
        self.ctx = ctx
        self.inspection_id = inspection_id
        self.on_change = on_change or (lambda: None)
        self.section = ""
        self.errors: dict[str, str] = {}  # item id (or "sign_off") → the refusal to show there
        self.notes: dict[str, str] = {}  # notes typed and not yet saved (an item with no answer yet)
        self.typed: dict[str, str] = {}  # numbers and texts typed and not yet saved
        self.opened: set[str] = set()  # items whose note and photos the user opened
        self.busy: str | None = None  # the item whose photos are being processed
        self.progress: tuple[int, int] | None = None
        self.notices: list[str] = []
        self.reload()

    # -- reading ----------------------------------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, t = self.ctx, self.ctx.t
        user = ctx.current_user()
        self.me = user.id if user else None
        with ctx.session() as session:
            inspection = session.get(Inspection, self.inspection_id)
            self.found = inspection is not None and inspection_state(session, inspection).template is not None
            if not self.found:
                return
            state = inspection_state(session, inspection)
            ids = [inspection.author_id, *state.participant_ids, *(a.by for given in state.answers.values()
                                                                   for a in given)]
            people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_([i for i in ids if i])))}
            issues = {i.id: i for i in session.exec(select(Issue).where(col(Issue.id).in_(list(state.issues.values()))))}
            self.waiting = bool(waiting_changes(session, [inspection.id]))
        self.inspection, self.state, self.template = inspection, state, state.template
        self._people, self._issues = people, issues
        self.is_lead = self.me is not None and self.me == state.lead_id
        in_progress = state.status == InspectionStatus.IN_PROGRESS.value
        self.editable = in_progress and (self.is_lead or self.me in state.participant_ids)
        self.title = inspection.title
        self.place = " · ".join(p for p in (inspection.place_name, t(f"place.{inspection.place_type}")) if p)
        self.day = t.date(inspection.created_at)
        self.status = inspection_chip(ctx, state.status)
        names = [self._name(state.lead_id) + t("inspect.lead_mark")] + [self._name(p) for p in state.participant_ids]
        self.people_text = t("inspect.people", names="、".join(names))
        self.answered, self.total = inspection.answered, inspection.total
        self.fraction = inspection.answered / inspection.total if inspection.total else 0.0
        self.progress_text = t("inspect.progress", answered=inspection.answered, total=inspection.total)
        self.score_text = t("inspect.score", score=number_text(inspection.score),
                            max=number_text(inspection.max_score))
        self.score_value = f"{number_text(inspection.score)}/{number_text(inspection.max_score)}"
        self.flagged_count = inspection.flagged
        self.flagged_text = t("inspect.flagged", n=inspection.flagged)
        self.conflicts = inspection.conflicts
        self.conflicts_text = t("inspect.conflicts", n=inspection.conflicts) if inspection.conflicts else ""
        self.signed_text = (t("inspect.signed_off", name=self._name(state.lead_id),
                              when=t.datetime(state.signed_off_at)) if state.signed_off_at else "")
        self.can_sign_off = self.is_lead and in_progress
        self.location_text = (location_text(t, inspection.latitude, inspection.longitude, inspection.accuracy_m,
                                            inspection.location_source) if inspection.latitude is not None else "")
        self._shown = {item.id for item in state.shown_items()}
        self._held = {p.sha256: p for p in self._photo_rows()}
        section_ids = [s.id for s in self.template.sections] + [RESULTS]
        if self.section not in section_ids:
            self.section = next((s.id for s in self.template.sections
                                 if any(i.id in self._shown and state.answer(i.id) is None for i in s.items)),
                                self.template.sections[0].id)

    def _photo_rows(self) -> list:
        with self.ctx.session() as session:
            return photos_of(session, self.inspection_id)

    def _name(self, person_id: str | None) -> str:
        person = self._people.get(person_id or "")
        return person.name if person else self.ctx.t("inspect.someone")

    @property
    def tabs(self) -> list[SectionTab]:
        t, state = self.ctx.t, self.state
        tabs = []
        for section in self.template.sections:
            shown = [i for i in section.items if i.id in self._shown]
            done = sum(1 for i in shown if state.answer(i.id) is not None)
            flagged = sum(1 for i in shown if (a := state.answer(i.id)) is not None and i.is_flagged(a.value))
            conflicts = sum(1 for i in shown if state.in_conflict(i.id))
            label = t("inspect.tab", title=_text(self.ctx, section.title, section.title_en), done=done,
                      total=len(shown))
            if flagged:
                label += t("inspect.tab_flagged", n=flagged)
            if conflicts:
                label += t("inspect.tab_conflicts", n=conflicts)
            tabs.append(SectionTab(section.id, label, section.id == self.section, bool(flagged or conflicts)))
        tabs.append(SectionTab(RESULTS, t("inspect.tab_results"), self.section == RESULTS, False))
        return tabs

    @property
    def section_title(self) -> str:
        if self.section == RESULTS:
            return self.ctx.t("inspect.tab_results")
        section = next(s for s in self.template.sections if s.id == self.section)
        return _text(self.ctx, section.title, section.title_en)

    @property
    def items(self) -> list[ItemView]:
        """The items of the chosen section that are asked now, in the template's order."""
        section = next((s for s in self.template.sections if s.id == self.section), None)
        if section is None:
            return []
        shown = [item for item in section.items if item.id in self._shown]
        return [self._item_view(item, n) for n, item in enumerate(shown, start=1)]

    @property
    def next_section(self) -> tuple[str, str] | None:
        """The section after this one (or 检查结果 after the last), to go on with."""
        ids = [s.id for s in self.template.sections] + [RESULTS]
        if self.section == RESULTS:
            return None
        following = ids[ids.index(self.section) + 1]
        tab = next(tab for tab in self.tabs if tab.id == following)
        return following, self.ctx.t("inspect.next", title=tab.label)

    def _item_view(self, item: Item, number: int) -> ItemView:
        ctx, t, state = self.ctx, self.ctx.t, self.state
        counted = state.answer(item.id)
        given = state.answers.get(item.id, ())
        mine = next((a for a in given if a.by == self.me), None)
        shown = mine or counted
        value = shown.value if shown else None
        flagged = counted is not None and item.is_flagged(counted.value)
        missing = flagged and item in state.missing_evidence()
        conflict = state.in_conflict(item.id)
        issue_id = state.issues.get(item.id)
        issue = None
        if issue_id:
            row = self._issues.get(issue_id)
            issue = RaisedIssue(issue_id, row.title if row else "", row.status if row else "",
                                t(f"status.{row.status}") if row else t("inspect.issue.not_here"), row is not None)
        note = self.notes.get(item.id, shown.note if shown else "")
        return ItemView(
            id=item.id, number=t("inspect.number", n=number), text=_text(ctx, item.text, item.text_en),
            help=item.help, kind=_kind(item), segments=self._segments(item, value), unit=item.unit,
            range=range_text(ctx, item) if item.type is ResponseType.NUMBER else "",
            value_text=self.typed.get(item.id, number_text(value) if item.type is ResponseType.NUMBER else
                                      value if item.type is ResponseType.TEXT and isinstance(value, str) else ""),
            answered=shown is not None, answer=answer_words(ctx, item, value) if shown else t("inspect.answer.none"),
            note=note, photos=tuple(shown.photos) if shown else (),
            flagged=flagged, needs=t(NEEDS[item.requires]) if flagged and item.requires else "", missing=missing,
            evidence=_evidence(t, counted) if flagged and not missing else "",
            by=t("inspect.by", name=self._name(shown.by)) if shown and shown.by != self.me else "",
            conflict=tuple(GivenAnswer(a.event_id, self._name(a.by), answer_words(ctx, item, a.value), a.note,
                                       t.datetime(a.at)) for a in given) if conflict else (),
            can_choose=conflict and self.is_lead and self.editable,
            issue=issue, can_raise=flagged and issue is None and self.editable_issue,
            extras_open=(item.type is ResponseType.PHOTO or item.id in self.opened or flagged or bool(note)
                         or bool(shown and shown.photos)),
            error=self.errors.get(item.id, ""))

    @property
    def editable_issue(self) -> bool:
        """Raising an issue from a flagged item is allowed after sign-off too, by anyone who took part."""
        return self.me is not None and (self.is_lead or self.me in self.state.participant_ids)

    def _segments(self, item: Item, value: Any) -> tuple[Segment, ...]:
        if item.type in (ResponseType.PASS_FAIL, ResponseType.YES_NO):
            answers = item.answers()
            words = {a: self.ctx.t(FIXED_WORDS[a]) for a in answers}
        elif item.type in (ResponseType.SINGLE, ResponseType.MULTIPLE):
            answers = item.answers()
            words = {o.id: _text(self.ctx, o.text, o.text_en) for o in item.options}
        else:
            return ()
        chosen = set(value) if isinstance(value, list) else {value}
        return tuple(Segment(a, words[a], Tone.QUIET if a == NOT_APPLICABLE else
                             Tone.DANGER if item.is_flagged([a] if item.type is ResponseType.MULTIPLE else a)
                             else Tone.GOOD, a in chosen) for a in answers)

    # -- the results tab ---------------------------------------------------------------------------------------------
    @property
    def flagged_items(self) -> list[ItemView]:
        """Every flagged item, with its answer, its evidence and the issue it became."""
        views = []
        for section in self.template.sections:
            shown = [i for i in section.items if i.id in self._shown]
            views += [self._item_view(item, n) for n, item in enumerate(shown, start=1)
                      if (a := self.state.answer(item.id)) is not None and item.is_flagged(a.value)]
        return views

    @property
    def open_conflicts(self) -> list[str]:
        return [_text(self.ctx, i.text, i.text_en) for i in self.state.shown_items() if self.state.in_conflict(i.id)]

    @property
    def blockers(self) -> list[str]:
        """What stops the sign-off now, in words (the rule says it again when 签字确认 is tapped)."""
        t = self.ctx.t
        lines = [t("inspect.blocker.conflict", item=text) for text in self.open_conflicts]
        lines += [t("inspect.blocker.evidence", item=_text(self.ctx, i.text, i.text_en),
                    needs=t(NEEDS.get(i.requires, "inspect.needs.photo_or_note")))
                  for i in self.state.missing_evidence()]
        return lines

    @property
    def unanswered_text(self) -> str:
        left = self.total - self.answered
        return self.ctx.t("inspect.unanswered", n=left) if left > 0 else ""

    # -- acting -----------------------------------------------------------------------------------------------------
    def select(self, section_id: str) -> None:
        self.section = section_id

    def open_extras(self, item_id: str) -> None:
        self.opened.add(item_id)

    def answer(self, item_id: str, value: Any, *, confirmed: bool = False) -> Outcome:
        """Record an answer; a number outside its range asks first."""
        item = self.template.items[item_id]
        current = self._mine_or_counted(item_id)
        if current is not None and current.value == value:
            return Outcome(True)  # tapped again, or the field lost focus: nothing new to record
        if item.out_of_range(value) and not confirmed:
            return Outcome(False, self.ctx.t("inspect.number.confirm", item=_text(self.ctx, item.text, item.text_en),
                                             value=f"{number_text(value)} {item.unit}".strip(),
                                             range=range_text(self.ctx, item)))
        return Outcome(self._save(item_id, value=value))

    def answer_number(self, item_id: str, text: str, *, confirmed: bool = False) -> Outcome:
        value = parse_number(text)
        if value is None:
            self.errors[item_id] = self.ctx.t("inspect.number.invalid")
            return Outcome(False)
        return self.answer(item_id, value, confirmed=confirmed)

    def leave_text(self, item_id: str) -> Outcome:
        """The text field lost focus: save what was typed, if anything was."""
        typed = self.typed.get(item_id, "")
        return self.answer_text(item_id, typed) if typed.strip() else Outcome(True)

    def answer_text(self, item_id: str, text: str) -> Outcome:
        if not text.strip():
            self.errors[item_id] = self.ctx.t("inspect.text.required")
            return Outcome(False)
        current = self._mine_or_counted(item_id)
        if current is not None and current.value == text.strip():
            return Outcome(True)
        return Outcome(self._save(item_id, value=text.strip()))

    def toggle_option(self, item_id: str, option: str, on: bool) -> Outcome:
        """Tick or untick one option of a multiple-choice item; the whole list is the answer."""
        current = self._mine_or_counted(item_id)
        chosen = list(current.value) if current is not None and isinstance(current.value, list) else []
        if on and option not in chosen:
            chosen.append(option)
        elif not on and option in chosen:
            chosen.remove(option)
        order = self.template.items[item_id].answers()
        return Outcome(self._save(item_id, value=[o for o in order if o in chosen]))

    def set_typed(self, item_id: str, text: str) -> None:
        """Keep a number or text as it is typed, so a redraw before it is saved keeps it."""
        self.typed[item_id] = text

    def set_note(self, item_id: str, text: str) -> None:
        """Keep what is typed, so a redraw never loses it; saved with save_note (or with the answer)."""
        self.notes[item_id] = text

    def save_note(self, item_id: str, text: str | None = None) -> bool:
        """Record the note with the item's answer; before there is an answer, it waits for one.

        Without text, the note typed so far (set_note) is saved; nothing typed, nothing is recorded."""
        if text is not None:
            self.notes[item_id] = text
        if item_id not in self.notes:
            return True
        note = self.notes[item_id]
        current = self._mine_or_counted(item_id)
        if current is None:
            if self.template.items[item_id].type is ResponseType.PHOTO:
                self.errors[item_id] = self.ctx.t("inspect.photo.first")
            return False  # kept in self.notes, saved with the answer
        if current.note == note.strip():
            self.notes.pop(item_id, None)
            return True
        return self._save(item_id, value=current.value)

    async def add_photos(self, item_id: str, files: Sequence[tuple[str, bytes]]) -> bool:
        """Process photos as capture does (off the UI loop, into the photo store) and record them with the answer."""
        if not files:
            return False
        self.busy = item_id
        self._processed(0, len(files))
        results = await process_photos([data for _name, data in files], on_progress=self._processed,
                                       watermark=self._watermark())
        bodies, held = [], set(self._held)
        for (name, _data), result in zip(files, results):
            if isinstance(result, PhotoError):
                self.notices.append(self.ctx.t("capture.photo_refused", name=name,
                                               reason=self.ctx.t(result.message_key, **result.params)))
            elif result.sha256 in held:
                self.notices.append(self.ctx.t("capture.photo_refused", name=name,
                                               reason=self.ctx.t(Problem.PHOTO_TWICE.message_key)))
            else:
                held.add(result.sha256)
                self.ctx.photos.put(result)
                # Without taken_at, as the issue steps send it: the record engine's photo rows cannot take it as text.
                bodies.append({"sha256": result.sha256, "width": result.width, "height": result.height,
                               "byte_size": len(result.data), "latitude": result.latitude,
                               "longitude": result.longitude})
        self.busy, self.progress = None, None
        saved = False
        if bodies:
            item = self.template.items[item_id]
            current = self._mine_or_counted(item_id)
            if current is None and item.type is not ResponseType.PHOTO:
                self.errors[item_id] = self.ctx.t("inspect.photo.answer_first")
            else:
                saved = self._save(item_id, value=current.value if current else None, photos=bodies)
        self.on_change()
        return saved

    def _processed(self, done: int, total: int) -> None:
        self.progress = (done, total)
        self.on_change()

    def dismiss_notices(self) -> None:
        self.notices = []

    def choose(self, item_id: str, answer_id: str) -> bool:
        """The lead settles two different answers: the one chosen counts."""
        return self._record(item_id, "choose", {"item_id": item_id, "answer_id": answer_id})

    def raise_issue(self, item_id: str) -> str | None:
        """转为问题: the flagged item becomes an issue in the supervision loop (category, place, photos, note)."""
        self.errors.pop(item_id, None)
        try:
            with self.ctx.session() as session:
                issue = raise_issue_from_item(session, actor=self.ctx.actor(), inspection_id=self.inspection_id,
                                              item_id=item_id)
        except DomainError as refusal:
            self.errors[item_id] = _refusal(self.ctx, refusal, self.template)
            return None
        self._recorded()
        return issue.id

    def sign_off(self) -> bool:
        """签字确认 by the lead; refused with the rule's words while a conflict or missing evidence remains."""
        return self._record("sign_off", "sign_off", {})

    def report_file(self) -> tuple[str, bytes]:
        """The Word report and a file name to save it under."""
        ctx = self.ctx
        with ctx.session() as session:
            inspection = session.get(Inspection, self.inspection_id)
            data = inspection_document(session, inspection, inspection_state(session, inspection), ctx.photos,
                                       ctx.settings)
        return report_file_name(ctx, inspection.place_name, self.template.title), data

    # -- recording --------------------------------------------------------------------------------------------------
    def _mine_or_counted(self, item_id: str):
        given = self.state.answers.get(item_id, ())
        return next((a for a in given if a.by == self.me), None) or self.state.answer(item_id)

    def _save(self, item_id: str, *, value: Any, photos: Iterable[dict] = ()) -> bool:
        # An answer carries the note typed so far; the rules keep one answer per person and item.
        note = self.notes.get(item_id)
        if note is None:
            current = self._mine_or_counted(item_id)
            note = current.note if current is not None else ""
        self.errors.pop(item_id, None)
        try:
            with self.ctx.session() as session:
                answer_item(session, actor=self.ctx.actor(), inspection_id=self.inspection_id, item_id=item_id,
                            value=value, note=note.strip(), photos=list(photos))
        except DomainError as refusal:
            self.errors[item_id] = _refusal(self.ctx, refusal, self.template)
            return False
        self.notes.pop(item_id, None)
        self.typed.pop(item_id, None)
        self._recorded()
        return True

    def _record(self, where: str, type_: str, payload: dict) -> bool:
        self.errors.pop(where, None)
        try:
            with self.ctx.session() as session:
                record_event(session, INSPECTION, actor=self.ctx.actor(), record_id=self.inspection_id, type_=type_,
                             payload=payload)
        except DomainError as refusal:
            self.errors[where] = _refusal(self.ctx, refusal, self.template)
            return False
        self._recorded()
        return True

    def _recorded(self) -> None:
        self.reload()
        self.ctx.saved_locally()  # sent now if the network allows; every screen redraws

    def _watermark(self) -> Watermark | None:
        if not self.ctx.watermark_photos:
            return None
        user = self.ctx.current_user()
        lines = (self.ctx.t.datetime(utcnow()), self.inspection.place_name,
                 self.ctx.t("watermark.signature", township=self.ctx.settings.township, name=user.name if user else ""))
        return Watermark(tuple(line for line in lines if line))


def _evidence(t, answer) -> str:
    """What a flagged answer carries, in words (the colour of the line only adds to them)."""
    words = {(True, True): "inspect.evidence.both", (True, False): "inspect.evidence.photo",
             (False, True): "inspect.evidence.note"}
    key = words.get((bool(answer.photos), bool(answer.note.strip())))
    return t(key) if key else ""


def _kind(item: Item) -> str:
    return {ResponseType.PASS_FAIL: "segments", ResponseType.YES_NO: "segments", ResponseType.SINGLE: "choice",
            ResponseType.MULTIPLE: "multiple", ResponseType.NUMBER: "number", ResponseType.TEXT: "text",
            ResponseType.PHOTO: "photo"}[item.type]
