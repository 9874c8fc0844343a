"""Who acts: the roles people have, and an actor as they were when they recorded something."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    DEPUTY = "deputy"
    STATION_STAFF = "station_staff"
    OFFICE = "office"
    DEPARTMENT = "department"
    ADMIN = "admin"
    PUBLIC = "public"  # a villager on the public page: no account, never signs in


# The roles of people who sign in.
ALL_ROLES = frozenset(Role) - {Role.PUBLIC}
OFFICE_ROLES = frozenset({Role.OFFICE, Role.ADMIN})
FIELD_ROLES = frozenset({Role.DEPUTY, Role.STATION_STAFF})


@dataclass(frozen=True)
class Actor:
    """Who records an event, with their role, station and department at that moment.

    The snapshot is kept on every event, so history is judged by who people were then,
    not by who they are after a move to another department.
    """

    id: str
    role: Role
    station_id: str | None = None
    department_id: str | None = None

    @classmethod
    def of(cls, person: Any) -> "Actor":
        """Return the actor a person (a row with id, role, station_id, department_id) is now."""
        return cls(id=person.id, role=Role(person.role), station_id=person.station_id,
                   department_id=person.department_id)


# Who a concern sent through a station's public page (扫码说事) is recorded as.
PUBLIC_ACTOR = Actor(id="public", role=Role.PUBLIC)
