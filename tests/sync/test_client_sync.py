"""The sync client against the real central store in process: login, photos, progress, refusals, expired tokens."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import update
from sqlmodel import select

from app.issues import timeline
from app.models import OutboxMutation, Person
from app.outbox import SyncOutcome, read_status
from app.replica import signed_in_user
from sync.client import LoginRefused
from sync.server.db import device_token
from tests.sync.phones import Recording, asgi_http, central_rows, make_central, new_phone, phone_photos


@pytest.fixture
def central(tmp_path):
    app = make_central(tmp_path / "central")
    yield app
    app.state.engine.dispose()


def test_client_login_keeps_the_user_for_offline_use(tmp_path, central):
    async def main():
        async with asgi_http(central) as http:
            phone = await new_phone(tmp_path, "li", "deputy-li", http, first_sync=False)
            with pytest.raises(LoginRefused) as refused:
                await phone.client.login("deputy-li", "wrong-password")
            return phone, refused.value

    phone, refused = asyncio.run(main())
    assert refused.code == "auth.bad_credentials"
    with phone.session() as session:
        user = signed_in_user(session)
        assert user.username == "deputy-li" and user.name == "李秀英" and user.role == "deputy"
        assert session.get(Person, user.id).name == "李秀英"


def test_client_first_sync_pulls_the_township_and_sends_photos_with_progress(tmp_path, central):
    photos = phone_photos()
    progress = []

    async def main():
        async with asgi_http(central) as http:
            phone = await new_phone(tmp_path, "wang", "deputy-wang", http)
            refs = [phone.add_photo(path.read_bytes()) for path in photos[:4]]
            issue = phone.capture(title="柑桔园红蜘蛛", category="agri", photos=refs[:3])
            phone.act(issue.id, "attach_photo", sha256=refs[3].sha256, width=refs[3].width,
                      height=refs[3].height, byte_size=refs[3].byte_size)
            with phone.session() as session:
                before = read_status(session, phone.photos)
            report = await phone.client.sync_once(on_progress=progress.append)
            # A second phone naming a photo the server has already: nothing to upload.
            other = await new_phone(tmp_path, "hu", "staff-hu", http)
            other.photos.put_bytes(refs[0].sha256, phone.photos.read(refs[0].sha256))
            other.capture(title="同一地块复查", category="agri", photos=[refs[0]])
            second = await other.client.sync_once()
            return phone, refs, before, report, second

    phone, refs, before, report, second = asyncio.run(main())
    total = sum(r.byte_size for r in refs)
    assert before.pending_mutations == 2 and before.pending_photos == 4 and before.pending_photo_bytes == total
    assert report.ok and report.photos_uploaded == 4 and report.bytes_uploaded == total and report.applied == 2
    assert report.status.pending_mutations == 0 and report.status.pending_photos == 0
    assert report.status.last_success is not None
    photo_steps = [p for p in progress if p.phase == "photos"]
    assert [p.bytes_sent for p in photo_steps] == sorted(p.bytes_sent for p in photo_steps)
    assert photo_steps[-1].bytes_sent == photo_steps[-1].bytes_total == total
    assert photo_steps[-1].photos_done == 4 and photo_steps[-1].fraction == 1.0
    assert {p.phase for p in progress} == {"photos", "push", "pull"}
    assert second.ok and second.photos_uploaded == 0 and second.bytes_uploaded == 0 and second.applied == 1
    with phone.session() as session:
        assert session.exec(select(Person)).all()  # the township's people came with the first pull
    engine = central.state.engine
    stored = {r[0] for r in central_rows(engine, "SELECT sha256 FROM blob WHERE complete")}
    assert stored == {r.sha256 for r in refs}


def test_client_revoked_token_asks_for_login_and_loses_nothing(tmp_path, central):
    async def main():
        async with asgi_http(central) as http:
            phone = await new_phone(tmp_path, "chen", "deputy-chen", http)
            issue = phone.capture(title="作坊电线老化", category="safety")
            phone.act(issue.id, "comment", text="已拍照留存")
            with central.state.engine.begin() as conn:  # the office revokes the lost phone's token
                conn.execute(update(device_token).values(revoked_at=device_token.c.created_at))
            refused = await phone.client.sync_once()
            await phone.client.login("deputy-chen", "lianluo2026", device_name="陈志明的新手机")
            after = await phone.client.sync_once()
            return phone, issue, refused, after

    phone, issue, refused, after = asyncio.run(main())
    assert refused.outcome is SyncOutcome.AUTH_REQUIRED and refused.problem_code == "auth.token_revoked"
    assert refused.status.needs_login and refused.status.pending_mutations == 2
    assert after.ok and after.applied == 2 and not after.status.needs_login
    with phone.session() as session:
        assert all(e.server_seq is not None for e in timeline(session, issue.id))


def test_client_change_naming_a_lost_photo_waits_with_its_issue_and_others_go_through(tmp_path, central):
    photos = phone_photos()

    async def main():
        async with asgi_http(central) as http:
            phone = await new_phone(tmp_path, "zhao", "deputy-zhao", http)
            ref = phone.add_photo(photos[0].read_bytes())
            broken = phone.capture(title="河道倾倒垃圾", category="eco", photos=[ref])
            follow_up = phone.act(broken.id, "comment", text="又倒了一车")
            phone.photos.path(ref.sha256).unlink()  # the file is gone from the phone
            fine = phone.capture(title="文化广场路灯损坏", category="other")
            report = await phone.client.sync_once()
            return phone, broken, follow_up, fine, report

    phone, broken, follow_up, fine, report = asyncio.run(main())
    assert report.ok and report.applied == 1 and report.held_back == 2 and not report.rejected
    with phone.session() as session:
        states = {m.body.get("id"): m.state for m in session.exec(select(OutboxMutation))}
    assert states == {broken.id: "pending", follow_up.id: "pending", fine.id: "applied"}
    engine = central.state.engine
    assert central_rows(engine, "SELECT id FROM issue WHERE id IN (:a, :b)", a=broken.id, b=fine.id) == [(fine.id,)]


def test_client_refuses_to_sign_in_someone_else_over_waiting_changes(tmp_path, central):
    async def main():
        async with asgi_http(central) as http:
            phone = await new_phone(tmp_path, "shared", "deputy-yang", http)
            phone.capture(title="自来水管破裂", category="water")
            with pytest.raises(LoginRefused) as refused:
                await phone.client.login("deputy-zhou", "lianluo2026")
            return phone, refused.value

    phone, refused = asyncio.run(main())
    assert refused.code == "sync.pending_other_user"
    with phone.session() as session:
        assert signed_in_user(session).username == "deputy-yang"


def test_client_pushes_photo_free_issues_while_photos_upload_and_keeps_each_issue_in_order(tmp_path, central):
    photos = phone_photos()

    def described(request):
        kinds = []
        if request.url.path.endswith("/push"):
            kinds = [(m["kind"], m["body"].get("record_id") or m["body"].get("id"))
                     for m in json.loads(request.content)["mutations"]]
        return request.method, request.url.path.rsplit("/", 1)[-1], kinds

    async def main():
        async with Recording(asgi_http(central)) as http:
            phone = await new_phone(tmp_path, "liu", "deputy-liu", http)
            refs = [phone.add_photo(path.read_bytes()) for path in photos[:2]]
            with_photos = phone.capture(title="山坡裂缝", category="safety", photos=refs)
            phone.act(with_photos.id, "comment", text="裂缝比上周宽")
            plain = phone.capture(title="村道硬化未完工", category="roads")
            phone.act(plain.id, "comment", text="学生上学不便")
            http.requests.clear()
            report = await phone.client.sync_once()
            return phone, with_photos, plain, report, [described(r) for r in http.requests]

    phone, with_photos, plain, report, log = asyncio.run(main())
    assert report.ok and report.applied == 4 and report.photos_uploaded == 2
    pushes = [kinds for method, name, kinds in log if name == "push"]
    # The issue without photos went first, alongside the uploads; the other after its photos.
    assert pushes == [[("issue.create", plain.id), ("issue.event", plain.id)],
                      [("issue.create", with_photos.id), ("issue.event", with_photos.id)]]
    order = [name for method, name, kinds in log]
    assert order.index("push") < max(i for i, name in enumerate(order) if len(name) == 64)
    assert max(i for i, name in enumerate(order) if len(name) == 64) < len(order) - order[::-1].index("push") - 1
    engine = central.state.engine
    seqs = dict(central_rows(engine, "SELECT id, server_seq FROM record_event"))
    with phone.session() as session:
        for issue_id in (with_photos.id, plain.id):
            line = timeline(session, issue_id)
            assert [e.type for e in line] == ["create", "comment"]
            assert seqs[line[0].id] < seqs[line[1].id]


def test_a_photo_another_phone_took_is_downloaded_for_the_issue_screen(tmp_path, central):
    photo = phone_photos()[0].read_bytes()

    async def main():
        async with asgi_http(central) as http:
            wang = await new_phone(tmp_path, "wang", "deputy-wang", http)
            ref = wang.add_photo(photo)
            wang.capture(title="渠道淤塞", category="water", photos=[ref])
            assert (await wang.client.sync_once()).ok
            hu = await new_phone(tmp_path, "hu", "staff-hu", http)  # same station: sees the issue
            assert not hu.photos.has(ref.sha256)
            fetched = await hu.client.download_photo(ref.sha256)
            stranger = await new_phone(tmp_path, "zhao", "deputy-zhao", http)  # another station
            refused = await stranger.client.download_photo(ref.sha256)
            return ref, hu, fetched, stranger, refused

    ref, hu, fetched, stranger, refused = asyncio.run(main())
    assert fetched and hu.photos.verify(ref.sha256)
    assert hu.photos.read_thumbnail(ref.sha256)  # the list's thumbnail is made on this phone
    assert refused is False and not stranger.photos.has(ref.sha256)
