"""Switching user on a device: the previous user's records, photos and drafts go; what waits to sync never does."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, func, select

from app.drafts import save_draft
from app.errors import DomainError
from app.issues import Issue
from app.models import Category, Draft, OutboxMutation, Person
from app.outbox import OutboxState
from app.photos import PhotoStore, process_photo
from app.problems import Problem
from app.records import RecordEvent, RecordPhoto
from app.replica import HELD, ReplicaUser, forget_user, get_cursor, remember_login, set_cursor
from app.settings import Settings
from app.store import get_meta, set_meta
from sync.server.demo import load_demo
from sync.service import SyncService
from tests.factories import act, capture_issue
from tests.sync.phones import CHEAP_HASH, asgi_http, make_central, new_phone, phone_photos


def count(session: Session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def test_forget_user_removes_records_photos_drafts_and_pull_state_and_keeps_the_township(session, township,
                                                                                          tmp_path):
    photos = PhotoStore(tmp_path / "photos")
    stored = process_photo(phone_photos()[0].read_bytes())
    photos.put(stored)
    ma = township["office-ma"]
    remember_login(session, token="t", expires_at="2030-01-01T00:00:00+00:00",
                   user=ReplicaUser(id=ma.id, username="office-ma", name=ma.name, role=ma.role))
    issue = capture_issue(session, ma, photos=[dict(sha256=stored.sha256, width=stored.width,
                                                    height=stored.height, byte_size=len(stored.data))])
    act(session, ma, issue.id, "comment", text="已电话联系村委")
    save_draft(session, draft_id=None, author_id=ma.id, data={"title": "半截草稿"})
    for mutation in session.exec(select(OutboxMutation)):
        mutation.state = OutboxState.APPLIED.value  # the server took both
        session.add(mutation)
    set_cursor(session, 42)
    set_meta(session, HELD, '[{"seq": 43}]')
    set_meta(session, "device_id", "this-phone")
    session.commit()
    categories, people = count(session, Category), count(session, Person)

    forgotten = forget_user(session, photos)

    assert (forgotten.records, forgotten.photos) == (1, 1)
    for table in (Issue, RecordEvent, RecordPhoto, Draft, OutboxMutation):
        assert count(session, table) == 0, table
    assert not photos.has(stored.sha256) and not photos.thumbnail_path(stored.sha256).exists()
    assert get_cursor(session) == 0 and get_meta(session, HELD) == ""
    # The township's reference data, the device's id and who is signed in stay.
    assert count(session, Category) == categories and count(session, Person) == people
    assert get_meta(session, "device_id") == "this-phone" and get_meta(session, "auth.token") == "t"


def test_forget_user_is_refused_while_anything_waits_to_sync(session, township, tmp_path):
    wang = township["deputy-wang"]
    capture_issue(session, wang)  # still pending
    set_cursor(session, 7)
    session.commit()
    with pytest.raises(DomainError) as refused:
        forget_user(session, PhotoStore(tmp_path / "photos"))
    assert refused.value.code is Problem.PENDING_OTHER_USER
    assert count(session, Issue) == 1 and count(session, OutboxMutation) == 1 and get_cursor(session) == 7


@pytest.fixture
def central(tmp_path):
    app = make_central(tmp_path / "central")
    load_demo(app.state.engine, issues=True, password_hash=CHEAP_HASH)
    yield app
    app.state.engine.dispose()


def issue_ids(engine) -> set[str]:
    with Session(engine) as session:
        return set(session.exec(select(Issue.id)))


def test_a_department_device_after_the_switch_holds_only_what_the_server_lets_it_see(tmp_path, central):
    async def main():
        async with asgi_http(central) as http:
            office = await new_phone(tmp_path, "pc", "office-ma", http)
            seen_by_office = issue_ids(office.engine)
            ref = office.add_photo(phone_photos()[0].read_bytes())
            own = office.capture(title="接待群众来访：渠道漏水", photos=[ref])
            assert (await office.client.sync_once()).ok
            service = SyncService(office.engine, office.photos, Settings(), client=office.client)
            refused = await service.login("dept-water", "wrong-password")
            kept = issue_ids(office.engine)
            code = await service.login("dept-water", "lianluo2026")
            report = await office.client.sync_once()
            water = await new_phone(tmp_path, "water", "dept-water", http)
            return seen_by_office, own, ref, refused, kept, code, report, office, issue_ids(water.engine)

    seen_by_office, own, ref, refused, kept, code, report, device, server_lets_water_see = asyncio.run(main())
    assert refused == "auth.bad_credentials" and own.id in kept  # a failed sign-in removes nothing
    assert code is None and report.ok
    held = issue_ids(device.engine)
    assert held == server_lets_water_see
    assert server_lets_water_see and len(held) < len(seen_by_office)
    assert own.id not in held and not device.photos.has(ref.sha256)
    with Session(device.engine) as session:
        # Nothing of the office's sending history, and every issue event the device holds is of an issue it holds
        # (the township's livelihood projects, everyone's to see, come with theirs).
        assert count(session, OutboxMutation) == 0
        assert set(session.exec(select(RecordEvent.record_id).where(RecordEvent.record_kind == "issue"))) <= held


def test_the_switch_is_refused_while_the_previous_user_has_changes_waiting(tmp_path, central):
    async def main():
        async with asgi_http(central) as http:
            phone = await new_phone(tmp_path, "wang", "deputy-wang", http)
            waiting = phone.capture(title="七星村五组饮用水浑浊")
            service = SyncService(phone.engine, phone.photos, Settings(), client=phone.client)
            refused = await service.login("dept-water", "lianluo2026")
            still_there = waiting.id in issue_ids(phone.engine)
            assert (await phone.client.sync_once()).ok  # 立即同步
            switched = await service.login("dept-water", "lianluo2026")
            return refused, still_there, switched, phone

    refused, still_there, switched, phone = asyncio.run(main())
    assert refused == Problem.PENDING_OTHER_USER.value and still_there
    assert switched is None
    with Session(phone.engine) as session:
        assert get_meta(session, "user_id") != "" and count(session, OutboxMutation) == 0
