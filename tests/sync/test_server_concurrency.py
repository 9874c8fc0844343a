"""Phones pushing at the same moment: every record once, and a pull that never skips a change."""

from __future__ import annotations

import threading
import warnings

from sqlalchemy import text

from tests.sync.conftest import issue_create, issue_event

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient


def test_the_same_batch_sent_from_several_threads_at_once_is_applied_once(central):
    wang = central.login("deputy-wang")
    create = issue_create()
    batch = [create] + [issue_event(create["body"]["id"], "comment", text=f"第{i}次补充") for i in range(5)]
    answers: list[list[dict]] = []
    errors: list[BaseException] = []

    def send():
        try:
            with TestClient(central.app) as client:
                response = client.post("/api/v1/push", headers=wang, json={"device_id": "p", "mutations": batch})
                answers.append(response.json()["results"])
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and len(answers) == 4
    for i in range(len(batch)):
        statuses = sorted(a[i]["status"] for a in answers)
        assert statuses == ["applied", "duplicate", "duplicate", "duplicate"], statuses
        assert len({a[i]["seq"] for a in answers}) == 1
    with central.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM record_event WHERE record_id = :i"),
                            {"i": create["body"]["id"]}).scalar_one() == len(batch)


def test_a_pull_running_beside_pushes_never_skips_a_change(central):
    office = central.login("office-ma")
    pushers = [central.login(name) for name in ("deputy-wang", "deputy-li", "deputy-zhang")]
    stations = ["juyuan", "qixing", "zaoyuan"]
    _, start = central.pull_all(office)
    done = threading.Event()
    pulled: list[int] = []
    errors: list[BaseException] = []

    def push(headers, station):
        try:
            with TestClient(central.app) as client:
                for _ in range(8):
                    create = issue_create(station=station)
                    client.post("/api/v1/push", headers=headers,
                                json={"device_id": station, "mutations": [
                                    create, issue_event(create["body"]["id"], "comment", text="补充")]})
        except BaseException as exc:
            errors.append(exc)

    def pull():
        try:
            with TestClient(central.app) as client:
                since = start
                while True:
                    finished = done.is_set()
                    page = client.get("/api/v1/pull", params={"since": since, "limit": 7}, headers=office).json()
                    pulled.extend(c["seq"] for c in page["changes"])
                    since = page["cursor"]
                    if finished and not page["more"]:
                        return
        except BaseException as exc:
            errors.append(exc)

    puller = threading.Thread(target=pull)
    threads = [threading.Thread(target=push, args=(h, s)) for h, s in zip(pushers, stations)]
    puller.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    puller.join(timeout=120)
    assert not errors
    with central.engine.connect() as conn:
        logged = list(conn.execute(text("SELECT seq FROM change_log WHERE seq > :s AND audience = 'record' "
                                        "ORDER BY seq"), {"s": start}).scalars())
    assert len(logged) == 3 * 8 * 4  # issue, its create event, the issue again and the comment
    assert pulled == logged
