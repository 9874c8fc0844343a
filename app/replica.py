"""The local replica's side of pull: apply the server's records, remember the cursor and who is signed in.

Pure over the local store (no HTTP), so the sync client, a test or a future
browser build apply pulled pages the same way.

    touched = apply_changes(session, page["changes"])
    set_cursor(session, page["cursor"]); session.commit()
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from sqlmodel import Session, SQLModel, col, delete, select

from app.clock import as_utc
from app.issues import refresh_state
from app.models import Category, Department, Issue, IssueEvent, IssuePhoto, Person, Station
from app.outbox import waiting_changes
from app.store import get_meta, set_meta
from app.workflow import Actor, Role

CURSOR = "sync.cursor"
HELD = "sync.held"  # changes whose parent record has not arrived yet, as JSON
AUTH_TOKEN = "auth.token"
AUTH_EXPIRES = "auth.expires_at"
AUTH_USER = "auth.user"
LOCAL_USER = "user_id"  # who the app acts as on this device (app.viewmodels.context reads it)

# Parents before children, so one page applies whatever order the server sent it in.
_ORDER = ("station", "department", "category", "person", "issue", "event", "photo")
_MODELS: dict[str, type[SQLModel]] = {
    "station": Station, "department": Department, "category": Category, "person": Person,
    "issue": Issue, "event": IssueEvent, "photo": IssuePhoto,
}
# Not a record: the issue data["id"] left this user's view (sync.protocol.EntityKind.REVOKED).
REVOKED = "revoked"
# What the timeline decides: recomputed from events by refresh_state, never taken from the wire.
_DERIVED = {"status", "department_id", "rating", "updated_at", "search_text"}
# A timeline event is append-only: once here, only the server's verdict on it changes.
_EVENT_SERVER_FIELDS = ("server_seq", "rejected_code", "rejected_reason")


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
    issues: frozenset[str]
    revoked: frozenset[str] = frozenset()  # issues dropped from the replica: no longer this user's to see


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


def forget_token(session: Session) -> None:
    """Drop a token the server no longer accepts; the user and every local record stay."""
    set_meta(session, AUTH_TOKEN, "")


def apply_changes(session: Session, changes: Iterable[Mapping[str, Any] | Any]) -> Applied:
    """Upsert pulled records into the replica and refresh each touched issue's status; idempotent; no commit.

    A change whose parent (an event's issue, a person's station) has not arrived is
    held in the store and tried again with the next page, so nothing is dropped
    whatever order the server's log holds its records in.

    A `revoked` change drops its issue from the replica (see `_drop_revoked`) before
    the page's records are written; what the page holds of the issue after it is kept.
    """
    pending = [_as_dict(c) for c in changes] + _held(session)
    pending, revoked = _drop_revoked(session, pending)
    pending.sort(key=lambda c: (_ORDER.index(c["entity"]) if c["entity"] in _ORDER else len(_ORDER), c["seq"]))
    rows = [(c, _MODELS[c["entity"]], _row_values(_MODELS[c["entity"]], c["data"]))
            for c in pending if c["entity"] in _MODELS]  # other kinds: for a newer app version
    existing = _existing(session, rows)
    touched: set[str] = set()
    held: list[dict] = []
    applied = 0
    # One flush per kind of record, not one per lookup: a page is a thousand rows, and
    # parents must be written before their children (the tables have no ORM relationships).
    previous = None
    with session.no_autoflush:
        for change, model, row in rows:
            entity = change["entity"]
            if entity != previous:
                session.flush()
                previous = entity
            if not _parents_present(session, existing, entity, row):
                held.append(change)
                continue
            if entity == "event":
                row.setdefault("server_seq", None)
                if row["server_seq"] is None and not row.get("rejected_code"):
                    row["server_seq"] = change["seq"]
            key = _key(entity, row)
            existing[(model, key)] = _upsert(session, model, entity, row, existing.get((model, key)))
            applied += 1
            if entity == "issue":
                touched.add(row["id"])
            elif entity in ("event", "photo"):
                touched.add(row["issue_id"])
    session.flush()
    for issue_id in touched:
        issue = existing.get((Issue, issue_id)) or session.get(Issue, issue_id)
        if issue is not None:
            refresh_state(session, issue)
    set_meta(session, HELD, json.dumps(held, ensure_ascii=False) if held else "")
    session.flush()
    return Applied(applied=applied + len(revoked), held=len(held), issues=frozenset(touched),
                   revoked=frozenset(revoked))


def _drop_revoked(session: Session, pending: list[dict]) -> tuple[list[dict], set[str]]:
    """Apply the revocations among pending changes; return the other changes and the issues dropped.

    A revoked issue leaves the replica whole: its row, its events and its photo rows (the
    photo files stay; they are named by hash and another issue may hold the same one).
    Changes of the issue older than its revocation are dropped with it; newer ones (it
    came back into view, and was sent again whole) are kept and applied after it.
    """
    revocations: dict[str, int] = {}
    rest = []
    for change in pending:
        if change["entity"] != REVOKED:
            rest.append(change)
            continue
        data = change["data"]
        if data.get("entity") == "issue" and data.get("id"):  # other kinds: for a newer app version
            revocations[str(data["id"])] = max(change["seq"], revocations.get(str(data["id"]), change["seq"]))
    if not revocations:
        return rest, set()
    # An issue this phone still has changes for, waiting to be pushed, stays: the server's answer
    # to that push decides what becomes of them (one it refuses is shown to its author, on the
    # issue it belongs to). This revocation is not tried again, so that copy stays on the phone.
    waiting = waiting_changes(session)
    dropped = {issue_id: seq for issue_id, seq in revocations.items() if issue_id not in waiting}
    if not dropped:
        return rest, set()
    rest = [c for c in rest if c["seq"] > dropped.get(_issue_of(c), -1)]
    ids = list(dropped)
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        session.exec(delete(IssuePhoto).where(col(IssuePhoto.issue_id).in_(part)))
        session.exec(delete(IssueEvent).where(col(IssueEvent.issue_id).in_(part)))
        session.exec(delete(Issue).where(col(Issue.id).in_(part)))
    session.flush()
    return rest, set(dropped)


def _issue_of(change: Mapping[str, Any]) -> str | None:
    """The issue a record change belongs to (None for reference data)."""
    entity, data = change["entity"], change["data"]
    if entity == "issue":
        return data.get("id")
    if entity in ("event", "photo"):
        return data.get("issue_id")
    return None


def _key(entity: str, row: Mapping[str, Any]) -> Any:
    return (row.get("issue_id"), row.get("sha256")) if entity == "photo" else row.get("id")


def _existing(session: Session, rows: list[tuple[dict, type[SQLModel], dict]]) -> dict[tuple, SQLModel | None]:
    """Load, a few queries per page, every record the page names or needs as a parent."""
    wanted: dict[type[SQLModel], set] = {}
    for change, model, row in rows:
        entity = change["entity"]
        if entity != "photo":
            wanted.setdefault(model, set()).add(row.get("id"))
        for parent, key in _parents(entity, row):
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


def _parents(entity: str, row: Mapping[str, Any]) -> list[tuple[type[SQLModel], Any]]:
    needs: list[tuple[type[SQLModel], Any]] = []
    if entity in ("event", "photo"):
        needs.append((Issue, row.get("issue_id")))
    if entity in ("person", "issue") and row.get("station_id"):
        needs.append((Station, row["station_id"]))
    if entity == "person" and row.get("department_id"):
        needs.append((Department, row["department_id"]))
    if entity == "issue" and row.get("category_id"):
        needs.append((Category, row["category_id"]))
    return needs


def _as_dict(change: Mapping[str, Any] | Any) -> dict:
    if isinstance(change, Mapping):
        entity = change["entity"]
        return {"seq": int(change["seq"]), "entity": getattr(entity, "value", entity), "data": dict(change["data"])}
    return {"seq": int(change.seq), "entity": getattr(change.entity, "value", change.entity), "data": dict(change.data)}


def _held(session: Session) -> list[dict]:
    raw = get_meta(session, HELD)
    return json.loads(raw) if raw else []


def _row_values(model: type[SQLModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the fields the table has, with times as datetimes."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, str) and _is_time(info.annotation):
            value = as_utc(datetime.fromisoformat(value))
        values[name] = value
    return values


def _is_time(annotation: Any) -> bool:
    return annotation in (datetime, date) or datetime in getattr(annotation, "__args__", ())


def _parents_present(session: Session, existing: dict, entity: str, row: Mapping[str, Any]) -> bool:
    for model, key in _parents(entity, row):
        if key is None:
            return False
        if (model, key) not in existing:
            existing[(model, key)] = session.get(model, key)
        if existing[(model, key)] is None:
            return False
    return True


def _upsert(session: Session, model: type[SQLModel], entity: str, row: dict[str, Any],
            current: SQLModel | None) -> SQLModel:
    if current is None and entity == "photo":
        current = session.get(model, _key(entity, row))
    if current is None:
        if entity == "issue":
            row = {k: v for k, v in row.items() if k not in _DERIVED or k == "updated_at"}
            row["search_text"] = f"{row.get('title', '')} {row.get('place_name', '')} {row.get('description', '')}".lower()
        record = model(**row)
        session.add(record)
        return record
    if entity == "event":
        fields = {k: row.get(k) for k in _EVENT_SERVER_FIELDS}
    elif entity == "issue":
        fields = {k: v for k, v in row.items() if k not in _DERIVED}
    else:
        fields = row
    for name, value in fields.items():
        setattr(current, name, value)
    if entity == "issue":
        current.search_text = f"{current.title} {current.place_name} {current.description}".lower()
    session.add(current)
    return current
