"""The one wire contract between phone and central store: version, wire types, error codes.

Push sends a batch of mutations, each with its own UUID; re-sending one that was
applied answers the same result. Pull pages through changes since a cursor (the
server's sequence number). Blobs are uploaded only when missing, resumably.

Every kind of record (app.records; issues are the first) has two mutations,
`<kind>.create` and `<kind>.event`, whose bodies are the pydantic models the rules
validate with (app.records.CreateBody and each kind's extension of it, app.records.EventBody
with each event type's payload). A pulled change is a whole record: reference data, a
record of some kind, an event, a photo (app.replica.entity_models), or a `revoked`
change: the user may no longer see a record (`data = {"entity": "issue", "id": ...}`;
today: an issue assigned from the user's department to another). The phone then drops
the record, its events and its photo rows from its replica (photo files stay: they are
shared by hash). A phone that does not know an entity skips it. Should the record come
back into the user's view later, it is sent again whole, after the revocation.

    POST /api/v1/push   PushRequest  -> PushResponse
    GET  /api/v1/pull?since=0&limit=500 -> PullResponse
    POST /api/v1/blobs/missing  BlobCheck -> BlobCheckResult
    HEAD /api/v1/blobs/{sha256}          -> Upload-Offset header
    PATCH /api/v1/blobs/{sha256}  (Upload-Offset, Upload-Length headers; raw bytes) -> BlobStatus
    GET  /api/v1/blobs/{sha256}          -> the stored JPEG (of an issue the user may see)
    POST /api/v1/auth/login     LoginRequest -> LoginResponse
    POST /api/v1/auth/logout             -> 204 (this device's token stops working)
    GET  /api/v1/me                      -> UserPublic
    GET  /api/v1/devices                 -> list[DeviceInfo]   (office and admin)
    POST /api/v1/devices/{token_id}/revoke -> DeviceInfo       (office and admin)
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.problems import RETRYABLE, Problem
from app.records import SHA256_PATTERN, UUID_PATTERN, kind_of_mutation, mutation_kinds
from app.replica import Pulled, entity_models, parse_change

# 2: one engine for every kind of record (record_id and type in event bodies, the change log by record).
PROTOCOL_VERSION = 2
API_PREFIX = "/api/v1"
PROTOCOL_HEADER = "X-Lianluo-Protocol"
MAX_BATCH = 500
MAX_PULL_PAGE = 1000
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_BLOB_BYTES = 20 * 1024 * 1024


class ProblemBody(BaseModel):
    """The body of every error response: a code of app.problems.Problem, a message, details."""

    code: str
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)


class Mutation(BaseModel):
    """One change made on a device; its id makes re-sending it harmless."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=UUID_PATTERN)
    kind: str
    body: dict[str, Any]


class PushRequest(BaseModel):
    """A batch of mutations from one device, in the order they were made."""

    model_config = ConfigDict(extra="forbid")
    protocol: int = PROTOCOL_VERSION
    device_id: str = Field(min_length=1, max_length=100)
    mutations: list[Mutation] = Field(max_length=MAX_BATCH)


class MutationStatus(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class MutationResult(BaseModel):
    """What became of one mutation. A duplicate answers what the first send answered."""

    id: str
    status: MutationStatus
    seq: int | None = None
    code: str | None = None
    reason: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    # On a duplicate: what the first send answered (applied or rejected); seq, code and
    # reason are the first answer's.
    first_status: MutationStatus | None = None


# Refusals of a mutation that do not stick: the server did not keep the answer, so sending
# the same mutation again later is judged afresh (e.g. once the photo it names is uploaded).
# Every other refusal is final and answered again as a duplicate.
RETRYABLE_CODES = frozenset({Problem.BLOB_MISSING, Problem.SERVER_ERROR})


class PushResponse(BaseModel):
    results: list[MutationResult]


class Change(BaseModel):
    """One record as the server now holds it, at its place in the global order."""

    seq: int
    entity: str  # an entity of app.replica.entity_models: station, ..., issue, event, photo, revoked
    data: dict[str, Any]

    def parsed(self) -> Pulled | None:
        """Return the change with its data parsed into its wire model (None: an entity this version lacks)."""
        return parse_change(self.seq, self.entity, self.data)


class PullResponse(BaseModel):
    changes: list[Change]
    cursor: int  # pass as ?since= next time
    more: bool  # another page is waiting


class BlobCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hashes: list[str] = Field(max_length=MAX_BATCH)


class BlobCheckResult(BaseModel):
    missing: list[str]


class BlobStatus(BaseModel):
    sha256: str
    offset: int
    length: int | None = None
    complete: bool


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)
    device_name: str = Field(default="", max_length=100)


class UserPublic(BaseModel):
    """The signed-in user as the phone keeps it, to keep working offline."""

    id: str  # the person's id: the actor_id / reporter_id the server writes for this user
    username: str
    name: str
    role: str
    station_id: str | None = None
    department_id: str | None = None


class LoginResponse(BaseModel):
    token: str
    expires_at: str
    user: UserPublic


Outcome = Literal["applied", "duplicate", "rejected"]


class DeviceInfo(BaseModel):
    """One signed-in device (a login's token) as the office sees it; the token itself is never shown."""

    id: str
    username: str
    name: str
    device_name: str
    created_at: str
    expires_at: str
    last_seen_at: str | None = None
    revoked_at: str | None = None


__all__ = ["PROTOCOL_VERSION", "API_PREFIX", "PROTOCOL_HEADER", "MAX_BATCH", "MAX_PULL_PAGE", "MAX_BODY_BYTES",
           "MAX_BLOB_BYTES", "SHA256_PATTERN", "UUID_PATTERN", "Problem", "RETRYABLE", "RETRYABLE_CODES",
           "ProblemBody", "Mutation", "PushRequest", "MutationStatus", "MutationResult", "PushResponse", "Change",
           "PullResponse", "BlobCheck", "BlobCheckResult", "BlobStatus", "LoginRequest", "UserPublic",
           "LoginResponse", "Outcome", "DeviceInfo", "entity_models", "kind_of_mutation", "mutation_kinds"]
