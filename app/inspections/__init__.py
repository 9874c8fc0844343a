"""Inspections, a kind of record: school-safety and citrus-orchard checklists run offline, alone or as a group.

    _template.py  templates as data: sections, items, response types, scores, flags, follow-ups; validation
    _model.py     the published template versions (reference data) and the inspection's table and body
    _rules.py     answers merging from several phones, the lead's choices, flagged items, sign-off
    _report.py    the Word report: answers, photos, score, the issues raised

    template = latest_template(session, "school-safety")
    inspection = start_inspection(session, actor=me, template=template, place_name="镇中心小学", ...)
    answer_item(session, actor=me, inspection_id=inspection.id, item_id="fire.escape_routes", value="fail",
                note="二楼安全出口被桌椅堵塞", photos=[...])
    issue = raise_issue_from_item(session, actor=me, inspection_id=inspection.id, item_id="fire.escape_routes")
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from sqlmodel import Session, col, select

from app.actors import Actor, Role
from app.assets import asset
from app.clock import utcnow
from app.errors import DomainError
from app.ids import new_id
from app.inspections._model import (Inspection, InspectionCreate, InspectionPublic, InspectionTemplate,
                                    InspectionTemplatePublic, template_row_id)
from app.inspections._report import inspection_document
from app.inspections._rules import (EVENTS, Answer, InspectionState, InspectionStatus, derived, start, valid_value)
from app.inspections._template import (NOT_APPLICABLE, Item, ResponseType, Section, Template, TemplateError,
                                       parse_template)
from app.issues import ISSUE, Issue, IssueDraft, IssueSource, LocationSource, capture_issue
from app.problems import Problem
from app.records import (Grant, PhotoBody, RecordKind, Scope, StoreContext, Visibility, create_record,
                         photos_of, record_event, register, state_of)
from app.reference import stable_id


def _row(body: InspectionCreate, actor: Actor) -> dict[str, Any]:
    loc = body.location
    return dict(template_id=body.template.id, template_version=body.template.version,
                title=body.title.strip() or body.template.title, place_type=body.place_type,
                place_name=body.place_name.strip(), latitude=float(loc.latitude) if loc else None,
                longitude=float(loc.longitude) if loc else None,
                accuracy_m=float(loc.accuracy_m) if loc and loc.accuracy_m is not None else None,
                location_source=loc.source if loc else LocationSource.NONE.value,
                station_id=body.station_id or actor.station_id, author_id=actor.id,
                participant_ids=[p for p in dict.fromkeys(body.participant_ids) if p != actor.id],
                group_id=body.group_id)


def _payload(body: InspectionCreate) -> dict[str, Any]:
    # The template version the inspection keeps, whole: its scores and flags never change under it.
    return {"photos": [p.sha256 for p in body.photos], "template": body.template.model_dump(mode="json")}


def _check_create(body: InspectionCreate, ctx: Any, _actor: Actor) -> None:
    published = ctx.row("inspection_template", template_row_id(body.template.key))
    if published is None or published["fingerprint"] != body.template.fingerprint():
        raise DomainError(Problem.UNKNOWN_TEMPLATE, field="template", template=body.template.key)
    if body.station_id is not None and not ctx.has("station", body.station_id):
        raise DomainError(Problem.UNKNOWN_STATION, field="station_id")
    for person in body.participant_ids:
        if not ctx.has("person", person):
            raise DomainError(Problem.UNKNOWN_PERSON, field="participant_ids")
    if body.group_id is not None and not ctx.has("special_group", body.group_id):
        raise DomainError(Problem.UNKNOWN_GROUP, field="group_id")


def _search(row: Mapping[str, Any]) -> str:
    return f"{row.get('title') or ''} {row.get('place_name') or ''}".lower()


INSPECTION = register(RecordKind(
    name="inspection", table=Inspection, public=InspectionPublic, create=InspectionCreate, events=EVENTS,
    initial_status=InspectionStatus.IN_PROGRESS.value, start=start, row=_row, derived=derived,
    visibility=Visibility({Role.OFFICE: frozenset({Grant.ALL}), Role.ADMIN: frozenset({Grant.ALL}),
                           Role.DEPUTY: frozenset({Grant.STATION, Grant.AUTHOR, Grant.FOLLOWER}),
                           Role.STATION_STAFF: frozenset({Grant.STATION, Grant.AUTHOR, Grant.FOLLOWER})}),
    scope=Scope(station="station_id", department=None, author="author_id", followers="participant_ids"),
    check_create=_check_create, create_payload=_payload,
    reference=(("template", InspectionTemplate, InspectionTemplatePublic),),
    seed=lambda session: seed_templates(session),
))


# ---------------------------------------------------------------- templates

BUILTIN_TEMPLATES = ("school-safety", "citrus-orchard")


def builtin_templates() -> list[Template]:
    """The templates the app ships (assets/templates), validated."""
    return [parse_template(asset(f"templates/{name}.json").read_text(encoding="utf-8")) for name in BUILTIN_TEMPLATES]


def publish_template(session: Session, template: Template, *, at: datetime | None = None) -> InspectionTemplate:
    """Add a template version; a version not newer than the last published one is refused; no commit."""
    latest = latest_template_row(session, template.id)
    if latest is not None and latest.version >= template.version:
        if latest.version == template.version and latest.fingerprint == template.fingerprint():
            return latest  # published already: harmless
        raise DomainError(Problem.TEMPLATE_VERSION_OLD, field="version", version=template.version,
                          latest=latest.version)
    row = InspectionTemplate(id=template_row_id(template.key), template_id=template.id, version=template.version,
                             title=template.title, title_en=template.title_en, place_type=template.place_type,
                             fingerprint=template.fingerprint(), published_at=at or utcnow(),
                             definition=template.model_dump(mode="json"))
    session.add(row)
    session.flush()
    return row


def seed_templates(session: Session) -> int:
    """Publish the shipped templates where missing; return how many were added; commits."""
    added = 0
    for template in builtin_templates():
        if session.get(InspectionTemplate, template_row_id(template.key)) is None:
            publish_template(session, template)
            added += 1
    session.commit()
    return added


def latest_template_row(session: Session, template_id: str) -> InspectionTemplate | None:
    return session.exec(select(InspectionTemplate).where(InspectionTemplate.template_id == template_id)
                        .order_by(col(InspectionTemplate.version).desc()).limit(1)).first()


def latest_template(session: Session, template_id: str) -> Template | None:
    row = latest_template_row(session, template_id)
    return Template.model_validate(row.definition) if row is not None else None


def published_templates(session: Session) -> list[Template]:
    """The latest version of every published template, in the order they were first published."""
    latest: dict[str, InspectionTemplate] = {}
    for row in session.exec(select(InspectionTemplate).order_by(col(InspectionTemplate.published_at))):
        if row.template_id not in latest or row.version > latest[row.template_id].version:
            latest[row.template_id] = row
    return [Template.model_validate(row.definition) for row in latest.values()]


# ---------------------------------------------------------------- running an inspection

def start_inspection(session: Session, *, actor: Actor, template: Template, place_name: str = "",
                     place_type: str | None = None, location: Any = None, station_id: str | None = None,
                     participant_ids: Iterable[str] = (), title: str = "", group_id: str | None = None) -> Inspection:
    """Start an inspection on this device with the given template version; commits."""
    body = InspectionCreate(id=new_id(), event_id=new_id(), created_at=utcnow(), template=template, title=title,
                            place_type=place_type or template.place_type, place_name=place_name, location=location,
                            station_id=station_id, participant_ids=list(participant_ids), group_id=group_id)
    return create_record(session, INSPECTION, body, actor=actor)


def answer_item(session: Session, *, actor: Actor, inspection_id: str, item_id: str, value: Any, note: str = "",
                photos: Sequence[PhotoBody | Mapping[str, Any]] = ()) -> Any:
    """Record one answer (autosaved: it is an event in the outbox at once); commits."""
    payload = {"item_id": item_id, "value": value, "note": note,
               "photos": [p.model_dump(mode="json") if isinstance(p, PhotoBody) else dict(p) for p in photos]}
    return record_event(session, INSPECTION, actor=actor, record_id=inspection_id, type_="answer", payload=payload)


def inspection_state(session: Session, inspection: Inspection) -> InspectionState:
    return state_of(session, INSPECTION, inspection)


def raise_issue_from_item(session: Session, *, actor: Actor, inspection_id: str, item_id: str,
                          title: str = "") -> Issue:
    """Turn a flagged item into an issue in one tap: category, place, location, photos and note carried over."""
    inspection = session.get(Inspection, inspection_id)
    if inspection is None:
        raise DomainError(Problem.RECORD_NOT_FOUND, field="record_id")
    state = inspection_state(session, inspection)
    item = state.template.items.get(item_id) if state.template else None
    if item is None:
        raise DomainError(Problem.UNKNOWN_ITEM, field="item_id", item=item_id)
    if item not in state.flagged_items():
        raise DomainError(Problem.NOT_FLAGGED, field="item_id", item=item_id)
    if item_id in state.issues:
        raise DomainError(Problem.ISSUE_RAISED, field="item_id", item=item_id)
    answer = state.answer(item_id)
    category = item.category or state.template.category or "other"
    held = {p.sha256: p for p in photos_of(session, inspection_id)}
    photos = tuple(PhotoBody(sha256=sha, width=held[sha].width, height=held[sha].height,
                             byte_size=held[sha].byte_size) for sha in answer.photos if sha in held)
    section = state.template.section_of(item_id)
    location = None
    if inspection.latitude is not None and inspection.longitude is not None:
        from app.issues import Location

        location = Location(latitude=inspection.latitude, longitude=inspection.longitude,
                            accuracy_m=inspection.accuracy_m, source=inspection.location_source)
    shown = answer.value if not isinstance(answer.value, list) else "、".join(answer.value)
    description = "\n".join(part for part in (
        f"{state.template.title}·{section.title if section else ''}：{item.text}（检查结果：{_said(item, shown)}）",
        answer.note.strip()) if part)
    draft = IssueDraft(title=(title or item.text)[:120], category_id=stable_id("category", category),
                       description=description, place_type=inspection.place_type, place_name=inspection.place_name,
                       location=location, photos=photos, source=IssueSource.CHECKLIST.value,
                       station_id=inspection.station_id)
    issue = capture_issue(session, actor=actor, draft=draft)
    record_event(session, INSPECTION, actor=actor, record_id=inspection_id, type_="raise_issue",
                 payload={"item_id": item_id, "issue_id": issue.id})
    return issue


def _said(item: Item, value: Any) -> str:
    by_id = {o.id: o.text for o in item.options}
    words = {"pass": "合格", "fail": "不合格", NOT_APPLICABLE: "不适用", "yes": "是", "no": "否"}
    if isinstance(value, str):
        return by_id.get(value) or words.get(value, value)
    return f"{value}{item.unit}"


def list_inspections(session: Session) -> list[Inspection]:
    return list(session.exec(select(Inspection).order_by(col(Inspection.created_at).desc(), col(Inspection.id).desc())))


__all__ = [
    "INSPECTION", "Inspection", "InspectionCreate", "InspectionPublic", "InspectionTemplate",
    "InspectionTemplatePublic", "InspectionState", "InspectionStatus", "Answer", "Template", "TemplateError",
    "Section", "Item", "ResponseType", "NOT_APPLICABLE", "parse_template", "builtin_templates", "publish_template",
    "seed_templates", "latest_template", "latest_template_row", "published_templates", "template_row_id",
    "start_inspection", "answer_item", "inspection_state", "raise_issue_from_item", "list_inspections",
    "inspection_document", "valid_value", "StoreContext",
]
