"""The phone's sync client: photos, then the outbox, then pull, over whatever network there is.

    _client.py   SyncClient: sign in, one run, the background loop
    _http.py     the central store's API over one injected transport; problems raised as SyncError
    _uploads.py  photos up (only the missing ones, resumable) and down
    _push.py     the outbox in batches, each answer written back
    _pull.py     changes since the cursor, parsed and applied to the replica
    _run.py      what a run did, its progress, and the backoff between runs
    _errors.py   SyncError, LoginRefused, Offline

Everything runs on asyncio with the HTTP transport injected, so tests pass an
``httpx.ASGITransport`` or ``httpx.MockTransport`` and the same code runs inside
Pyodide. Being offline is the normal state: a run that cannot reach the server ends
quietly with ``SyncOutcome.OFFLINE`` and the outbox keeps everything. What to push and
in which order is planned by ``app.outbox`` (pure, no HTTP).

    client = SyncClient(engine, PhotoStore(root), base_url="http://127.0.0.1:8700", device_id=device)
    await client.login("deputy-wang", "…", device_name="王建华的手机")
    report = await client.sync_once()
    stop, wake = asyncio.Event(), asyncio.Event()
    asyncio.create_task(client.run(stop, wake))   # wake.set() is the "sync now" button
"""

from app.outbox import SyncOutcome, SyncProgress, SyncReport, SyncStatus
from sync.client._client import IDLE_INTERVAL, UPLOAD_CONCURRENCY, SyncClient
from sync.client._errors import AuthRequired, LoginRefused, Offline, SyncError
from sync.client._run import BACKOFF_BASE, BACKOFF_CAP, backoff_delay
from sync.client._uploads import CHUNK_SIZE, PARTIAL_UPLOADS, RESUME_ATTEMPTS

__all__ = ["SyncClient", "SyncError", "LoginRefused", "Offline", "AuthRequired", "SyncOutcome", "SyncProgress",
           "SyncReport", "SyncStatus", "backoff_delay", "BACKOFF_BASE", "BACKOFF_CAP", "IDLE_INTERVAL",
           "UPLOAD_CONCURRENCY", "CHUNK_SIZE", "PARTIAL_UPLOADS", "RESUME_ATTEMPTS"]
