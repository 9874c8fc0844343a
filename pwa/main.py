"""The field app in the phone's browser: the same shell as on a phone, on IndexedDB, fetch and canvas.

Run by the browser build's worker (pwa/web/worker.js) once Pyodide is up, the archives are on
sys.path and /data holds the replica read back from IndexedDB. It opens the store with the
IndexedDB storage, syncs through fetch with the page's own origin as the central store (the
store serves the app at /app/), processes photos with the browser's codecs, and then hands the
same `views.main.make_main` entry to Flet, whose Pyodide connection the worker starts.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path("/data")


def build(bridge):
    """Open the local store and the sync service; return Flet's per-session entry point."""
    from app.photos import PhotoStore, use_codec
    from app.reference import seed_reference
    from app.settings import load_settings
    from app.store import open_store
    from sqlmodel import Session
    from sync.client import SyncClient
    from sync.client._fetch import FetchTransport
    from sync.service import SyncService, device_id
    from views.main import make_main

    from pwa._canvas import CanvasCodec
    from pwa._storage import IndexedDbStorage

    settings = load_settings(env_file=None, environ={}).with_overrides(
        data_dir=DATA_DIR, server_url=str(bridge.server_url))
    engine = open_store(settings.local_db_path, storage=IndexedDbStorage(bridge))
    photos = PhotoStore(settings.photo_dir)
    with Session(engine, expire_on_commit=False) as session:
        seed_reference(session)
    use_codec(CanvasCodec(str(bridge.font_url)))
    client = SyncClient(engine, photos, base_url=settings.server_url, device_id=device_id(engine),
                        transport=FetchTransport())
    syncer = SyncService(engine, photos, settings, client=client)
    return make_main(engine, photos, settings, syncer)


if __name__ == "__main__":
    import flet as ft
    import lianluo_js  # registered by the worker

    ft.run(build(lianluo_js))
