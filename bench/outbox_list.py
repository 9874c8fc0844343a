"""Time the issue list's first page with 10,000 issues waiting in the outbox vs 100.

Run from the repository root: ``.venv/bin/python bench/outbox_list.py [--reps N]``; the output is
also written to ``bench/outbox_list-results.txt``.

A deputy who records for weeks without a network keeps every issue in the outbox. The
list marks the rows still waiting to sync, so each page asks the outbox about its own
rows (an index on the record id); it must not read the whole outbox. Both stores are
files on disk, filled the way the app fills them (an issue and its outbox entry in one
transaction, here many per commit to save time), and the first page is built through
the real view-model (IssueListModel: 30 rows, thumbnails, stations, waiting marks).
Target: the 10,000 store's first page <= 1.5x the 100 store's. Best of several runs,
measured side by side in one process.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlmodel import Session  # noqa: E402

from app.actors import Actor  # noqa: E402
from app.demo import seed_people  # noqa: E402
from app.issues import ISSUE, IssueDraft, create_body  # noqa: E402
from app.outbox import count_pending, pending_mutations  # noqa: E402
from app.photos import PhotoStore  # noqa: E402
from app.records import add_record, queue  # noqa: E402
from app.reference import seed_reference, stable_id  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store import open_store  # noqa: E402
from app.viewmodels.context import AppContext  # noqa: E402
from app.viewmodels.issue_list import IssueListModel  # noqa: E402

TARGET = 1.5


def fill(path: Path, count: int) -> AppContext:
    """A phone store with `count` issues recorded offline, every one still waiting in the outbox."""
    engine = open_store(path)
    with Session(engine) as session:
        seed_reference(session)
        wang = Actor.of(seed_people(session)["deputy-wang"])
        for n in range(count):
            body = create_body(IssueDraft(title=f"第{n}号问题：机耕道路面塌陷", category_id=stable_id("category", "roads"),
                                          description="农用车无法通行", place_type="farmland", place_name="枣园村二组"))
            add_record(session, ISSUE, body, actor=wang)
            queue(session, ISSUE.create_mutation, body.model_dump(mode="json"), record_kind=ISSUE.name,
                  record_id=body.id, event_id=body.event_id)
            if n % 500 == 499:
                session.commit()
        session.commit()
        assert count_pending(session) == count
    settings = Settings(data_dir=path.parent, secret_key="bench-secret-key-0123456789")
    ctx = AppContext(engine, PhotoStore(path.parent / "photos"), settings)
    ctx.sign_in_locally(wang.id)
    return ctx


def first_page(ctx: AppContext) -> float:
    start = time.perf_counter()
    model = IssueListModel(ctx)
    elapsed = time.perf_counter() - start
    assert len(model.rows) == 30 and all(row.waiting for row in model.rows)
    return elapsed


def whole_outbox(ctx: AppContext) -> float:
    """What each page cost before: reading every waiting mutation to find the page's own."""
    start = time.perf_counter()
    with ctx.session() as session:
        waiting = {m.record_id for m in pending_mutations(session)}
    elapsed = time.perf_counter() - start
    assert waiting
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--out", default=str(REPO / "bench" / "outbox_list-results.txt"))
    args = parser.parse_args()
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp, redirect_stdout(out):
        small = fill(Path(tmp) / "small" / "lianluo.sqlite3", 100)
        big = fill(Path(tmp) / "big" / "lianluo.sqlite3", 10_000)
        first_page(small), first_page(big)  # warm: the first query of a store compiles its statements
        small_times, big_times = [], []
        for _ in range(args.reps):  # interleaved, so the machine's noise falls on both alike
            small_times.append(first_page(small))
            big_times.append(first_page(big))
        ratio = min(big_times) / min(small_times)
        before = min(whole_outbox(big) for _ in range(3)) + min(small_times)
        print(f"bench/outbox_list.py — issue list first page (30 rows) via IssueListModel, best of {args.reps}")
        print(f"  100 issues waiting in the outbox      {min(small_times) * 1000:8.2f} ms")
        print(f"  10,000 issues waiting in the outbox   {min(big_times) * 1000:8.2f} ms")
        print(f"  ratio 10,000 / 100 = {ratio:.2f}x   (target <= {TARGET}x)  {'OK' if ratio <= TARGET else 'MISSED'}")
        print(f"  for comparison, a page that reads the whole outbox of 10,000: {before * 1000:8.2f} ms "
              f"({before / min(small_times):.0f}x)")
    text = out.getvalue()
    sys.stdout.write(text)
    Path(args.out).write_text(text, encoding="utf-8")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
