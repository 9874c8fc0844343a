"""Pull: what changed since the cursor, page by page, parsed and applied to the replica."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.replica import apply_changes, get_cursor, set_cursor
from sync.client._http import Api
from sync.client._run import Run
from sync.protocol import MAX_PULL_PAGE, PullResponse


async def pull(api: Api, engine: Any, token: str, run: Run) -> None:
    """Apply every page of changes after the cursor; the cursor moves with each page applied."""
    with Session(engine) as session:
        cursor = get_cursor(session)
    while True:
        response = await api.request("GET", f"/pull?since={cursor}&limit={MAX_PULL_PAGE}", token)
        page = PullResponse.model_validate_json(response.content)
        with Session(engine) as session:
            apply_changes(session, [change.parsed() for change in page.changes])
            set_cursor(session, page.cursor)
            session.commit()
        run.changes_pulled += len(page.changes)
        await run.progress("pull")
        if not page.more or page.cursor <= cursor:
            return
        cursor = page.cursor
