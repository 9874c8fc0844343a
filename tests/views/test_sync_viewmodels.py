"""The sign-in and sync screens' models, with a stand-in for the background sync."""

import asyncio
from datetime import datetime, timezone

from app.outbox import RejectedChange, SyncProgress, SyncStatus
from app.photos import PhotoStore
from app.reference import seed_reference
from app.viewmodels.context import AppContext
from app.viewmodels.sync import LoginModel, SyncModel


class FakeSyncer:
    def __init__(self, status=SyncStatus(), progress=None, login_answer=None):
        self._status, self.progress, self.login_answer = status, progress, login_answer
        self.woken = 0
        self.logins = []
        self.requested = False

    @property
    def online(self):
        return self._status.last_outcome == "ok"

    @property
    def running(self):
        return self.progress is not None

    def status(self):
        return self._status

    def sync_now(self):
        self.woken += 1

    async def login(self, username, password, device_name=""):
        self.logins.append((username, password))
        return self.login_answer


def context(engine, settings, tmp_path, syncer):
    ctx = AppContext(engine, PhotoStore(tmp_path / "p"), settings, syncer=syncer)
    with ctx.session() as session:
        seed_reference(session)
    return ctx


def test_sync_screen_explains_each_refusal_and_what_to_do(engine, settings, tmp_path):
    refused = RejectedChange(mutation_id="m", kind="issue.event", record_kind="issue", record_id="i",
                             title="河道倾倒建筑垃圾", event_id="e", event_type="rate",
                             code="event.not_allowed_in_status", reason="raw",
                             created_at=datetime(2026, 5, 15, tzinfo=timezone.utc))
    status = SyncStatus(pending_mutations=2, pending_photos=3, pending_photo_bytes=750_000, rejected=(refused,),
                        last_success=datetime(2026, 5, 15, 2, 5, tzinfo=timezone.utc), last_outcome="offline")
    syncer = FakeSyncer(status, SyncProgress(phase="photos", photo_sent=50, photo_size=200, bytes_sent=300,
                                             bytes_total=1200, photos_done=1, photos_total=3))
    model = SyncModel(context(engine, settings, tmp_path, syncer), syncer)
    assert model.pending_text == "2 条记录等待同步"
    assert model.photos_text == "3 张照片等待上传（约 0.8 MB）"
    assert model.last_success_text == "上次同步成功：2026年5月15日 10:05"
    assert model.problem_text.startswith("连不上服务器")
    assert (model.running, model.overall, model.photo_fraction) == (True, 0.25, 0.25)
    row = model.rejected[0]
    assert row.title == "河道倾倒建筑垃圾" and row.what == "满意度评价"
    assert "不能再进行" in row.why and row.advice.startswith("别人可能已先处理")
    model.sync_now()
    assert syncer.woken == 1


def test_sign_in_needs_both_fields_and_shows_why_it_failed(engine, settings, tmp_path):
    syncer = FakeSyncer(login_answer="network.offline")
    model = LoginModel(context(engine, settings, tmp_path, syncer), syncer)
    assert asyncio.run(model.submit()) is False and model.error == "请填写用户名和密码。"
    assert syncer.logins == []
    model.username, model.password = " deputy-wang ", "lianluo2026"
    assert asyncio.run(model.submit()) is False
    assert syncer.logins == [("deputy-wang", "lianluo2026")] and model.error.startswith("连不上服务器")
    syncer.login_answer = None
    assert asyncio.run(model.submit()) is True and model.password == ""


def test_the_issue_screen_fetches_photos_it_does_not_have(engine, settings, tmp_path, township, photo_fixtures):
    from app.photos import process_photo
    from app.viewmodels.issue_detail import IssueDetailModel
    from tests.factories import capture_issue
    from app.issues import PhotoRef

    taken = process_photo((photo_fixtures / "gps-DSCN0012.jpg").read_bytes())
    with AppContext(engine, PhotoStore(tmp_path / "p"), settings).session() as session:
        photo = PhotoRef(sha256=taken.sha256, width=taken.width, height=taken.height)
        issue = capture_issue(session, township["deputy-wang"], photos=(photo,))

    class Downloader(FakeSyncer):
        async def download_photos(self, hashes):
            for sha in hashes:
                ctx.photos.put_bytes(sha, taken.data)
            return len(hashes)

    ctx = AppContext(engine, PhotoStore(tmp_path / "p"), settings, syncer=Downloader())
    detail = IssueDetailModel(ctx, issue.id)
    assert detail.missing_photos == [taken.sha256] and detail.photos[0].available is False
    assert asyncio.run(detail.fetch_missing_photos()) is True
    assert detail.missing_photos == [] and detail.photos[0].thumbnail


def test_saving_an_issue_asks_for_a_sync_at_once(engine, settings, tmp_path):
    from app.reference import stable_id
    from app.viewmodels.capture import CaptureModel

    syncer = FakeSyncer()
    ctx = context(engine, settings, tmp_path, syncer)
    with ctx.session() as session:
        from app.demo import seed_people
        seed_people(session)
    ctx.sign_in_locally(stable_id("person", "deputy-wang"))
    model = CaptureModel(ctx)
    model.set_field("title", "村道塌方")
    model.set_field("category_id", stable_id("category", "roads"))
    assert syncer.woken == 0  # typing alone does not
    assert model.save() is not None
    assert syncer.woken == 1
