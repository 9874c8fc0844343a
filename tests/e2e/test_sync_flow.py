"""A deputy's whole day through the real central store: sign in, get the township's issues, record one offline-first, see it arrive."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

from app.reference import stable_id
from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync.server.demo import load_demo
from tests.e2e.browser import (GPS_PHOTO, AppServer, expect_screen, field_input, issue_tile, open_app, record_issue,
                               tap, text, button, type_into)
from tests.sync.phones import CHEAP_HASH, ServerProcess, make_central

pytestmark = pytest.mark.e2e


@pytest.fixture
def central(tmp_path):
    data = tmp_path / "central"
    app = make_central(data)
    load_demo(app.state.engine, issues=True, password_hash=CHEAP_HASH)
    app.state.engine.dispose()
    with ServerProcess(data) as server:
        yield server


@pytest.fixture
def field_app(tmp_path, central):
    app = AppServer(tmp_path / "phone", demo=False, server_url=central.url)
    try:
        yield app.start()
    finally:
        app.stop()


def sign_in(page, username: str, password: str) -> None:
    expect(field_input(page, "用户名")).to_be_attached()
    type_into(page, "用户名", username)
    type_into(page, "密码", password)
    tap(button(page, "登录", exact=True))


def office_sees(central_url: str, title: str) -> dict | None:
    """Ask the central store, as the township office, for the issue with this title."""
    with httpx.Client(base_url=central_url + "/api/v1", headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)}) as http:
        token = http.post("/auth/login", json={"username": "office-ma", "password": "lianluo2026"}).json()["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        since, found, photos = 0, None, []
        while True:
            page = http.get("/pull", params={"since": since, "limit": 500}).json()
            for change in page["changes"]:
                if change["entity"] == "issue" and change["data"]["title"] == title:
                    found = change["data"]
                if change["entity"] == "photo":
                    photos.append(change["data"])
            since = page["cursor"]
            if not page["more"]:
                break
        if found is None:
            return None
        found["photos"] = [p for p in photos if p["record_id"] == found["id"]]
        for photo in found["photos"]:
            photo["download"] = http.get(f"/blobs/{photo['sha256']}").status_code
        return found


def test_sign_in_pull_record_and_sync(central, field_app, phone):
    page, network = phone
    open_app(page, field_app.url, "/")
    expect(text(page, "第一次使用请联网登录一次")).to_be_visible()  # a new phone asks to sign in first

    sign_in(page, "deputy-wang", "wrong-password")
    expect(text(page, "用户名或密码不对")).to_be_visible()  # the server's refusal, in plain words

    type_into(page, "密码", "lianluo2026")
    tap(button(page, "登录", exact=True))
    expect_screen(page, "联络通")
    # The township's issues for 王建华's station came down from the central store.
    expect(issue_tile(page, "抗旱水源不足，柑桔园灌溉困难")).to_be_visible()

    title = f"水渠堵塞 {uuid.uuid4().hex[:6]}"
    record_issue(page, title=title, photo=GPS_PHOTO, category="供水与饮水安全")
    expect(issue_tile(page, title)).to_be_visible()
    expect(text(page, "全部记录已同步")).to_be_visible(timeout=60_000)  # photo and issue went up

    issue = office_sees(central.url, title)
    assert issue is not None, "the office does not see the new issue"
    assert issue["station_id"] == stable_id("station", "juyuan")
    assert abs(issue["latitude"] - 43.467) < 0.01  # from the photo's EXIF
    assert len(issue["photos"]) == 1 and issue["photos"][0]["download"] == 200
    assert network.unexpected_outside() == []
