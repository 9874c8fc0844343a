"""The OpenAPI document shows every kind's bodies: what a push may carry and what a pull sends back.

A push's mutation body and a pull's change data are JSON objects on the wire (each is
checked against its kind's model one by one, so one bad mutation never refuses a whole
batch); the document names the models they are, from the registry of kinds.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from app.records import EventBody, kinds, payload_models
from app.replica import entity_models

REF = "#/components/schemas/{model}"


def install_openapi(app: FastAPI) -> None:
    """Make the app's OpenAPI document name every kind's creation body, event payloads and pulled records."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    creates = {kind.create_mutation: kind.create for kind in kinds()}
    payloads = payload_models()
    entities = entity_models()
    models = list({id(m): m for m in [*creates.values(), EventBody, *payloads.values(), *entities.values()]}.values())
    refs, definitions = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    for name, definition in definitions.get("$defs", {}).items():
        components.setdefault(name, definition)

    def ref(model) -> dict[str, str]:
        return refs[(model, "validation")]

    mutation = components.get("Mutation", {}).get("properties", {})
    if "body" in mutation:
        mutation["body"] = {
            "description": "By `kind`: " + ", ".join(f"`{name}` → {model.__name__}" for name, model in creates.items())
                           + "; `<kind>.event` → EventBody, whose `payload` is the event type's: "
                           + ", ".join(f"`{name}` → {model.__name__}" for name, model in payloads.items()),
            "oneOf": [ref(model) for model in creates.values()] + [ref(EventBody)]}
    change = components.get("Change", {}).get("properties", {})
    if "data" in change:
        change["data"] = {
            "description": "By `entity`: " + ", ".join(f"`{name}` → {model.__name__}"
                                                       for name, model in entities.items()),
            "oneOf": [ref(model) for model in entities.values()]}
    return schema
