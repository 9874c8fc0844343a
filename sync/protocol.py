"""The one wire contract between phone and central store: version, wire types, error codes.

Push sends a batch of mutations, each with its own UUID; re-sending one that was
applied answers the same result. Pull pages through changes since a cursor (the
server's sequence number). Blobs are uploaded only when missing, resumably.

A pulled change is a whole record (`EntityKind`), or a `revoked` change: the user may
no longer see an issue (`data = {"entity": "issue", "id": ...}`; today: it was assigned
from the user's department to another). The phone then drops the issue, its events and
its photo rows from its replica (photo files stay: they are shared by hash). A phone
that does not know an entity kind skips it. Should the issue come back into the user's
view later, it is sent again whole, after the revocation.

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

from datetime import datetime, timezone
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"
PROTOCOL_HEADER = "X-Lianluo-Protocol"
MAX_BATCH = 500
MAX_PULL_PAGE = 1000
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_BLOB_BYTES = 20 * 1024 * 1024
SHA256_PATTERN = r"^[0-9a-f]{64}$"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class ErrorCode(StrEnum):
    """Stable error codes; a code never changes meaning once released."""

    MALFORMED = "request.malformed"  # 400: not JSON, or not the shape the protocol says
    TOO_LARGE = "request.too_large"  # 413: body over MAX_BODY_BYTES (or a blob over MAX_BLOB_BYTES)
    UNSUPPORTED_VERSION = "protocol.unsupported_version"  # 400: X-Lianluo-Protocol the server does not speak
    AUTH_REQUIRED = "auth.required"  # 401: no bearer token
    AUTH_INVALID = "auth.invalid_token"  # 401: unknown token
    AUTH_EXPIRED = "auth.token_expired"  # 401: token past its expiry
    AUTH_REVOKED = "auth.token_revoked"  # 401: the office revoked this device
    BAD_CREDENTIALS = "auth.bad_credentials"  # 401: wrong username or password
    TOO_MANY_ATTEMPTS = "auth.too_many_attempts"  # 429: too many wrong passwords for this username; see Retry-After
    FORBIDDEN = "auth.forbidden"  # 403: the role may not do this
    OUT_OF_SCOPE = "scope.forbidden"  # 403: another station's (or department's) data
    NOT_FOUND = "not_found"  # 404
    MUTATION_CONFLICT = "mutation.conflict"  # per mutation: same id, different body
    UNKNOWN_KIND = "mutation.unknown_kind"  # per mutation
    BLOB_HASH_MISMATCH = "blob.hash_mismatch"  # 422: the bytes do not hash to the name
    BLOB_OFFSET_MISMATCH = "blob.offset_mismatch"  # 409: Upload-Offset is not what the server holds
    BLOB_MISSING = "blob.missing"  # per mutation: an issue names a photo the server lacks
    BLOB_NOT_IMAGE = "blob.not_image"  # 422: the uploaded bytes are not a photo we store
    SERVER_ERROR = "server.error"  # 500: a bug; the request may be retried
    RECORD_EXISTS = "record.exists"  # per mutation: another mutation already created a record with this id


class Problem(BaseModel):
    """The body of every error response."""

    code: str
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)


class MutationKind(StrEnum):
    ISSUE_CREATE = "issue.create"
    ISSUE_EVENT = "issue.event"


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


# Codes a mutation can be refused with that do not stick: the server did not keep the
# answer, so sending the same mutation again later is judged afresh (e.g. once the
# photo it names is uploaded). Every other refusal is final and answered again as a duplicate.
RETRYABLE_CODES = frozenset({ErrorCode.BLOB_MISSING.value, ErrorCode.SERVER_ERROR.value})


class PushResponse(BaseModel):
    results: list[MutationResult]


class EntityKind(StrEnum):
    STATION = "station"
    DEPARTMENT = "department"
    CATEGORY = "category"
    PERSON = "person"
    ISSUE = "issue"
    EVENT = "event"
    PHOTO = "photo"
    # Not a record: the issue named by data {"entity": "issue", "id": ...} left the user's view.
    REVOKED = "revoked"


class Change(BaseModel):
    """One record as the server now holds it, at its place in the global order."""

    seq: int
    entity: EntityKind
    data: dict[str, Any]


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


# --- Mutation bodies. The server checks a body against these before the rules see it;
# app.issues.create_body / event_body write them. Unknown keys are allowed (ignored), so
# a newer phone can add fields.

def _check_iso_time(value: str | None) -> str | None:
    if value is not None:
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                moment.astimezone(timezone.utc)
        except (ValueError, OverflowError):
            raise ValueError("expected an ISO 8601 time, e.g. 2026-05-15T02:30:00+00:00") from None
    return value


IsoTime = Annotated[str, AfterValidator(_check_iso_time)]
Coordinate = Annotated[float, Field(allow_inf_nan=False)]


class LocationBody(BaseModel):
    """Where an issue was seen: WGS-84 degrees, accuracy in metres, and where the fix came from."""

    latitude: Coordinate | str | None = None
    longitude: Coordinate | str | None = None
    accuracy_m: Coordinate | str | None = None
    source: str | None = None


class PhotoBody(BaseModel):
    """A photo an issue names; its bytes must be uploaded (complete) before the issue is pushed."""

    sha256: str = Field(pattern=SHA256_PATTERN)
    width: int = Field(default=0, ge=0, le=100_000)
    height: int = Field(default=0, ge=0, le=100_000)
    byte_size: int = Field(default=0, ge=0, le=MAX_BLOB_BYTES)
    taken_at: IsoTime | None = None
    latitude: Coordinate | None = Field(default=None, ge=-90, le=90)
    longitude: Coordinate | None = Field(default=None, ge=-180, le=180)


class IssueCreateBody(BaseModel):
    """The body of an `issue.create` mutation. The reporter is whoever signed in, never reporter_id."""

    id: str = Field(max_length=100)
    event_id: str = Field(max_length=100)
    title: str = ""
    description: str = ""
    category_id: str | None = Field(default=None, max_length=100)
    place_type: str = Field(default="other", max_length=100)
    place_name: str = ""
    location: LocationBody | None = None
    station_id: str | None = Field(default=None, max_length=100)
    source: str = Field(default="visit", max_length=100)
    reporter_id: str | None = None
    created_at: IsoTime | None = None
    photos: list[PhotoBody] = Field(default_factory=list, max_length=100)


class EventPayload(BaseModel):
    """The payload of a timeline event; which keys an event needs depends on its kind."""

    model_config = ConfigDict(extra="allow")
    text: str | None = None
    department_id: str | None = Field(default=None, max_length=100)
    category_id: str | None = Field(default=None, max_length=100)
    into: str | None = Field(default=None, max_length=100)
    sha256: str | None = Field(default=None, max_length=100)
    width: int | None = Field(default=None, ge=0, le=100_000)
    height: int | None = Field(default=None, ge=0, le=100_000)
    byte_size: int | None = Field(default=None, ge=0, le=MAX_BLOB_BYTES)


class IssueEventBody(BaseModel):
    """The body of an `issue.event` mutation: one entry appended to an issue's timeline."""

    id: str = Field(max_length=100)
    issue_id: str = Field(max_length=100)
    kind: str = Field(max_length=100)
    payload: EventPayload = Field(default_factory=EventPayload)
    created_at: IsoTime | None = None
