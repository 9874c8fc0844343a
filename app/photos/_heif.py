"""HEIC and HEIF through pillow-heif, imported and registered with Pillow on first use."""

from __future__ import annotations

import io
import threading

from app.photos._errors import damaged, unsupported

_lock = threading.Lock()
_registered = None  # the pillow_heif module once its opener is registered with Pillow


def register_heif():
    """Return pillow-heif with its Pillow opener registered once per process; refuse HEIC without it."""
    global _registered
    if _registered is None:
        # The central store processes uploads in several threads at once.
        with _lock:
            if _registered is None:
                try:  # a compiled extension: a browser (Pyodide) build may not have it
                    import pillow_heif
                except ImportError:
                    raise unsupported("HEIC") from None
                pillow_heif.register_heif_opener()
                _registered = pillow_heif
    return _registered


def heif_size(data: bytes) -> tuple[int, int]:
    """Read a HEIF's width and height from its container, decoding no pixels."""
    library = register_heif()
    try:
        return library.open_heif(io.BytesIO(data)).size
    except Exception as exc:  # libheif reports a broken container in many ways
        raise damaged(f"HEIF container: {exc}") from exc
