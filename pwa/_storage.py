"""The replica's file in the browser: Emscripten's IndexedDB file system, written back after commits."""

from __future__ import annotations


class IndexedDbStorage:
    """Tell the page's worker to write /data back to IndexedDB; it coalesces the commits of ~0.2 s.

    The worker mounted /data on IDBFS and read it back before the store was opened; a flush
    also happens when the page is hidden or closed, so a killed tab loses no saved work.
    """

    def __init__(self, bridge):
        self.bridge = bridge  # the worker's `lianluo_js` module

    def persist(self) -> None:
        self.bridge.persist_soon()

    def flush(self) -> None:
        """Write back now (e.g. before signing out)."""
        self.bridge.flush_now()
