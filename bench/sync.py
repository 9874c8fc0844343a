"""Time sync side by side with what bounds it: a raw insert, a small store, the link's own limit.

Run from the repository root: ``.venv/bin/python bench/sync.py [--reps N] [--quick]``; the
output is also written to ``bench/sync-results.txt`` (``--out`` to change).

(a) push: mutations/s through the real push endpoint (the central store on SQLite, in
    process, no socket; after one empty push, so the server is warm) vs a raw batched
    insert (executemany, one transaction per 500 mutations) of the very rows that push
    wrote (issues, events, photos, change log, applied mutations) into the same kind of
    database (same schema and PRAGMAs). Target >= 0.5x. One more push run, timed phase
    by phase, says where the push's time goes.
(b) pull with nothing new, on a change log of 1,000,000 rows vs one of 1,000 (filled with
    executemany of raw rows). Target <= 1.5x.
(c) a new phone's first full sync, 200 issues and 30 real phone photos (the fixtures, run
    through app.photos.process_photo with a different max_edge / quality on each pass so
    every hash differs), to a real server process through the loopback proxy at 2 Mbit/s
    each way with a 150 ms round trip, vs the link's limit: payload bytes / bandwidth
    plus the round trips the protocol cannot avoid. Target <= 1.15x. A CouchDB-style
    replication of the same data (base64 attachments inside the JSON, round trips per
    batch of 100 documents) is modelled the same way, for comparison.

Every figure is the best of several repetitions, run in the same process one after the other.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from contextlib import redirect_stdout
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.clock import utcnow  # noqa: E402
from app.ids import new_id  # noqa: E402
from app.issues import IssueDraft, PhotoRef, capture_issue, create_body, event_body, record_event  # noqa: E402
from app.photos import PhotoStore, process_photo  # noqa: E402
from app.reference import STATIONS, seed_reference, stable_id  # noqa: E402
from app.replica import signed_in_user  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store import open_store  # noqa: E402
from sync import protocol  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.server import auth  # noqa: E402
from sync.server.app import create_app  # noqa: E402
from sync.server.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from tests.sync.netproxy import NetProxy  # noqa: E402
from tests.sync.phones import ServerProcess, prepare_central  # noqa: E402

FIXTURES = REPO.parent / "shared" / "fixtures" / "photos"
SECRET = "bench-secret-key-0123456789"
BANDWIDTH = 2_000_000 / 8  # bytes per second, each way
RTT = 0.150
COUCH_BATCH = 100

# Logins in the benchmark are not what is measured: hash cheaply.
auth.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def central(data_dir: Path):
    app = create_app(Settings(data_dir=data_dir, secret_key=SECRET))
    load_demo(app.state.engine, issues=False)
    return app


async def token_for(http: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await http.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}",
            protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION)}


# ---------------------------------------------------------------- (a) push

def field_mutations(issues: int) -> list[dict]:
    """What a deputy's phone queues: each issue recorded, then a comment on it."""
    mutations = []
    for n in range(issues):
        draft = IssueDraft(title=f"灌溉渠堵塞 第{n + 1}段", category_id=stable_id("category", "water"),
                           description="渠道淤泥约半米深，抗旱时水引不进来。", place_type="farmland",
                           place_name="桔园村三组", station_id=stable_id("station", "juyuan"))
        issue_id = new_id()
        mutations.append({"id": new_id(), "kind": "issue.create",
                          "body": create_body(draft, issue_id=issue_id, event_id=new_id(), reporter_id="",
                                              created_at=utcnow())})
        mutations.append({"id": new_id(), "kind": "issue.event",
                          "body": event_body(event_id=new_id(), issue_id=issue_id, kind="comment",
                                             payload={"text": "群众希望汛期前疏通"}, created_at=utcnow())})
    return mutations


TABLES = ("issue", "issue_event", "issue_photo", "change_log", "applied_mutation")


def raw_insert(source: Path, target: Path, head: int, batches: int) -> tuple[float, int]:
    """Copy the rows push wrote into a fresh store of the same kind with executemany; return (seconds, rows)."""
    with sqlite3.connect(source) as conn:
        rows = {}
        for table in TABLES:
            where = f" WHERE seq > {head}" if table == "change_log" else ""
            cursor = conn.execute(f"SELECT * FROM {table}{where}")
            columns = [d[0] for d in cursor.description]
            rows[table] = (columns, cursor.fetchall())
    conn = sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        conn.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    for part in range(batches):
        conn.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            columns, values = rows[table]
            size = math.ceil(len(values) / batches)
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                             values[part * size:(part + 1) * size])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed, sum(len(v) for _, v in rows.values())


async def push_once(root: Path, issues: int, phases: "Phases | None" = None) -> tuple[float, float, int]:
    pushed, raw = root / "pushed", root / "raw"
    app = central(pushed)
    central(raw).state.engine.dispose()  # the same schema and reference data, nothing pushed
    mutations = field_mutations(issues)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://central") as http:
        headers = await token_for(http, "deputy-wang")
        warm = await http.post("/api/v1/push", json={"protocol": 1, "device_id": "bench", "mutations": []},
                               headers=headers)
        warm.raise_for_status()
        with sqlite3.connect(pushed / "central.sqlite3") as conn:
            head = conn.execute("SELECT max(seq) FROM change_log").fetchone()[0]
        if phases is not None:
            phases.seconds.clear()
        start = time.perf_counter()
        for at in range(0, len(mutations), protocol.MAX_BATCH):
            body = {"protocol": 1, "device_id": "bench", "mutations": mutations[at:at + protocol.MAX_BATCH]}
            response = await http.post("/api/v1/push", json=body, headers=headers)
            response.raise_for_status()
            assert all(r["status"] == "applied" for r in response.json()["results"]), response.text[:500]
        push_seconds = time.perf_counter() - start
        if phases is not None:
            phases.done = True  # what the pushes took, not what comes after
    app.state.engine.dispose()
    batches = math.ceil(len(mutations) / protocol.MAX_BATCH)
    raw_seconds, rows = raw_insert(pushed / "central.sqlite3", raw / "central.sqlite3", head, batches)
    return push_seconds, raw_seconds, rows


class Phases:
    """Time the push's phases by wrapping them (costs a little; for the breakdown run only)."""

    def __init__(self):
        from sqlalchemy.orm import Session as OrmSession

        from sync.server import push

        self.seconds: dict[str, float] = {}
        self.done = False
        self.targets = [(push, "prepare"), (push.Batch, "load"), (push.Batch, "judge_all"),
                        (push._BulkInsert, "params"), (push.Batch, "write"), (OrmSession, "commit")]
        self.saved = [(owner, name, getattr(owner, name)) for owner, name in self.targets]

    def __enter__(self) -> "Phases":
        for owner, name, original in self.saved:
            setattr(owner, name, self._timed(name, original))
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, original in self.saved:
            setattr(owner, name, original)

    def _timed(self, name, original):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if not self.done:
                    self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
        return timed


def bench_push(work: Path, reps: int, issues: int) -> None:
    best_push = best_raw = float("inf")
    rows = 0
    for rep in range(reps):
        push_s, raw_s, rows = asyncio.run(push_once(work / f"push-{rep}", issues))
        best_push, best_raw = min(best_push, push_s), min(best_raw, raw_s)
    with Phases() as phases:
        total, _, _ = asyncio.run(push_once(work / "push-phases", issues, phases))
    n = 2 * issues
    ours, raw = n / best_push, n / best_raw
    print(f"(a) push {n} mutations ({rows} rows written), batches of {protocol.MAX_BATCH}, SQLite synchronous=FULL")
    print(f"    {'push endpoint':<34}{ours:>10.0f} mutations/s   {best_push:7.3f} s")
    print(f"    {'raw executemany, same rows':<34}{raw:>10.0f} mutations/s   {best_raw:7.3f} s")
    print(f"    per mutation: push {best_push / n * 1000:.3f} ms (checks, rules in memory, change log; one transaction "
          f"a batch) vs raw {best_raw / n * 1000:.3f} ms")
    print(f"    ratio push / raw = {ours / raw:.2f}x   (target >= 0.5x)  {'OK' if ours / raw >= 0.5 else 'MISSED'}")
    t = phases.seconds
    parts = [("HTTP in and out, auth, request and answer JSON", total - sum(t[k] for k in
                                                                             ("prepare", "load", "judge_all",
                                                                              "write", "commit"))),
             ("hash, text and shape of each body", t["prepare"]), ("set-based reads", t["load"]),
             ("rules judged in memory, records built", t["judge_all"]),
             ("rows converted for the driver (JSON, times)", t["params"]),
             ("SQLite executemany", t["write"] - t["params"]), ("commits (fsync)", t["commit"])]
    print(f"    where a push's {total:.3f} s go (one more run, timed phase by phase):")
    for label, seconds in parts:
        print(f"      {label:<48}{seconds * 1000:7.1f} ms  {seconds / total * 100:4.0f}%")
    print()


# ---------------------------------------------------------------- (b) pull with nothing new

def fill_change_log(db: Path, rows: int) -> None:
    """Append rows of other stations' events straight into the log, as fast as SQLite takes them."""
    stations = [stable_id("station", s.code) for s in STATIONS if s.code != "juyuan"]
    now = utcnow().isoformat()
    data = json.dumps({"id": "x", "kind": "comment", "payload": {"text": "巡查记录"}}, ensure_ascii=False)

    def generate():
        for n in range(rows):
            issue_id = str(uuid.UUID(int=n))
            yield ("event", f"e{n}", issue_id, "issue", stations[n % len(stations)], None, None, data, now)

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO change_log (entity, entity_id, issue_id, audience, station_id, department_id, "
                     "reporter_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", generate())
    conn.execute("COMMIT")
    conn.close()


async def pull_time(http: httpx.AsyncClient, headers: dict[str, str], head: int, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        page = (await http.get("/api/v1/pull", params={"since": head, "limit": 1000}, headers=headers)).json()
        assert page["changes"] == [] and not page["more"]
    return (time.perf_counter() - start) / calls


async def pull_times(stores: dict[str, tuple], calls: int, reps: int) -> dict[str, tuple[float, int]]:
    """Time both stores in turn, rep after rep, so both see the same machine load."""
    clients, best = {}, {}
    for label, (app, db) in stores.items():
        with sqlite3.connect(db) as conn:
            head = conn.execute("SELECT max(seq) FROM change_log").fetchone()[0]
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://central")
        clients[label] = (http, await token_for(http, "deputy-wang"), head)
        await pull_time(http, clients[label][1], head, 10)  # warm the caches
        best[label] = (float("inf"), head)
    for _ in range(reps):
        for label, (http, headers, head) in clients.items():
            best[label] = (min(best[label][0], await pull_time(http, headers, head, calls)), head)
    for http, _, _ in clients.values():
        await http.aclose()
    return best


def bench_pull(work: Path, reps: int, big_rows: int) -> None:
    stores = {}
    for label, rows in (("small", 1_000), ("big", big_rows)):
        app = central(work / f"pull-{label}")
        db = work / f"pull-{label}" / "central.sqlite3"
        fill_change_log(db, rows)
        stores[label] = (app, db)
    results = asyncio.run(pull_times(stores, calls=200, reps=reps))
    for app, _ in stores.values():
        app.state.engine.dispose()
    (small, small_head), (big, big_head) = results["small"], results["big"]
    ratio = big / small
    print("(b) pull with nothing new (a deputy at the head of the log), through the real endpoint")
    print(f"    {'log of ' + format(small_head, ',') + ' rows':<34}{small * 1000:>10.2f} ms per pull")
    print(f"    {'log of ' + format(big_head, ',') + ' rows':<34}{big * 1000:>10.2f} ms per pull")
    print(f"    ratio big / small = {ratio:.2f}x   (target <= 1.5x)  {'OK' if ratio <= 1.5 else 'MISSED'}")
    print()


# ---------------------------------------------------------------- (c) first full sync over a village link

def bench_photos(count: int) -> list:
    """Real phone photos through the pipeline, cycling the fixtures with a different size each pass."""
    files = sorted(p for p in FIXTURES.iterdir() if p.suffix.lower() in (".jpg", ".heic")
                   and not p.name.startswith(("corrupted", "invalid")))
    photos = []
    for n in range(count):
        lap = n // len(files)
        photos.append(process_photo(files[n % len(files)].read_bytes(), max_edge=1600 - 160 * lap,
                                    quality=80 - 4 * lap))
    assert len({p.sha256 for p in photos}) == count
    return photos


def new_device(folder: Path, photos: list, issues: int) -> tuple:
    """A phone that recorded `issues` issues offline, `len(photos)` of them with a photo, a few with a comment."""
    engine = open_store(folder / "lianluo.sqlite3")
    store = PhotoStore(folder / "photos")
    with Session(engine) as session:
        seed_reference(session)
    return engine, store


def capture_offline(engine, store: PhotoStore, photos: list, issues: int) -> None:
    with Session(engine) as session:
        actor = signed_in_user(session).actor()
        with_photo = {n * issues // len(photos): p for n, p in enumerate(photos)}
        for n in range(issues):
            refs = ()
            if n in with_photo:
                photo = with_photo[n]
                store.put(photo)
                refs = (PhotoRef(sha256=photo.sha256, width=photo.width, height=photo.height,
                                 byte_size=len(photo.data), taken_at=photo.taken_at),)
            draft = IssueDraft(title=f"走访记录 第{n + 1}条：村道边沟堵塞", category_id=stable_id("category", "roads"),
                               description="雨天边沟漫水，路面冲刷严重，群众出行不便，希望尽快疏通并加装盖板。",
                               place_type="village", place_name="桔园村三组", photos=refs)
            issue = capture_issue(session, actor=actor, draft=draft)
            if n % 7 == 0:
                record_event(session, actor=actor, issue_id=issue.id, kind="comment",
                             payload={"text": "补充：已联系村委会，村里愿意出工。"})


class Wire:
    """Count what each request and answer carries (bodies) and how many of each were made."""

    def __init__(self):
        self.up = self.down = 0
        self.requests: dict[str, int] = {}

    async def on_request(self, request: httpx.Request) -> None:
        path = request.url.path
        if "/blobs/" in path and not path.endswith("/missing"):
            path = path.rsplit("/", 1)[0] + "/{sha256}"
        key = f"{request.method} {path}"
        self.requests[key] = self.requests.get(key, 0) + 1
        length = request.headers.get("Content-Length")
        self.up += int(length) if length else 0

    async def on_response(self, response: httpx.Response) -> None:
        await response.aread()
        self.down += len(response.content)


async def full_sync_once(work: Path, photos: list, issues: int, concurrency: int) -> dict:
    data_dir = work / "central"
    prepare_central(data_dir)
    server = ServerProcess(data_dir)
    server.start()
    try:
        engine, store = new_device(work / "phone", photos, issues)
        wire = Wire()
        async with NetProxy("127.0.0.1", server.port, up_bps=BANDWIDTH, down_bps=BANDWIDTH, delay=RTT / 2) as proxy:
            async with httpx.AsyncClient(timeout=120) as login_http:
                client = SyncClient(engine, store, base_url=server.url, device_id="bench-phone", http=login_http)
                await client.login("deputy-wang", DEMO_PASSWORD, device_name="王建华的新手机")
            capture_offline(engine, store, photos, issues)
            async with httpx.AsyncClient(timeout=120, event_hooks={"request": [wire.on_request],
                                                                   "response": [wire.on_response]}) as http:
                client = SyncClient(engine, store, base_url=proxy.url, device_id="bench-phone", http=http,
                                    upload_concurrency=concurrency)
                start = time.perf_counter()
                report = await client.sync_once()
                seconds = time.perf_counter() - start
            assert report.ok, report
            stats = proxy.stats
        return {"seconds": seconds, "report": report, "wire": wire, "proxy_up": stats.bytes_up,
                "proxy_down": stats.bytes_down, "connections": stats.connections}
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def link_limit(payload_up: int, payload_down: int, round_trips: int) -> float:
    return (payload_up + payload_down) / BANDWIDTH + round_trips * RTT


def couch_model(photo_bytes: int, json_up: int, json_down: int, docs_up: int, docs_down: int) -> tuple[float, int]:
    """A CouchDB-style replication of the same data: attachments base64 inside the JSON documents,
    per batch of 100 documents one _revs_diff and one _bulk_docs (push) or _bulk_get (pull),
    plus opening the session (server, database, checkpoint) and a checkpoint per batch."""
    base64_bytes = 4 * math.ceil(photo_bytes / 3)
    meta = 80  # _id, _rev and _revisions per document
    up = base64_bytes + json_up + meta * docs_up
    down = json_down + meta * docs_down
    batches_up, batches_down = math.ceil(docs_up / COUCH_BATCH), math.ceil(docs_down / COUCH_BATCH)
    round_trips = 1 + 3 + batches_up * 3 + 1 + batches_down * 3  # connect, open, per batch diff+docs+checkpoint, _changes
    return (up + down) / BANDWIDTH, round_trips


def bench_first_sync(work: Path, reps: int, issues: int, photo_count: int) -> None:
    photos = bench_photos(photo_count)
    photo_bytes = sum(len(p.data) for p in photos)
    rows = []
    for concurrency in (3, 1):
        best = None
        for rep in range(reps):
            result = asyncio.run(full_sync_once(work / f"first-{concurrency}-{rep}", photos, issues, concurrency))
            if best is None or result["seconds"] < best["seconds"]:
                best = result
        rows.append((concurrency, best))
    concurrency, best = rows[0]
    wire, report = best["wire"], best["report"]
    json_up = wire.up - photo_bytes  # push, blobs/missing and login-free request bodies
    json_down = wire.down
    # What no client of this protocol can avoid: opening a connection, asking which photos
    # are missing, one upload exchange, one push per MAX_BATCH mutations, one pull per page
    # (each page needs the cursor of the one before).
    docs_up = report.applied + report.duplicates
    unavoidable = (1 + 1 + 1 + math.ceil(docs_up / protocol.MAX_BATCH)
                   + max(1, math.ceil(report.changes_pulled / protocol.MAX_PULL_PAGE)))
    limit = link_limit(wire.up, wire.down, unavoidable)
    docs_down = report.changes_pulled
    couch_transfer, couch_rtts = couch_model(photo_bytes, json_up, json_down, docs_up, docs_down)
    couch = couch_transfer + couch_rtts * RTT
    print(f"(c) first full sync of a new phone: {issues} issues ({docs_up} mutations), {photo_count} real photos "
          f"({photo_bytes / 1e6:.2f} MB after the pipeline), {report.changes_pulled} changes pulled back")
    print(f"    link: {BANDWIDTH * 8 / 1e6:.0f} Mbit/s each way, {RTT * 1000:.0f} ms round trip (loopback proxy)")
    print(f"    payload up {wire.up / 1e6:.3f} MB (photos {photo_bytes / 1e6:.3f} + JSON {json_up / 1e3:.1f} kB), "
          f"down {json_down / 1e3:.1f} kB; on the wire up {best['proxy_up'] / 1e6:.3f} MB, "
          f"down {best['proxy_down'] / 1e3:.1f} kB (headers included)")
    print(f"    requests: " + ", ".join(f"{k} x{v}" for k, v in sorted(wire.requests.items())))
    print(f"    {'link limit':<40}{limit:8.2f} s   (payload / bandwidth + {unavoidable} round trips)")
    for conc, result in rows:
        label = f"ours, {conc} upload{'s' if conc > 1 else ''} at a time" + (" (default)" if conc == concurrency else "")
        ratio = result["seconds"] / limit
        print(f"    {label:<40}{result['seconds']:8.2f} s   {ratio:5.2f}x")
    print(f"    {'CouchDB-style model':<40}{couch:8.2f} s   {couch / limit:5.2f}x   "
          f"(base64 photos, {couch_rtts} round trips)")
    ratio = rows[0][1]["seconds"] / limit
    print(f"    ratio ours / link limit = {ratio:.2f}x   (target <= 1.15x)  {'OK' if ratio <= 1.15 else 'MISSED'}")
    print()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one repetition (a smoke run)")
    parser.add_argument("--out", default=str(REPO / "bench" / "sync-results.txt"))
    parser.add_argument("--only", choices=["push", "pull", "first"], action="append")
    args = parser.parse_args()
    reps = 1 if args.quick else args.reps
    only = set(args.only or ["push", "pull", "first"])
    buffer = io.StringIO()

    class Tee(io.TextIOBase):
        def write(self, text):
            sys.__stdout__.write(text)
            sys.__stdout__.flush()
            return buffer.write(text)

    work = Path(tempfile.mkdtemp(prefix="lianluo-bench-"))
    try:
        with redirect_stdout(Tee()):
            print(f"bench/sync.py — {time.strftime('%Y-%m-%d %H:%M')} — best of {reps}; Python {sys.version.split()[0]}")
            print()
            if "push" in only:
                bench_push(work, reps, issues=250 if args.quick else 1000)
            if "pull" in only:
                bench_pull(work, reps, big_rows=50_000 if args.quick else 1_000_000)
            if "first" in only:
                bench_first_sync(work, reps, issues=200, photo_count=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not args.quick and only == {"push", "pull", "first"}:
        Path(args.out).write_text(buffer.getvalue(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
