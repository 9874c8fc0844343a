"""Property-based requests against every documented operation: the server never answers 5xx.

Schemathesis reads the OpenAPI document and generates requests that fit it and requests
that do not, sent signed in with a demo token, on the demo township (on SQLite and on
PostgreSQL). Its Hypothesis strategies are used directly (`as_strategy`), because its
pytest plugin's lazy loading does not work with this pytest.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

# A blob upload's body is raw bytes (tus's media type): send it as plain octets.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

EXAMPLES_PER_OPERATION = 25
# Signing out would end the token the run uses; it has its own test below.
SKIPPED = {("POST", "/api/v1/auth/logout")}


def test_no_request_makes_the_server_fail(central):
    central.load_demo_issues()
    headers = central.login("office-ma")
    schema = schemathesis.openapi.from_asgi("/openapi.json", central.app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def send(case):
                case.call_and_validate(headers=headers, checks=[not_a_server_error])

            try:
                send()
            except Unsatisfiable:
                # An operation that takes nothing (GET /ping) has no wrong request to make of it.
                if mode is not GenerationMode.NEGATIVE or _takes_something(operation):
                    raise
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 9, checked
    # The token survived the run: nothing revoked it by accident.
    assert central.client.get("/api/v1/me", headers=headers).status_code == 200


def _takes_something(operation) -> bool:
    """Whether an operation takes anything a request could get wrong besides the optional protocol header."""
    definition = operation.definition.raw
    parameters = [p for p in definition.get("parameters") or () if p.get("required") or p.get("in") != "header"]
    return bool(parameters or definition.get("requestBody"))


def test_signing_out_is_documented_and_answers(central):
    document = central.client.get("/openapi.json").json()
    assert "post" in document["paths"]["/api/v1/auth/logout"]
    headers = central.login("deputy-wang")
    assert central.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
