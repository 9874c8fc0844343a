"""Bad requests get a Problem with a stable code and the right status, and change nothing."""

from __future__ import annotations

import json

from app.problems import Problem
from sync.protocol import MAX_BODY_BYTES, PROTOCOL_VERSION, ProblemBody
from tests.sync.conftest import issue_create


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = ProblemBody.model_validate(response.json())
    assert body.code == code
    assert body.message and body.message != f"error.{code}"  # a real sentence, from the catalog
    return response.json()


def test_malformed_json_is_refused_and_changes_nothing(central):
    wang = central.login("deputy-wang")
    before = central.snapshot()
    response = central.client.post("/api/v1/push", content=b'{"device_id": "p", "mutations": [',
                                   headers={**wang, "Content-Type": "application/json"})
    _problem(response, 400, "request.malformed")
    assert central.snapshot() == before


def test_a_body_of_the_wrong_shape_answers_malformed_not_fastapis_422(central):
    wang = central.login("deputy-wang")
    before = central.snapshot()
    for body in ({"mutations": []}, {"device_id": "p", "mutations": [{"id": "x", "kind": "issue.create"}]},
                 {"device_id": "p", "mutations": [], "extra": 1}, [1, 2]):
        body = _problem(central.client.post("/api/v1/push", json=body, headers=wang), 400, "request.malformed")
        assert body["detail"]["errors"]
    assert central.snapshot() == before


def test_a_body_over_the_limit_is_refused_by_its_length_and_by_what_arrives(central):
    wang = central.login("deputy-wang")
    before = central.snapshot()
    create = issue_create()
    create["body"]["description"] = "很长的描述" * (MAX_BODY_BYTES // 10)
    payload = json.dumps({"device_id": "p", "mutations": [create]}, ensure_ascii=False).encode()
    assert len(payload) > MAX_BODY_BYTES
    declared = central.client.post("/api/v1/push", content=payload,
                                   headers={**wang, "Content-Type": "application/json"})
    _problem(declared, 413, "request.too_large")

    def chunks():  # no Content-Length: the body is streamed and counted as it comes
        for start in range(0, len(payload), 65536):
            yield payload[start:start + 65536]

    streamed = central.client.post("/api/v1/push", content=chunks(),
                                   headers={**wang, "Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in streamed.request.headers}
    _problem(streamed, 413, "request.too_large")
    assert central.snapshot() == before


def test_an_unknown_protocol_version_is_refused_in_the_header_or_the_body(central):
    wang = central.login("deputy-wang")
    before = central.snapshot()
    push = {"device_id": "p", "mutations": [issue_create()]}
    header = central.client.post("/api/v1/push", json=push,
                                 headers={**wang, "X-Lianluo-Protocol": str(PROTOCOL_VERSION + 1)})
    assert _problem(header, 400, "protocol.unsupported_version")["detail"]["supported"] == [PROTOCOL_VERSION]
    body = central.client.post("/api/v1/push", json={**push, "protocol": 99}, headers=wang)
    _problem(body, 400, "protocol.unsupported_version")
    pull = central.client.get("/api/v1/pull", headers={**wang, "X-Lianluo-Protocol": "0"})
    _problem(pull, 400, "protocol.unsupported_version")
    assert central.snapshot() == before


def test_unknown_routes_and_methods_answer_problems(central):
    _problem(central.client.get("/api/v1/nothing-here"), 404, "not_found")
    response = central.client.delete("/api/v1/push")
    assert response.status_code == 405
    assert response.json()["code"] == "request.malformed"


def test_every_error_code_has_an_http_status_and_a_message(central):
    from sync.server.errors import message_for

    for problem in Problem:
        assert 400 <= problem.status < 600, problem
        assert message_for(problem.code) not in (problem.code, problem.message_key)


def test_the_openapi_document_declares_the_problems(central):
    document = central.client.get("/openapi.json").json()
    assert "ProblemBody" in document["components"]["schemas"]
    push = document["paths"]["/api/v1/push"]["post"]
    assert {"400", "401", "413", "500"} <= set(push["responses"])
    upload = document["paths"]["/api/v1/blobs/{sha256}"]["patch"]
    assert {"409", "422"} <= set(upload["responses"])
    assert "X-Lianluo-Protocol" in {p["name"] for p in push.get("parameters", [])}
    assert central.client.get("/docs").status_code == 200


def test_the_api_document_shows_every_kinds_bodies(central):
    from app.records import kinds, payload_models
    from app.replica import entity_models

    schemas = central.client.get("/openapi.json").json()["components"]["schemas"]
    body = schemas["Mutation"]["properties"]["body"]
    named = {ref["$ref"].rsplit("/", 1)[-1] for ref in body["oneOf"]}
    assert {kind.create.__name__ for kind in kinds()} | {"EventBody"} <= named
    for model in payload_models().values():
        assert model.__name__ in schemas and model.__name__ in body["description"]
    data = schemas["Change"]["properties"]["data"]
    assert {ref["$ref"].rsplit("/", 1)[-1] for ref in data["oneOf"]} == {m.__name__ for m in entity_models().values()}
    assert schemas["IssueCreate"]["properties"]["location"]  # the models themselves, not only their names
    models = set(payload_models().values()) | set(entity_models().values())
    assert len({m.__name__ for m in models}) == len(models), "two wire models share a name in the document"
