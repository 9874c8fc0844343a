"""The local replica's side of pull: apply the server's records, remember the cursor and who is signed in.

Pure over the local store (no HTTP), so the sync client, a test or the browser build
apply pulled pages the same way. Pulled changes arrive parsed into their wire models:

    touched = apply_changes(session, [parse_change(c.seq, c.entity, c.data) for c in page.changes])
    set_cursor(session, page.cursor); session.commit()
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, SQLModel, col, delete, select

from app.actors import Actor, Role
from app.errors import DomainError
from app.models import (Category, CategoryPublic, Department, DepartmentPublic, Draft, OutboxMutation, Person,
                        PersonPublic, SpecialGroup, SpecialGroupPublic, Station, StationPublic)
from app.outbox import OutboxState, count_pending, waiting_changes
from app.problems import Problem
from app.records import EventPublic, PhotoPublic, RecordEvent, RecordKind, RecordPhoto, kind_named, kinds, refresh
from app.store import get_meta, set_meta

CURSOR = "sync.cursor"
HELD = "sync.held"  # changes whose parent record has not arrived yet, as JSON
AUTH_TOKEN = "auth.token"
AUTH_EXPIRES = "auth.expires_at"
AUTH_USER = "auth.user"
LOCAL_USER = "user_id"  # who the app acts as on this device (app.viewmodels.context reads it)

# Not a record: the record data.id of kind data.entity left this user's view.
REVOKED = "revoked"
EVENT, PHOTO = "event", "photo"
# Reference data, parents before children: (entity, table, what a pull carries of it).
BASE_REFERENCE: tuple[tuple[str, type[SQLModel], type[BaseModel]], ...] = (
    ("station", Station, StationPublic), ("department", Department, DepartmentPublic),
    ("category", Category, CategoryPublic), ("person", Person, PersonPublic),
    ("group", SpecialGroup, SpecialGroupPublic),
)


def reference_entities() -> tuple[tuple[str, type[SQLModel], type[BaseModel]], ...]:
    """Every kind of reference data: the township's own, then what kinds bring (e.g. inspection templates)."""
    return BASE_REFERENCE + tuple(entry for kind in kinds() for entry in kind.reference)


class Revoked(BaseModel):
    """A pulled change that says a record left the user's view: drop it from the replica."""

    entity: str
    id: str


@dataclass(frozen=True)
class Pulled:
    """One pulled change, parsed into its wire model."""

    seq: int
    entity: str
    record: BaseModel

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "entity": self.entity, "data": self.record.model_dump(mode="json")}


def entity_models() -> dict[str, type[BaseModel]]:
    """Every entity a pull carries, with its wire model: reference data, each kind, events, photos, revocations."""
    models: dict[str, type[BaseModel]] = {entity: public for entity, _table, public in reference_entities()}
    models.update({kind.name: kind.public for kind in kinds()})
    models.update({EVENT: EventPublic, PHOTO: PhotoPublic, REVOKED: Revoked})
    return models


def parse_change(seq: int, entity: str, data: Mapping[str, Any]) -> Pulled | None:
    """Parse one pulled change; None for an entity this version does not know (a newer server's)."""
    model = entity_models().get(str(entity))
    if model is None:
        return None
    return Pulled(int(seq), str(entity), model.model_validate(dict(data)))


@dataclass(frozen=True)
class ReplicaUser:
    """The user last signed in on this device; the app keeps working as them while offline."""

    id: str
    username: str
    name: str
    role: str
    station_id: str | None = None
    department_id: str | None = None

    def actor(self) -> Actor:
        return Actor(id=self.id, role=Role(self.role), station_id=self.station_id, department_id=self.department_id)


@dataclass(frozen=True)
class Applied:
    """What one page did to the replica."""

    applied: int
    held: int
    records: frozenset[str]
    revoked: frozenset[str] = frozenset()  # records dropped from the replica: no longer this user's to see


def get_cursor(session: Session) -> int:
    return int(get_meta(session, CURSOR, "0") or 0)


def set_cursor(session: Session, cursor: int) -> None:
    set_meta(session, CURSOR, str(int(cursor)))


def signed_in_user(session: Session) -> ReplicaUser | None:
    """Return the user last signed in on this device, or None."""
    raw = get_meta(session, AUTH_USER)
    if not raw:
        return None
    data = json.loads(raw)
    return ReplicaUser(**{k: data.get(k) for k in ReplicaUser.__dataclass_fields__})


def auth_token(session: Session) -> str:
    return get_meta(session, AUTH_TOKEN)


def remember_login(session: Session, *, token: str, expires_at: str, user: ReplicaUser) -> None:
    """Keep the token and the user, and make sure the user is a local person; no commit.

    Signing in as somebody else starts the pull over, since what a user may see
    depends on who they are.
    """
    previous = signed_in_user(session)
    if previous is not None and previous.id != user.id:
        set_cursor(session, 0)
        set_meta(session, HELD, "")
    set_meta(session, AUTH_TOKEN, token)
    set_meta(session, AUTH_EXPIRES, expires_at)
    set_meta(session, AUTH_USER, json.dumps(asdict(user), ensure_ascii=False))
    set_meta(session, LOCAL_USER, user.id)
    person = session.get(Person, user.id)
    # The station may not be here before the first pull; the pulled person row fills it in.
    station_id = user.station_id if user.station_id and session.get(Station, user.station_id) else None
    department_id = (user.department_id if user.department_id and session.get(Department, user.department_id)
                     else None)
    if person is None:
        session.add(Person(id=user.id, name=user.name, role=user.role, station_id=station_id,
                           department_id=department_id))
    else:
        person.name, person.role = user.name, user.role
        person.station_id = station_id or person.station_id
        person.department_id = department_id or person.department_id
        session.add(person)
    session.flush()


@dataclass(frozen=True)
class Forgotten:
    """What forget_user removed from the device."""

    records: int
    photos: int


class PhotoFiles(Protocol):
    """The part of the photo store forget_user needs: the folder its files live in."""

    root: Path


def forget_user(session: Session, photos: PhotoFiles) -> Forgotten:
    """Remove the previous user's records, photos, drafts and pull state from this device; commits.

    Refused (DomainError sync.pending_other_user, nothing removed) while anything waits to
    sync: what a user recorded is never thrown away. Reference data (stations, departments,
    categories, people), the device's id, its settings and who is signed in stay; the next
    pull starts from the beginning and brings exactly what the server lets the new user see.
    """
    if count_pending(session):
        raise DomainError(Problem.PENDING_OTHER_USER)
    records = 0
    session.exec(delete(RecordPhoto))
    session.exec(delete(RecordEvent))
    for kind in reversed(kinds()):  # a kind registered later may name an earlier one's records, never the reverse
        records += session.exec(delete(kind.table)).rowcount  # type: ignore[attr-defined]
    session.exec(delete(Draft))
    session.exec(delete(OutboxMutation).where(OutboxMutation.state != OutboxState.PENDING.value))
    set_cursor(session, 0)
    set_meta(session, HELD, "")
    session.commit()
    # After the commit: a photo whose record is gone is only bytes, and a failed commit keeps both.
    return Forgotten(records=records, photos=_remove_photo_files(Path(photos.root)))


def _remove_photo_files(root: Path) -> int:
    """Delete every stored photo and thumbnail under the photo store's folder; return how many photos."""
    removed = 0
    for pattern in ("??/??/*.jpg", "thumbs/??/??/*.jpg", "**/.*.tmp"):
        for path in root.glob(pattern):
            if path.is_file():
                path.unlink(missing_ok=True)
                removed += pattern.startswith("??")
    return removed


def forget_token(session: Session) -> None:
    """Drop a token the server no longer accepts; the user and every local record stay."""
    set_meta(session, AUTH_TOKEN, "")


def apply_changes(session: Session, changes: Iterable[Pulled]) -> Applied:
    """Upsert pulled records into the replica and refresh each touched record's state; idempotent; no commit.

    A change whose parent (an event's record, a person's station) has not arrived is
    held in the store and tried again with the next page, so nothing is dropped
    whatever order the server's log holds its records in.

    A `revoked` change drops its record from the replica (see `_drop_revoked`) before
    the page's records are written; what the page holds of the record after it is kept.
    """
    pending = [c for c in changes if c is not None] + _held(session)
    pending, revoked = _drop_revoked(session, pending)
    order = _order()
    pending.sort(key=lambda c: (order.get(c.entity, len(order)), c.seq))
    tables = _tables()
    # Entities, and events or photos of kinds, that this version does not know: for a newer app version.
    rows = [(change, tables[change.entity], _row(change)) for change in pending
            if change.entity in tables and (change.entity not in (EVENT, PHOTO)
                                            or kind_named(change.record.record_kind) is not None)]
    existing = _existing(session, rows)
    touched: set[tuple[str, str]] = set()
    held: list[Pulled] = []
    applied = 0
    # One flush per kind of record, not one per lookup: a page is a thousand rows, and
    # parents must be written before their children (the tables have no ORM relationships).
    previous = None
    with session.no_autoflush:
        for change, model, row in rows:
            if change.entity != previous:
                session.flush()
                previous = change.entity
            if not _parents_present(session, existing, change.entity, row):
                held.append(change)
                continue
            if change.entity == EVENT and row["server_seq"] is None and not row.get("rejected_code"):
                row["server_seq"] = change.seq
            key = _key(change.entity, row)
            existing[(model, key)] = _upsert(session, model, change.entity, row, existing.get((model, key)))
            applied += 1
            if change.entity in (EVENT, PHOTO):
                touched.add((row["record_kind"], row["record_id"]))
            elif kind_named(change.entity) is not None:
                touched.add((change.entity, row["id"]))
    session.flush()
    for kind_name, record_id in touched:
        kind = kind_named(kind_name)
        if kind is None:
            continue
        record = existing.get((kind.table, record_id)) or session.get(kind.table, record_id)
        if record is not None:
            refresh(session, kind, record)
    set_meta(session, HELD, json.dumps([c.as_json() for c in held], ensure_ascii=False) if held else "")
    session.flush()
    return Applied(applied=applied + len(revoked), held=len(held),
                   records=frozenset(record_id for _kind, record_id in touched), revoked=frozenset(revoked))


def _order() -> dict[str, int]:
    """Parents before children: reference data, then records, then their events and photos."""
    names = [entity for entity, _table, _public in reference_entities()] + [k.name for k in kinds()] + [EVENT, PHOTO]
    return {name: index for index, name in enumerate(names)}


def _tables() -> dict[str, type[SQLModel]]:
    tables: dict[str, type[SQLModel]] = {entity: table for entity, table, _public in reference_entities()}
    tables.update({kind.name: kind.table for kind in kinds()})
    tables.update({EVENT: RecordEvent, PHOTO: RecordPhoto})
    return tables


def _row(change: Pulled) -> dict[str, Any]:
    return change.record.model_dump()


def _drop_revoked(session: Session, pending: list[Pulled]) -> tuple[list[Pulled], set[str]]:
    """Apply the revocations among pending changes; return the other changes and the records dropped.

    A revoked record leaves the replica whole: its row, its events and its photo rows (the
    photo files stay; they are named by hash and another record may hold the same one).
    Changes of the record older than its revocation are dropped with it; newer ones (it
    came back into view, and was sent again whole) are kept and applied after it.
    """
    revocations: dict[str, tuple[RecordKind, int]] = {}
    rest = []
    for change in pending:
        if change.entity != REVOKED:
            rest.append(change)
            continue
        kind = kind_named(change.record.entity)
        if kind is not None:  # other kinds: for a newer app version
            seq = max(change.seq, revocations.get(change.record.id, (kind, change.seq))[1])
            revocations[change.record.id] = (kind, seq)
    if not revocations:
        return rest, set()
    # A record this phone still has changes for, waiting to be pushed, stays: the server's answer
    # to that push decides what becomes of them (one it refuses is shown to its author, on the
    # record it belongs to). This revocation is not tried again, so that copy stays on the phone.
    waiting = waiting_changes(session, revocations)
    dropped = {record_id: found for record_id, found in revocations.items() if record_id not in waiting}
    if not dropped:
        return rest, set()
    rest = [c for c in rest if c.seq > dropped.get(_record_of(c), (None, -1))[1]]
    ids = list(dropped)
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        session.exec(delete(RecordPhoto).where(col(RecordPhoto.record_id).in_(part)))
        session.exec(delete(RecordEvent).where(col(RecordEvent.record_id).in_(part)))
        for kind in {kind for kind, _seq in dropped.values()}:
            session.exec(delete(kind.table).where(col(kind.table.id).in_(part)))  # type: ignore[attr-defined]
    session.flush()
    return rest, set(dropped)


def _record_of(change: Pulled) -> str | None:
    """The record a change belongs to (None for reference data)."""
    if change.entity in (EVENT, PHOTO):
        return change.record.record_id  # type: ignore[attr-defined]
    if kind_named(change.entity) is not None:
        return change.record.id  # type: ignore[attr-defined]
    return None


def _key(entity: str, row: Mapping[str, Any]) -> Any:
    return (row.get("record_id"), row.get("sha256")) if entity == PHOTO else row.get("id")


def _existing(session: Session, rows: list[tuple[Pulled, type[SQLModel], dict]]) -> dict[tuple, SQLModel | None]:
    """Load, a few queries per page, every record the page names or needs as a parent."""
    wanted: dict[type[SQLModel], set] = {}
    for change, model, row in rows:
        if change.entity != PHOTO:
            wanted.setdefault(model, set()).add(row.get("id"))
        for parent, key in _parents(change.entity, model, row):
            wanted.setdefault(parent, set()).add(key)
    found: dict[tuple, SQLModel | None] = {}
    for model, keys in wanted.items():
        keys = [k for k in keys if k is not None]
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            for record in session.exec(select(model).where(col(model.id).in_(part))):  # type: ignore[attr-defined]
                found[(model, record.id)] = record  # type: ignore[attr-defined]
        for key in keys:
            found.setdefault((model, key), None)
    return found


def _parents(entity: str, model: type[SQLModel], row: Mapping[str, Any]) -> list[tuple[type[SQLModel], Any]]:
    """The rows a record needs first: its record (an event's, a photo's) and what its foreign keys name."""
    needs: list[tuple[type[SQLModel], Any]] = []
    if entity in (EVENT, PHOTO):
        kind = kind_named(str(row.get("record_kind")))
        needs.append((kind.table if kind is not None else RecordEvent, row.get("record_id")))
    tables = {table.__tablename__: table for _entity, table, _public in reference_entities()}  # type: ignore[attr-defined]
    for fk in model.__table__.foreign_keys:  # type: ignore[attr-defined]
        value = row.get(fk.parent.name)
        if value is not None and fk.column.table.name in tables:
            needs.append((tables[fk.column.table.name], value))
    return needs


def _held(session: Session) -> list[Pulled]:
    raw = get_meta(session, HELD)
    held = []
    for change in json.loads(raw) if raw else []:
        try:
            parsed = parse_change(change["seq"], change["entity"], change["data"])
        except (KeyError, ValidationError):
            continue  # cannot be what this version wrote; the server sends the record again with its next change
        if parsed is not None:
            held.append(parsed)
    return held


def _parents_present(session: Session, existing: dict, entity: str, row: Mapping[str, Any]) -> bool:
    model = _tables()[entity]
    for parent, key in _parents(entity, model, row):
        if key is None:
            return False
        if (parent, key) not in existing:
            existing[(parent, key)] = session.get(parent, key)
        if existing[(parent, key)] is None:
            return False
    return True


# A timeline event is append-only: once here, only the server's copy of it changes it (its verdict, its record of
# the actor, and what the store added to the payload, e.g. a closed ballot's counts).
_EVENT_SERVER_FIELDS = ("server_seq", "rejected_code", "rejected_reason", "actor_role", "actor_station_id",
                        "actor_department_id", "payload")


def _upsert(session: Session, model: type[SQLModel], entity: str, row: dict[str, Any],
            current: SQLModel | None) -> SQLModel:
    if current is None and entity == PHOTO:
        current = session.get(model, _key(entity, row))
    kind = kind_named(entity)
    # What the timeline decides is recomputed from the events once the page is in (refresh), never kept from
    # the wire. A new record still takes every column: its kind may start the timeline from one the timeline
    # also decides (an issue's category, until an event classifies it again).
    derived = set(kind.derived_columns) | {"search_text"} if kind is not None else set()
    if current is None:
        record = model(**row)
        session.add(record)
        return record
    if entity == EVENT:
        fields = {k: row.get(k) for k in _EVENT_SERVER_FIELDS}
    else:
        fields = {k: v for k, v in row.items() if k not in derived and k != "updated_at"}
    for name, value in fields.items():
        setattr(current, name, value)
    session.add(current)
    return current
