"""Wire checks of a pushed mutation, without the database: its body hash, its text, its shape; the answers.

The JSON text a phone sends may hold what no store keeps (a NUL, an unpaired surrogate,
NaN): such a mutation is refused as `request.malformed`, typed, on SQLite and PostgreSQL
alike, and never retried.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from pydantic import BaseModel

from app.errors import DomainError
from app.problems import Problem
from app.records import Action, EventBody, RecordKind, action_of, kind_of_mutation, validated
from sync.protocol import Mutation, MutationStatus
from sync.server.errors import json_safe, message_for

log = logging.getLogger("lianluo.server.push")

# json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")), made once.
_HASH_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _hash_text(kind: str, body: Mapping[str, Any]) -> str:
    return _HASH_ENCODER.encode({"kind": kind, "body": body})


def body_hash(kind: str, body: Mapping[str, Any]) -> str:
    """Return a hash of a mutation's kind and body that ignores key order and spacing."""
    return hashlib.sha256(_hash_text(kind, body).encode("utf-8", "surrogatepass")).hexdigest()


def _hash_and_screen(kind: str, body: Mapping[str, Any]) -> tuple[str, bool]:
    """Return `body_hash(kind, body)` and whether the kind and body's text are surely clean, from one serialisation.

    The JSON text escapes a NUL as \\u0000, keeps an unpaired surrogate (which then does not
    encode strictly) and writes NaN and infinities as NaN / Infinity: if none of those
    appear, `wire_text_problem` has nothing to find.
    """
    text_ = _hash_text(kind, body)
    try:
        data = text_.encode("utf-8")
    except UnicodeEncodeError:
        return hashlib.sha256(text_.encode("utf-8", "surrogatepass")).hexdigest(), False
    clean = "\\u0000" not in text_ and "NaN" not in text_ and "Infinity" not in text_
    return hashlib.sha256(data).hexdigest(), clean


def wire_text_problem(value: Any, path: str = "body") -> str | None:
    """Name the first value the store cannot keep: a NUL or unpaired surrogate in text, NaN or infinity."""
    if isinstance(value, str):
        if "\x00" in value:
            return f"{path}: text contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{path}: text is not valid Unicode"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path}: numbers must be finite"
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = wire_text_problem(key, path) or wire_text_problem(item, f"{path}.{key}")
            if problem:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = wire_text_problem(item, f"{path}[{index}]")
            if problem:
                return problem
    return None


def storable(text: str, limit: int = 100) -> str:
    """Return text as a store can keep it: NULs and unpaired surrogates replaced, at most `limit` characters."""
    return text[:limit].replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


# ---------------------------------------------------------------- answers

def result(mutation_id: str, status: MutationStatus | str, *, seq: int | None = None, code: str | None = None,
           params: Mapping[str, Any] | None = None, reason: str | None = None) -> dict[str, Any]:
    """One mutation's answer, as `protocol.MutationResult` dumps it (and as applied_mutation keeps it)."""
    detail = json_safe(dict(params)) if params else {}
    if code is not None and reason is None:
        reason = message_for(code, detail)
    return {"id": mutation_id, "status": str(status), "seq": seq, "code": None if code is None else str(code),
            "reason": reason, "detail": detail, "first_status": None}


def applied(mutation_id: str, seq: int) -> dict[str, Any]:
    return {"id": mutation_id, "status": "applied", "seq": seq, "code": None, "reason": None, "detail": {},
            "first_status": None}


def server_error(mutation_id: str) -> dict[str, Any]:
    return result(mutation_id, MutationStatus.REJECTED, code=Problem.SERVER_ERROR)


def duplicate(first: Mapping[str, Any]) -> dict[str, Any]:
    """Answer a mutation sent again with what its first send answered."""
    answer = {"id": first.get("id"), "status": first.get("status"), "seq": first.get("seq"),
              "code": first.get("code"), "reason": first.get("reason"), "detail": first.get("detail") or {},
              "first_status": None}
    return answer | {"status": MutationStatus.DUPLICATE.value, "first_status": answer["status"]}


@dataclass
class Refusal(Exception):
    """A mutation refused before or by the rules; nothing of it is stored (but see `record`)."""

    code: Problem
    params: dict[str, Any] = field(default_factory=dict)
    # For an event on a record the user can see: keep the event in the timeline, marked refused.
    record: dict[str, Any] | None = None

    @classmethod
    def of(cls, error: DomainError) -> "Refusal":
        return cls(error.code, dict(error.params) | ({"field": error.field} if error.field else {}))


def refused(mutation_id: str, refusal: Refusal, *, seq: int | None = None) -> dict[str, Any]:
    return result(mutation_id, MutationStatus.REJECTED, seq=seq, code=refusal.code, params=refusal.params)


# ---------------------------------------------------------------- a mutation checked without the database

@dataclass(slots=True)
class Prepared:
    """A mutation as the batch judges it: its hash, kind and checked body, or the answer it gets regardless."""

    id: str
    kind: str  # as a store can keep it
    digest: str
    record_kind: RecordKind | None = None
    is_create: bool = False
    action: Action | None = None  # a kind's own mutation (a secret ballot's cast)
    body: BaseModel | None = None
    answer: dict[str, Any] | None = None  # refused whatever the store holds (unless the id was seen before)

    @property
    def record_id(self) -> str:
        return self.body.id if self.is_create else self.body.record_id  # type: ignore[union-attr]


def prepare(mutation: Mutation) -> Prepared:
    """Hash a mutation and check its kind, text and shape; needs no database."""
    mutation_id, raw = mutation.id, mutation.body
    try:
        digest, clean = _hash_and_screen(mutation.kind, raw)
    except Exception:
        log.exception("mutation %s could not be hashed", mutation_id)
        return Prepared(mutation_id, storable(mutation.kind), "", answer=server_error(mutation_id))
    prepared = Prepared(mutation_id, storable(mutation.kind), digest)
    try:
        found = kind_of_mutation(mutation.kind)
        acting = action_of(mutation.kind) if found is None else None
        if found is None and acting is None:
            prepared.answer = result(mutation_id, MutationStatus.REJECTED, code=Problem.UNKNOWN_MUTATION,
                                     params={"kind": prepared.kind})
            return prepared
        problem = None if clean else wire_text_problem(raw)
        if problem:
            prepared.answer = result(mutation_id, MutationStatus.REJECTED, code=Problem.MALFORMED,
                                     params={"errors": [problem]})
            return prepared
        if acting is not None:
            prepared.record_kind, prepared.action = acting
            prepared.body = validated(acting[1].body, raw)
            if acting[1].secret:
                # The store keeps a hash of every body it answered: of a secret one, only of what names it.
                prepared.digest = body_hash(mutation.kind, {k: raw.get(k) for k in acting[1].hash_fields})
            return prepared
        prepared.record_kind, prepared.is_create = found
        prepared.body = validated(found[0].create if found[1] else EventBody, raw)
    except DomainError as error:  # the body is not the shape the protocol says
        prepared.answer = result(mutation_id, MutationStatus.REJECTED, code=error.code, params=error.params)
    except Exception:
        log.exception("mutation %s (%s) could not be checked", mutation_id, prepared.kind)
        prepared.answer = server_error(mutation_id)
    return prepared
