"""The issue kind as the record engine knows it: its table, rules, list columns and who may see it."""

from __future__ import annotations

from typing import Any, Mapping

from app.actors import Actor, Role
from app.issues._model import Issue, IssueCreate, IssuePublic, LocationSource
from app.issues._rules import EVENTS, Status, check_create, derived, guard, may_create, start
from app.records import Grant, PhotoBody, RecordKind, Scope, Visibility, register

PhotoRef = PhotoBody  # a processed photo already in the photo store, ready to attach


def _row(draft: IssueCreate, actor: Actor) -> dict[str, Any]:
    loc = draft.location
    return dict(title=draft.title.strip(), description=draft.description, category_id=draft.category_id,
                place_type=draft.place_type, place_name=draft.place_name.strip(),
                latitude=float(loc.latitude) if loc else None, longitude=float(loc.longitude) if loc else None,
                accuracy_m=float(loc.accuracy_m) if loc and loc.accuracy_m is not None else None,
                location_source=loc.source if loc else LocationSource.NONE.value,
                reporter_id=actor.id, station_id=draft.station_id or actor.station_id, source=draft.source,
                group_id=draft.group_id)


def _create_payload(draft: IssueCreate) -> dict[str, Any]:
    # The photos' hashes go into the timeline (a later change of a file is detectable), and the
    # category the issue was recorded with: a refused classify must fold back to it.
    return {"photos": [p.sha256 for p in draft.photos], "category_id": draft.category_id}


def search_text(row: Mapping[str, Any]) -> str:
    """The text the list searches: title, place and description, lower-cased."""
    return f"{row.get('title') or ''} {row.get('place_name') or ''} {row.get('description') or ''}".lower()


ISSUE = register(RecordKind(
    name="issue", table=Issue, public=IssuePublic, create=IssueCreate, events=EVENTS,
    initial_status=Status.NEW.value, start=start, row=_row, derived=derived,
    visibility=Visibility({Role.OFFICE: frozenset({Grant.ALL}), Role.ADMIN: frozenset({Grant.ALL}),
                           Role.DEPUTY: frozenset({Grant.STATION, Grant.AUTHOR, Grant.FOLLOWER}),
                           Role.STATION_STAFF: frozenset({Grant.STATION, Grant.AUTHOR, Grant.FOLLOWER}),
                           Role.DEPARTMENT: frozenset({Grant.DEPARTMENT})}),
    scope=Scope(station="station_id", department="department_id", author="reporter_id",
                departments="co_department_ids", followers="follower_ids"),
    check_create=check_create, may_create=may_create, search_text=search_text, guard=guard,
    create_payload=_create_payload,
))


