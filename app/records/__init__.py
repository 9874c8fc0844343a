"""The record engine: every kind of record is a creation plus an append-only timeline, judged one way.

    _kind.py    what a kind declares (event types, visibility, list columns) and the registry of kinds
    _bodies.py  the creation and event bodies: the wire contract the rules validate with
    _rules.py   judge a creation or an event, build its rows, fold a timeline (pure)
    _tables.py  the timeline and photo tables every kind shares, and the columns every kind's table has
    _local.py   records on a local store: write with the outbox, fold, read the timeline and photos

A kind is one package (app/issues is the first) that builds a `RecordKind` and calls
`register` once; the outbox, push, pull, change log, replica and photo attachment then
handle it by (kind, id) without naming it.
"""

from app.records._bodies import (SHA256_PATTERN, UUID_PATTERN, CreateBody, EventBody, Latitude, Longitude, Number,
                                 Payload, PhotoBody, PhotoPayload, Sha256, Time, Uuid)
from app.records._kind import (BUILTIN_KINDS, CREATE, Action, Context, EventType, Grant, Happened, action_of,
                               attached_photos, RecordKind, Scope, ScopeValues,
                               Visibility, kind_named, kind_of_mutation, kinds, mutation_kinds, payload_models,
                               register, unregister, value_of)
from app.records._local import (StoreContext, add_event, add_history, add_record, create_record, first_photos, photos_of, queue,
                                record_event, refresh, state_of, timeline)
from app.records._rules import (FUTURE_SLACK, TEXT_MAX, Creation, Verdict, actor_of, allowed_events, apply,
                                check_event, check_new_photos, check_time, may_record,
                                creation, event_row, event_type_of, fold, judge_create, judge_event, photo_row,
                                timeline_key, validated)
from app.records._tables import EventBase, EventPublic, PhotoBase, PhotoPublic, RecordBase, RecordEvent, RecordPhoto
from app.tables import BOTH, CENTRAL, PHONE, stored_in, time_column

__all__ = [
    "SHA256_PATTERN", "UUID_PATTERN", "CreateBody", "EventBody", "Latitude", "Longitude", "Number", "Payload",
    "PhotoBody", "PhotoPayload", "Sha256", "Time", "Uuid",
    "BUILTIN_KINDS", "CREATE", "Action", "Context", "EventType", "Grant", "Happened", "action_of", "attached_photos", "RecordKind", "Scope", "ScopeValues", "Visibility",
    "kind_named", "kind_of_mutation", "kinds", "mutation_kinds", "payload_models", "register", "unregister", "value_of",
    "StoreContext", "add_event", "add_history", "add_record", "create_record", "first_photos", "photos_of", "queue",
    "record_event", "refresh", "state_of", "timeline",
    "FUTURE_SLACK", "TEXT_MAX", "Creation", "Verdict", "actor_of", "allowed_events", "apply", "check_event",
    "check_new_photos", "may_record",
    "check_time", "creation",
    "event_row", "event_type_of", "fold", "judge_create", "judge_event", "photo_row", "timeline_key", "validated",
    "BOTH", "CENTRAL", "PHONE", "EventBase", "EventPublic", "PhotoBase", "PhotoPublic", "RecordBase", "RecordEvent",
    "RecordPhoto", "stored_in", "time_column",
]
