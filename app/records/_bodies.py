"""The bodies of the two mutations every kind of record has: its creation, and one event on its timeline.

These pydantic models are the wire contract and what the rules validate with, on the phone
and on the server alike; each kind's creation body extends `CreateBody`, each event type's
payload extends `Payload`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictFloat, StrictInt

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
MAX_PHOTO_BYTES = 20 * 1024 * 1024
MAX_PIXELS_SIDE = 100_000


def _iso_time(value: Any) -> Any:
    """Read an ISO 8601 time (only text: a number is not a time here); a naive time is UTC."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("expected an ISO 8601 time, e.g. 2026-05-15T02:30:00+00:00") from None
    else:
        raise ValueError("expected an ISO 8601 time as text")
    try:
        return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise ValueError("the time is out of range") from None


Uuid = Annotated[str, Field(pattern=UUID_PATTERN)]
Sha256 = Annotated[str, Field(pattern=SHA256_PATTERN)]
# A time in UTC, read from ISO 8601 text.
Time = Annotated[datetime, BeforeValidator(_iso_time)]
# A JSON number that is finite; true and false are not numbers.
Number = Annotated[StrictInt | StrictFloat, Field(allow_inf_nan=False)]
Latitude = Annotated[Number, Field(ge=-90, le=90)]
Longitude = Annotated[Number, Field(ge=-180, le=180)]
Pixels = Annotated[StrictInt, Field(ge=0, le=MAX_PIXELS_SIDE)]
ByteSize = Annotated[StrictInt, Field(ge=0, le=MAX_PHOTO_BYTES)]


class PhotoBody(BaseModel):
    """A photo a record names; its bytes must be uploaded (complete) before the record is pushed."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    sha256: Sha256
    width: Pixels = 0
    height: Pixels = 0
    byte_size: ByteSize = 0
    taken_at: Time | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class CreateBody(BaseModel):
    """The body of a `<kind>.create` mutation: the record's id, its `create` event's id, when, its photos.

    The author is whoever signed in, never a field of the body. Keys this version does
    not know are ignored, so a newer phone can add fields.
    """

    model_config = ConfigDict(extra="ignore")
    id: Uuid
    event_id: Uuid
    created_at: Time | None = None
    photos: list[PhotoBody] = Field(default_factory=list, max_length=100)


class EventBody(BaseModel):
    """The body of a `<kind>.event` mutation: one entry appended to a record's timeline."""

    model_config = ConfigDict(extra="ignore")
    id: Uuid
    record_id: Uuid
    type: str = Field(min_length=1, max_length=100)
    payload: dict[str, Any] = Field(default_factory=dict)
    created_at: Time | None = None


class Payload(BaseModel):
    """What an event carries; each event type declares its own. Unknown keys are kept (a newer phone's)."""

    model_config = ConfigDict(extra="allow")
    text: str | None = None


class PhotoPayload(Payload):
    """The payload of an event that attaches one photo to the record."""

    sha256: str | None = Field(default=None, max_length=100)
    width: Pixels | None = None
    height: Pixels | None = None
    byte_size: ByteSize | None = None
