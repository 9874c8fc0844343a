"""Issues: capture, timeline events, derived status and the paged list.

The same functions apply a change made on this phone and a change pushed to the
server, so both judge it by one set of rules. Each local change also goes into
the outbox in the same transaction, so nothing captured waits for the network.

    issue = capture_issue(session, actor=me, draft=IssueDraft(title="机耕道塌方", category_id=cat))
    record_event(session, actor=office, issue_id=issue.id, kind="assign", payload={"department_id": d})
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.clock import as_utc, utcnow
from app.errors import DomainError
from app.ids import is_uuid, new_id
from app.models import (Category, Department, Issue, IssueEvent, IssuePhoto, IssueSource, LocationSource,
                        OutboxMutation, Person, PlaceType, Station)
from app.workflow import Actor, EventKind, IssueState, Role, Status, check_event, initial_state, replay

TITLE_MAX = 120
DESCRIPTION_MAX = 20_000
PLACE_NAME_MAX = 100
TEXT_MAX = 10_000
PAGE_SIZE = 30


@dataclass(frozen=True)
class Location:
    """A WGS-84 position with its accuracy in metres and where it came from."""

    latitude: float
    longitude: float
    accuracy_m: float | None = None
    source: str = LocationSource.MANUAL.value

    def as_dict(self) -> dict[str, Any]:
        return {"latitude": self.latitude, "longitude": self.longitude, "accuracy_m": self.accuracy_m,
                "source": self.source}


def make_location(latitude: object, longitude: object, accuracy_m: object = None,
                  source: str = LocationSource.MANUAL.value) -> Location:
    """Check coordinates (typed, from the device or from EXIF) and return a Location."""
    lat = _to_float(latitude, "latitude")
    lon = _to_float(longitude, "longitude")
    if not -90.0 <= lat <= 90.0:
        raise DomainError("location.latitude_range", field="latitude", value=latitude)
    if not -180.0 <= lon <= 180.0:
        raise DomainError("location.longitude_range", field="longitude", value=longitude)
    acc = None if accuracy_m in (None, "") else _to_float(accuracy_m, "accuracy_m")
    if acc is not None and acc < 0:
        raise DomainError("location.accuracy_negative", field="accuracy_m")
    if source not in LocationSource.__members__.values() or source == LocationSource.NONE.value:
        raise DomainError("location.unknown_source", field="location", source=source)
    return Location(lat, lon, acc, source)


def _to_float(value: object, name: str) -> float:
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(f"location.{name}_not_number", field=name, value=value) from None
    if not math.isfinite(number):
        raise DomainError(f"location.{name}_not_number", field=name, value=value)
    return number


@dataclass(frozen=True)
class PhotoRef:
    """A processed photo already in the photo store, ready to attach."""

    sha256: str
    width: int = 0
    height: int = 0
    byte_size: int = 0
    taken_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "width": self.width, "height": self.height, "byte_size": self.byte_size,
                "taken_at": self.taken_at.isoformat() if self.taken_at else None,
                "latitude": self.latitude, "longitude": self.longitude}


@dataclass(frozen=True)
class IssueDraft:
    """What a user enters to record an issue."""

    title: str
    category_id: str | None = None
    description: str = ""
    place_type: str = PlaceType.OTHER.value
    place_name: str = ""
    location: Location | None = None
    photos: Sequence[PhotoRef] = ()
    source: str = IssueSource.VISIT.value
    station_id: str | None = None


def check_draft(session: Session, draft: IssueDraft) -> None:
    """Raise DomainError naming the first field that cannot be saved."""
    check_draft_against(draft, has_category=lambda cid: session.get(Category, cid) is not None,
                        has_station=lambda sid: session.get(Station, sid) is not None)


def check_draft_against(draft: IssueDraft, *, has_category: Callable[[str], bool],
                        has_station: Callable[[str], bool]) -> None:
    """`check_draft` with the reference data looked up by the caller (the server: once per batch)."""
    if not draft.title.strip():
        raise DomainError("issue.title_required", field="title")
    if len(draft.title) > TITLE_MAX:
        raise DomainError("issue.title_too_long", field="title", max=TITLE_MAX)
    if len(draft.description) > DESCRIPTION_MAX:
        raise DomainError("issue.description_too_long", field="description", max=DESCRIPTION_MAX)
    if len(draft.place_name) > PLACE_NAME_MAX:
        raise DomainError("issue.place_name_too_long", field="place_name", max=PLACE_NAME_MAX)
    if not draft.category_id:
        raise DomainError("issue.category_required", field="category_id")
    if not has_category(draft.category_id):
        raise DomainError("issue.unknown_category", field="category_id")
    if draft.place_type not in PlaceType.__members__.values():
        raise DomainError("issue.unknown_place_type", field="place_type")
    if draft.source not in IssueSource.__members__.values():
        raise DomainError("issue.unknown_source", field="source")
    if draft.station_id is not None and not has_station(draft.station_id):
        raise DomainError("issue.unknown_station", field="station_id")
    if draft.location is not None:
        loc = draft.location
        make_location(loc.latitude, loc.longitude, loc.accuracy_m, loc.source)
    hashes = [p.sha256 for p in draft.photos]
    if len(set(hashes)) != len(hashes):
        raise DomainError("issue.photo_twice", field="photos")


def create_body(draft: IssueDraft, *, issue_id: str, event_id: str, reporter_id: str, created_at: datetime) -> dict:
    """Return the mutation body that creates an issue; the wire format of `issue.create`."""
    return {
        "id": issue_id, "event_id": event_id, "title": draft.title, "description": draft.description,
        "category_id": draft.category_id, "place_type": draft.place_type, "place_name": draft.place_name,
        "location": draft.location.as_dict() if draft.location else None, "station_id": draft.station_id,
        "source": draft.source, "reporter_id": reporter_id, "created_at": as_utc(created_at).isoformat(),
        "photos": [p.as_dict() for p in draft.photos],
    }


def draft_from_body(body: Mapping[str, Any]) -> IssueDraft:
    """Read an `issue.create` body back into a draft (the server's side of the wire)."""
    loc = body.get("location")
    location = None
    if loc:
        location = make_location(loc.get("latitude"), loc.get("longitude"), loc.get("accuracy_m"),
                                 loc.get("source") or LocationSource.MANUAL.value)
    photos = tuple(PhotoRef(sha256=p["sha256"], width=int(p.get("width") or 0), height=int(p.get("height") or 0),
                            byte_size=int(p.get("byte_size") or 0),
                            taken_at=datetime.fromisoformat(p["taken_at"]) if p.get("taken_at") else None,
                            latitude=p.get("latitude"), longitude=p.get("longitude"))
                   for p in body.get("photos") or ())
    return IssueDraft(title=str(body.get("title") or ""), category_id=body.get("category_id"),
                      description=str(body.get("description") or ""),
                      place_type=str(body.get("place_type") or PlaceType.OTHER.value),
                      place_name=str(body.get("place_name") or ""), location=location, photos=photos,
                      source=str(body.get("source") or IssueSource.VISIT.value), station_id=body.get("station_id"))


def apply_create(session: Session, body: Mapping[str, Any], *, actor: Actor) -> Issue:
    """Insert an issue, its photos and its `create` event from a checked body; no commit."""
    draft = draft_from_body(body)
    check_draft(session, draft)
    issue_values, photo_values, event_values = create_records(body, draft, actor=actor)
    issue = Issue(**issue_values)
    session.add(issue)
    for values in photo_values:
        session.add(IssuePhoto(**values))
    session.add(IssueEvent(**event_values))
    return issue


def create_records(body: Mapping[str, Any], draft: IssueDraft, *,
                   actor: Actor) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """Return the column values of a checked draft's issue, its photos and its `create` event.

    The draft must have passed `check_draft`; this checks the ids. `apply_create` makes the
    records of them; the server writes them in bulk, a batch at a time.
    """
    if not is_uuid(str(body.get("id"))) or not is_uuid(str(body.get("event_id"))):
        raise DomainError("issue.bad_id", field="id")
    created_at = as_utc(datetime.fromisoformat(body["created_at"])) if body.get("created_at") else utcnow()
    loc = draft.location
    title, place_name = draft.title.strip(), draft.place_name.strip()
    issue = dict(
        id=body["id"], title=title, description=draft.description, category_id=draft.category_id,
        place_type=draft.place_type, place_name=place_name,
        latitude=loc.latitude if loc else None, longitude=loc.longitude if loc else None,
        accuracy_m=loc.accuracy_m if loc else None,
        location_source=loc.source if loc else LocationSource.NONE.value,
        reporter_id=actor.id, station_id=draft.station_id or actor.station_id, source=draft.source,
        created_at=created_at, updated_at=created_at, status=Status.NEW.value,
        search_text=f"{title} {place_name} {draft.description}".lower(),
    )
    photos = [dict(issue_id=body["id"], sha256=photo.sha256, position=position, width=photo.width,
                   height=photo.height, byte_size=photo.byte_size,
                   taken_at=as_utc(photo.taken_at) if photo.taken_at else None,
                   latitude=photo.latitude, longitude=photo.longitude)
              for position, photo in enumerate(draft.photos)]
    # The photos' hashes go into the timeline: a later change of a file is detectable.
    event = dict(id=body["event_id"], issue_id=body["id"], kind=EventKind.CREATE.value, actor_id=actor.id,
                 actor_role=actor.role.value, created_at=created_at,
                 payload={"photos": [p.sha256 for p in draft.photos]})
    return issue, photos, event


def capture_issue(session: Session, *, actor: Actor, draft: IssueDraft, created_at: datetime | None = None) -> Issue:
    """Record a new issue on this device and queue it for the server; commits."""
    body = create_body(draft, issue_id=new_id(), event_id=new_id(), reporter_id=actor.id,
                       created_at=created_at or utcnow())
    issue = apply_create(session, body, actor=actor)
    session.add(OutboxMutation(id=new_id(), kind="issue.create", body=body))
    session.commit()
    session.refresh(issue)
    return issue


def event_body(*, event_id: str, issue_id: str, kind: str, payload: Mapping[str, Any], created_at: datetime) -> dict:
    """Return the mutation body that appends one timeline event; the wire format of `issue.event`."""
    return {"id": event_id, "issue_id": issue_id, "kind": kind, "payload": dict(payload),
            "created_at": as_utc(created_at).isoformat()}


def apply_event(session: Session, body: Mapping[str, Any], *, actor: Actor) -> IssueEvent:
    """Check an event against the issue's current state and append it; no commit."""
    issue = session.get(Issue, body.get("issue_id"))
    if issue is None:
        raise DomainError("issue.not_found")
    kind, payload = check_event_body(
        body, actor=actor, state_of=lambda: issue_state(session, issue),
        has_department=lambda did: session.get(Department, did) is not None,
        has_category=lambda cid: session.get(Category, cid) is not None)
    event = IssueEvent(**event_record(body, issue_id=issue.id, kind=kind, payload=payload, actor=actor))
    session.add(event)
    if kind == EventKind.ATTACH_PHOTO:
        count = len(session.exec(select(IssuePhoto).where(IssuePhoto.issue_id == issue.id)).all())
        session.add(IssuePhoto(**attached_photo(issue.id, payload, position=count)))
    session.flush()
    refresh_state(session, issue)
    return event


def check_event_body(body: Mapping[str, Any], *, actor: Actor, state_of: Callable[[], IssueState],
                     has_department: Callable[[str], bool],
                     has_category: Callable[[str], bool]) -> tuple[str, dict[str, Any]]:
    """Judge an event on an issue that exists; return its kind and payload, or raise DomainError.

    `state_of` gives the issue's current state (asked once, after the cheap checks); the
    server passes the state it holds in memory and reference data it read once per batch.
    """
    if not is_uuid(str(body.get("id"))):
        raise DomainError("issue.bad_id", field="id")
    kind, payload = str(body.get("kind")), dict(body.get("payload") or {})
    _check_text(payload)
    state = state_of()
    # A department assignment or category must name a real one.
    if kind == EventKind.ASSIGN and payload.get("department_id"):
        if not has_department(payload["department_id"]):
            raise DomainError("event.unknown_department", field="department_id")
    if kind == EventKind.CLASSIFY and payload.get("category_id") and not has_category(payload["category_id"]):
        raise DomainError("issue.unknown_category", field="category_id")
    check_event(state, kind, actor, payload)
    return kind, payload


def event_record(body: Mapping[str, Any], *, issue_id: str, kind: str, payload: dict[str, Any],
                 actor: Actor) -> dict[str, Any]:
    """Return the column values of an accepted event."""
    created_at = as_utc(datetime.fromisoformat(body["created_at"])) if body.get("created_at") else utcnow()
    return dict(id=body["id"], issue_id=issue_id, kind=kind, actor_id=actor.id, actor_role=actor.role.value,
                created_at=created_at, payload=payload)


def attached_photo(issue_id: str, payload: Mapping[str, Any], *, position: int) -> dict[str, Any]:
    """Return the column values of the photo an accepted `attach_photo` event adds."""
    return dict(issue_id=issue_id, sha256=payload["sha256"], position=position,
                width=int(payload.get("width") or 0), height=int(payload.get("height") or 0),
                byte_size=int(payload.get("byte_size") or 0))


def record_event(session: Session, *, actor: Actor, issue_id: str, kind: str, payload: Mapping[str, Any]) -> IssueEvent:
    """Append an event to an issue's timeline on this device and queue it; commits."""
    body = event_body(event_id=new_id(), issue_id=issue_id, kind=kind, payload=payload, created_at=utcnow())
    event = apply_event(session, body, actor=actor)
    session.add(OutboxMutation(id=new_id(), kind="issue.event", body=body))
    session.commit()
    session.refresh(event)
    return event


def _check_text(payload: Mapping[str, Any]) -> None:
    if len(str(payload.get("text") or "")) > TEXT_MAX:
        raise DomainError("event.text_too_long", field="text", max=TEXT_MAX)


def timeline(session: Session, issue_id: str) -> list[IssueEvent]:
    """Return the issue's events in the order the rules judge them: server order, then local."""
    events = session.exec(select(IssueEvent).where(IssueEvent.issue_id == issue_id)).all()
    return sorted(events, key=timeline_key)


def timeline_key(event: Any) -> tuple:
    """The timeline's order: server order, then local events by time (an event, or a row with its columns)."""
    return (event.server_seq is None, event.server_seq or 0, event.created_at, event.id)


def issue_state(session: Session, issue: Issue) -> IssueState:
    """Replay the timeline into the issue's current state."""
    state, _ = _replay(session, issue)
    return state


def _replay(session: Session, issue: Issue):
    events = [e for e in timeline(session, issue.id) if e.rejected_code is None]
    actors = {e.actor_id: None for e in events}
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_([a for a in actors if a])))}
    return replay_timeline(issue, events, people)


def replay_timeline(issue: Any, events: Sequence[Any], people: Mapping[str, Any]):
    """Replay an issue's accepted events (timeline order) into its state; `people` by id, for the actors.

    The issue, events and people may be records or rows with the same columns.
    """
    create = next((e for e in events if e.kind == EventKind.CREATE), None)
    start = initial_state(category_id=issue.category_id, station_id=issue.station_id, reporter_id=issue.reporter_id,
                          photo_hashes=(create.payload.get("photos") or []) if create else ())
    rest = [(e.id, e.kind, _actor_of(e, people), e.payload) for e in events if e.kind != EventKind.CREATE]
    return replay(start, rest)


def _actor_of(event: IssueEvent, people: Mapping[str, Any]) -> Actor:
    person = people.get(event.actor_id)
    role = Role(event.actor_role) if event.actor_role else Role(person.role) if person else Role.DEPUTY
    return Actor(id=event.actor_id or "", role=role, station_id=person.station_id if person else None,
                 department_id=person.department_id if person else None)


def refresh_state(session: Session, issue: Issue) -> IssueState:
    """Recompute the issue's cached status, department, category and rating from its timeline."""
    state = issue_state(session, issue)
    for name, value in cached_fields(state).items():
        setattr(issue, name, value)
    latest = max((e.created_at for e in timeline(session, issue.id)), default=issue.created_at)
    issue.updated_at = max(latest, issue.updated_at)
    session.add(issue)
    return state


def cached_fields(state: IssueState) -> dict[str, Any]:
    """The issue's columns that cache what its timeline adds up to (besides updated_at)."""
    return {"status": state.status.value, "department_id": state.department_id, "category_id": state.category_id,
            "rating": state.rating}


@dataclass(frozen=True)
class IssueQuery:
    """Filters for the issue list; all optional."""

    status: str | None = None
    category_id: str | None = None
    station_id: str | None = None
    text: str = ""
    reporter_id: str | None = None


@dataclass(frozen=True)
class IssuePage:
    """One page of the list, newest first, and where the next page starts."""

    items: list[Issue] = field(default_factory=list)
    next_cursor: tuple[datetime, str] | None = None


def list_issues(session: Session, query: IssueQuery = IssueQuery(), *, after: tuple[datetime, str] | None = None,
                limit: int = PAGE_SIZE) -> IssuePage:
    """Return one page of issues, newest first, by keyset so page 300 costs what page 1 does."""
    stmt = select(Issue)
    if query.status:
        stmt = stmt.where(Issue.status == query.status)
    if query.category_id:
        stmt = stmt.where(Issue.category_id == query.category_id)
    if query.station_id:
        stmt = stmt.where(Issue.station_id == query.station_id)
    if query.reporter_id:
        stmt = stmt.where(Issue.reporter_id == query.reporter_id)
    for word in query.text.lower().split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(col(Issue.search_text).like(f"%{escaped}%", escape="\\"))
    if after is not None:
        at, last_id = after
        stmt = stmt.where(or_(Issue.created_at < at, (Issue.created_at == at) & (Issue.id < last_id)))
    stmt = stmt.order_by(col(Issue.created_at).desc(), col(Issue.id).desc()).limit(limit + 1)
    rows = list(session.exec(stmt))
    items = rows[:limit]
    cursor = (items[-1].created_at, items[-1].id) if len(rows) > limit else None
    return IssuePage(items=items, next_cursor=cursor)


def count_issues(session: Session, query: IssueQuery = IssueQuery()) -> int:
    stmt = select(func.count()).select_from(Issue)
    if query.reporter_id:
        stmt = stmt.where(Issue.reporter_id == query.reporter_id)
    if query.status:
        stmt = stmt.where(Issue.status == query.status)
    return session.exec(stmt).one()


def photos_of(session: Session, issue_id: str) -> list[IssuePhoto]:
    return list(session.exec(select(IssuePhoto).where(IssuePhoto.issue_id == issue_id).order_by(IssuePhoto.position)))


def first_photos(session: Session, issue_ids: Iterable[str]) -> dict[str, str]:
    """Return issue id → the hash of its first photo, for list thumbnails, in one query."""
    ids = list(issue_ids)
    if not ids:
        return {}
    rows = session.exec(select(IssuePhoto.issue_id, IssuePhoto.sha256)
                        .where(col(IssuePhoto.issue_id).in_(ids)).order_by(IssuePhoto.position.desc()))
    return {issue_id: sha for issue_id, sha in rows}
