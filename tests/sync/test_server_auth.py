"""Signing in: per-device tokens that expire, can be revoked, and are kept only hashed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text, update

from app.clock import utcnow
from sync.server.db import device_token
from tests.sync.conftest import bearer


def test_login_gives_a_device_token_and_the_user_as_the_phone_keeps_it(central):
    response = central.client.post("/api/v1/auth/login", json={"username": "deputy-wang", "password": "lianluo2026",
                                                                "device_name": "王建华的手机"})
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "deputy-wang"
    assert body["user"]["name"] == "王建华"
    assert body["user"]["role"] == "deputy"
    assert body["user"]["station_id"]
    me = central.client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.json() == body["user"]
    with central.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash, device_name FROM device_token")).all()
    assert len(stored) == 1 and stored[0].device_name == "王建华的手机"
    assert body["token"] not in stored[0].token_hash  # only a keyed hash is kept


def test_each_device_gets_its_own_token(central):
    phone, tablet = central.login("deputy-wang"), central.login("deputy-wang")
    assert phone != tablet
    assert central.client.get("/api/v1/me", headers=phone).status_code == 200
    assert central.client.get("/api/v1/me", headers=tablet).status_code == 200


def test_a_wrong_password_or_unknown_user_is_refused_alike(central):
    before = central.snapshot()
    for username, password in (("deputy-wang", "wrong-password"), ("nobody", "lianluo2026")):
        response = central.client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == 401
        assert response.json()["code"] == "auth.bad_credentials"
        assert response.json()["message"]
    assert central.snapshot() == before


def test_requests_without_a_token_or_with_a_wrong_one_are_refused(central):
    for path in ("/api/v1/me", "/api/v1/pull"):
        missing = central.client.get(path)
        assert (missing.status_code, missing.json()["code"]) == (401, "auth.required")
        wrong = central.client.get(path, headers=bearer("not-a-token"))
        assert (wrong.status_code, wrong.json()["code"]) == (401, "auth.invalid_token")
    before = central.snapshot()
    push = central.client.post("/api/v1/push", json={"device_id": "x", "mutations": []},
                               headers=bearer("not-a-token"))
    assert push.json()["code"] == "auth.invalid_token"
    assert central.snapshot() == before


def test_an_expired_token_is_refused(central):
    headers = central.login("deputy-wang")
    with central.engine.begin() as conn:
        conn.execute(update(device_token).values(expires_at=utcnow() - timedelta(minutes=1)))
    response = central.client.get("/api/v1/pull", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.token_expired"


def test_the_token_lasts_the_configured_number_of_days(central):
    response = central.client.post("/api/v1/auth/login", json={"username": "admin", "password": "lianluo2026"})
    from datetime import datetime

    expires = datetime.fromisoformat(response.json()["expires_at"])
    assert abs(expires - (utcnow() + timedelta(days=central.settings.token_days))) < timedelta(minutes=1)


def test_the_office_revokes_a_lost_phone_and_only_that_one(central):
    lost, other = central.login("deputy-wang", device_name="旧手机"), central.login("deputy-wang", device_name="新手机")
    office = central.login("office-ma")
    devices = central.client.get("/api/v1/devices", params={"username": "deputy-wang"}, headers=office).json()
    assert {d["device_name"] for d in devices} == {"旧手机", "新手机"}
    lost_id = next(d["id"] for d in devices if d["device_name"] == "旧手机")
    revoked = central.client.post(f"/api/v1/devices/{lost_id}/revoke", headers=office)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    response = central.client.get("/api/v1/pull", headers=lost)
    assert (response.status_code, response.json()["code"]) == (401, "auth.token_revoked")
    assert central.client.get("/api/v1/pull", headers=other).status_code == 200
    live = central.client.get("/api/v1/devices", params={"username": "deputy-wang", "live": True}, headers=office)
    assert [d["device_name"] for d in live.json()] == ["新手机"]


def test_only_the_office_and_admin_manage_devices(central):
    wang, water = central.login("deputy-wang"), central.login("dept-water")
    office_token = central.login("office-ma")
    token_id = central.client.get("/api/v1/devices", headers=office_token).json()[0]["id"]
    for headers in (wang, water):
        assert central.client.get("/api/v1/devices", headers=headers).json()["code"] == "auth.forbidden"
        refused = central.client.post(f"/api/v1/devices/{token_id}/revoke", headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "auth.forbidden")
    assert central.client.get("/api/v1/me", headers=office_token).status_code == 200
    admin = central.login("admin")
    unknown = central.client.post("/api/v1/devices/01900000-0000-7000-8000-000000000000/revoke", headers=admin)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")


def test_logout_ends_this_devices_token(central):
    headers = central.login("deputy-wang")
    assert central.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    response = central.client.get("/api/v1/me", headers=headers)
    assert response.json()["code"] == "auth.token_revoked"


def test_a_login_keeps_working_after_the_server_restarts(central):
    from sync.server.app import create_app

    headers = central.login("deputy-wang")
    again = create_app(central.settings)
    try:
        from fastapi.testclient import TestClient

        with TestClient(again) as client:
            assert client.get("/api/v1/me", headers=headers).status_code == 200
    finally:
        again.state.engine.dispose()
