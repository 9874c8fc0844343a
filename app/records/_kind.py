"""What a kind of record declares, in one place of its own, and the registry of kinds.

A kind names its table, its creation body, its event types (each: the statuses it may
happen in, the roles that may record it, its payload, its effect on the derived state),
the columns it keeps for lists, and who may see it. The outbox, push, pull, the change
log, the replica and photo attachment work by (kind, id) and read only this.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Callable, Iterable, Mapping, Protocol

from pydantic import BaseModel
from sqlmodel import SQLModel

from app.actors import Actor, Role
from app.problems import Problem
from app.records._bodies import CreateBody, Payload

CREATE = "create"  # the event type of a record's first timeline entry
# The kinds the app itself has, imported (and so registered) on first use of the registry.
BUILTIN_KINDS = ("app.issues", "app.letters", "app.inspections", "app.receptions", "app.projects", "app.trainings",
                 "app.quiz", "app.duty")


class Context(Protocol):
    """What rules may look up besides the record's state: reference data, other records, the clock."""

    def has(self, table: str, record_id: str) -> bool: ...

    def row(self, table: str, record_id: str) -> Mapping[str, Any] | None: ...

    def now(self): ...


@dataclass(frozen=True)
class Happened:
    """One event as the rules see it: its type, its payload as stored, who recorded it and when."""

    type: str
    payload: Mapping[str, Any]
    actor: Actor
    at: datetime
    id: str = ""  # the event's id (empty while a new event is being judged)


@dataclass(frozen=True, eq=False)
class EventType:
    """One type of timeline event.

    `required` names payload fields that must be filled, with the problem if not;
    `references` names payload fields that must name a row of a reference table;
    `may` says whether this actor may record it in this state at all (raise DomainError
    if not: only the reporter rates; only the lead department resolves); `check` adds
    rules on the payload (`ctx` is None when a phone folds without its store);
    `effect` moves the state on (after `leads_to`).
    """

    name: str
    allowed_in: frozenset[str]
    roles: frozenset[Role]
    payload: type[Payload] = Payload
    leads_to: str | None = None
    required: Mapping[str, Problem] = field(default_factory=dict)
    references: Mapping[str, tuple[str, Problem]] = field(default_factory=dict)
    may: Callable[[Any, Actor], None] | None = None
    check: Callable[[Any, Happened, "Context | None"], None] | None = None
    effect: Callable[[Any, Happened], Any] | None = None
    # The payload attaches photos: one named at its top (sha256, width, height, byte_size) and/or a list
    # under `photos`; they join the record's photos and must be uploaded before the event is pushed.
    attaches_photos: bool = False
    links: tuple[str, ...] = ()  # payload fields naming another record, which must reach the server first
    # What the central store adds to the payload when it accepts the event (a closed ballot's counts,
    # which only it holds): (server context, the record's row, payload) -> the payload kept.
    server_payload: Callable[[Any, Mapping[str, Any], dict[str, Any]], dict[str, Any]] | None = None


def attached_photos(event_type: EventType | None, payload: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the photos an event's payload attaches, in order (nothing for an event type that attaches none)."""
    if event_type is None or not event_type.attaches_photos or not isinstance(payload, Mapping):
        return []
    photos = [payload] if isinstance(payload.get("sha256"), str) else []
    photos += [p for p in payload.get("photos") or () if isinstance(p, Mapping) and isinstance(p.get("sha256"), str)]
    return photos


@dataclass(frozen=True, eq=False)
class Action:
    """A mutation of a kind's own besides its creation and its events, judged by the central store alone.

    A secret ballot's cast is one: the store records that the deputy voted and adds the
    choices to anonymous counts; no event, no change-log row and no stored hash carries
    the choices with the voter. `server(batch, record, body, actor)` judges and writes it
    (raise DomainError to refuse) and returns the seq of the change it logged; with
    `secret`, a device forgets the body once the store has answered, and the store's hash
    of it covers only `hash_fields`.
    """

    name: str
    body: type[BaseModel]  # has `id` and `record_id` (the record it acts on)
    server: Callable[[Any, Any, Any, Actor], int]
    secret: bool = False
    hash_fields: tuple[str, ...] = ("id", "record_id")


class Grant(StrEnum):
    """One reason a person may see a record."""

    ALL = "all"
    STATION = "station"  # the record belongs to the viewer's station
    AUTHOR = "author"  # the viewer recorded it
    DEPARTMENT = "department"  # it is (now) with the viewer's department, as lead or co-handling
    FOLLOWER = "follower"  # the viewer follows it (e.g. the reporter of a duplicate merged into it)


@dataclass(frozen=True)
class Scope:
    """Which of the kind's columns hold the record's station, department and author (None: it has none).

    `departments` and `followers` name list columns: further departments that handle the
    record with the lead one, and people who follow it.
    """

    station: str | None = "station_id"
    department: str | None = "department_id"
    author: str | None = "author_id"
    departments: str | None = None
    followers: str | None = None

    def of(self, row: Any) -> "ScopeValues":
        return ScopeValues(value_of(row, self.station), value_of(row, self.department), value_of(row, self.author),
                           tuple(value_of(row, self.departments) or ()), tuple(value_of(row, self.followers) or ()))


@dataclass(frozen=True)
class ScopeValues:
    station_id: str | None
    department_id: str | None
    author_id: str | None
    other_departments: tuple[str, ...] = ()
    followers: tuple[str, ...] = ()

    @property
    def departments(self) -> tuple[str, ...]:
        """The lead department first, then the co-handling ones."""
        lead = (self.department_id,) if self.department_id else ()
        return lead + tuple(d for d in self.other_departments if d != self.department_id)


@dataclass(frozen=True)
class Visibility:
    """Who may see records of a kind: for each role, the grants that let them."""

    grants: Mapping[Role, frozenset[Grant]]

    def allows(self, viewer: Actor, scope: ScopeValues) -> bool:
        for grant in self.grants.get(viewer.role, frozenset()):
            if grant is Grant.ALL:
                return True
            if grant is Grant.STATION and viewer.station_id is not None and scope.station_id == viewer.station_id:
                return True
            if grant is Grant.AUTHOR and scope.author_id == viewer.id:
                return True
            if grant is Grant.DEPARTMENT and viewer.department_id is not None and \
                    viewer.department_id in scope.departments:
                return True
            if grant is Grant.FOLLOWER and viewer.id in scope.followers:
                return True
        return False


def _anyone(_actor: Actor, _body: Any) -> bool:
    return True


def _no_more_rules(_body: Any, _ctx: Context, _actor: Actor) -> None:
    return None


def _photos_only(body: CreateBody) -> dict[str, Any]:
    return {"photos": [p.sha256 for p in body.photos]}


@dataclass(frozen=True, eq=False)  # one object per kind: compared and hashed by identity
class RecordKind:
    """One kind of record: everything the engine needs to create, judge, fold, sync and scope it."""

    name: str
    table: type[SQLModel]
    public: type[SQLModel]  # the record as a pull carries it
    create: type[CreateBody]
    events: Mapping[str, EventType]
    initial_status: str
    start: Callable[[Any, Mapping[str, Any]], Any]  # (row, create payload) -> state
    row: Callable[[Any, Actor], dict[str, Any]]  # (creation body, author) -> the kind's own creation columns
    derived: Callable[[Any], dict[str, Any]]  # state -> the list columns it decides (status included)
    visibility: Visibility
    scope: Scope = field(default_factory=Scope)
    check_create: Callable[[Any, Context, Actor], None] = _no_more_rules
    # Rules every event of the kind obeys (after role and status; e.g. a department acts on its own issues).
    guard: Callable[[Any, EventType, Actor], None] | None = None
    may_create: Callable[[Actor, Any], bool] = _anyone
    search_text: Callable[[Mapping[str, Any]], str] | None = None
    create_payload: Callable[[Any], dict[str, Any]] = _photos_only
    # Columns only the central store can give, under its write lock, when a record reaches it (a
    # letter's number: two offline PCs must never give the same one). (server context, row) -> columns.
    server_fields: Callable[[Any, Mapping[str, Any]], dict[str, Any]] | None = None
    # What a viewer may not read of a logged change (a visitor's phone number): (entity, data, viewer) -> data.
    redact: Callable[[str, dict[str, Any], Actor], dict[str, Any]] | None = None
    # Reference data the kind brings (every device gets all of it): (entity, table, what a pull carries).
    reference: tuple[tuple[str, type[SQLModel], type[BaseModel]], ...] = ()
    # Puts the reference data the app ships in a store where missing (both stores, at start); commits.
    seed: Callable[[Any], Any] | None = None
    # Mutations of its own (a secret ballot's cast), by name: `<kind>.<name>` on the wire.
    actions: Mapping[str, Action] = field(default_factory=dict)
    # Columns only the central store sets on an existing record (how many have voted), kept from the wire.
    server_columns: tuple[str, ...] = ()

    @property
    def create_mutation(self) -> str:
        return f"{self.name}.{CREATE}"

    @property
    def event_mutation(self) -> str:
        return f"{self.name}.event"

    @property
    def derived_columns(self) -> tuple[str, ...]:
        """The columns the timeline decides, besides updated_at (read off a fresh record's derivation)."""
        return tuple(self.derived(self.start(_Blank(), {})))

    def visible(self, viewer: Actor, row: Any) -> bool:
        return self.visibility.allows(viewer, self.scope.of(row))


class _Blank:
    """A row with every column None: enough to read which columns a kind derives."""

    def __getattr__(self, _name: str) -> None:
        return None

    def get(self, _name: str, default: Any = None) -> Any:
        return default


def value_of(row: Any, column: str | None) -> Any:
    """Read a column of a row held as a record, a mapping or a database row (None for no column)."""
    if column is None:
        return None
    if isinstance(row, Mapping):
        return row.get(column)
    return getattr(row, column, None)


# ---------------------------------------------------------------- the registry

_KINDS: dict[str, RecordKind] = {}
_loaded = False


def register(kind: RecordKind) -> RecordKind:
    """Add a kind of record; registering the same kind again is harmless, another under its name is not."""
    existing = _KINDS.get(kind.name)
    if existing is not None and existing is not kind:
        raise ValueError(f"a record kind named {kind.name!r} is registered already")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget a kind (tests that register a kind of their own)."""
    _KINDS.pop(name, None)


def kinds() -> tuple[RecordKind, ...]:
    """Return every registered kind, the app's own first."""
    _load_builtin()
    return tuple(_KINDS.values())


def kind_named(name: str) -> RecordKind | None:
    _load_builtin()
    return _KINDS.get(name)


def kind_of_mutation(mutation_kind: str) -> tuple[RecordKind, bool] | None:
    """Return (kind, is_create) for a mutation kind like `issue.create` or `issue.event`; None if unknown."""
    name, _, action = mutation_kind.partition(".")
    kind = kind_named(name)
    if kind is None or action not in (CREATE, "event"):
        return None
    return kind, action == CREATE


def action_of(mutation_kind: str) -> tuple[RecordKind, Action] | None:
    """Return (kind, action) for a mutation kind like `ballot.cast`; None if it is no kind's action."""
    name, _, action = mutation_kind.partition(".")
    kind = kind_named(name)
    if kind is None or action not in kind.actions:
        return None
    return kind, kind.actions[action]


def mutation_kinds() -> tuple[str, ...]:
    return tuple(m for kind in kinds()
                 for m in (kind.create_mutation, kind.event_mutation, *(f"{kind.name}.{a}" for a in kind.actions)))


def _load_builtin() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in BUILTIN_KINDS:
            importlib.import_module(module)


def payload_models(kinds_: Iterable[RecordKind] | None = None) -> dict[str, type[BaseModel]]:
    """Return every event type's payload model by `<kind>.<type>` (for the OpenAPI document)."""
    return {f"{kind.name}.{name}": event.payload for kind in (kinds_ or kinds()) for name, event in kind.events.items()}
