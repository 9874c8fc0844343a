"""Process several photos off the event loop, one after another, reporting progress."""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Awaitable, Callable

from app.photos._errors import PhotoError
from app.photos._pipeline import ProcessedPhoto, process_photo

# Pyodide has no threads; there the work runs on the loop, yielding between photos.
_HAVE_THREADS = sys.platform not in ("emscripten", "wasi")

ProgressCallback = Callable[[int, int], object | Awaitable[object]]


async def process_photos(
    items: list[bytes],
    *,
    on_progress: ProgressCallback | None = None,
    **kw,
) -> list[ProcessedPhoto | PhotoError]:
    """Process photos one after another off the event loop, reporting progress after each.

    Example::

        results = await process_photos(picked, on_progress=lambda done, total: ...)

    A refused photo yields its ``PhotoError`` in its slot; the others still come through.
    ``kw`` are ``process_photo``'s keyword arguments.
    """
    results: list[ProcessedPhoto | PhotoError] = []
    total = len(items)
    from app.photos._portable import current_codec, process_photo_with

    codec = current_codec()
    for done, data in enumerate(items, 1):
        try:
            if codec is not None:  # the browser's own codec (the PWA): asynchronous, on the loop
                result = await process_photo_with(codec, data, **kw)
            elif _HAVE_THREADS:
                result = await asyncio.to_thread(process_photo, data, **kw)
            else:  # pragma: no cover - Pyodide
                result = process_photo(data, **kw)
                await asyncio.sleep(0)
        except PhotoError as exc:
            result = exc
        results.append(result)
        if on_progress is not None:
            outcome = on_progress(done, total)
            if inspect.isawaitable(outcome):
                await outcome
    return results
