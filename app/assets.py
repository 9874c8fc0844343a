"""Read the app's data files from the installed ``assets`` package, wherever it was installed."""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from functools import lru_cache
from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "assets"
FONT_FILE = "fonts/NotoSansSC-Lianluo.otf"  # the bundled CJK font, relative to the assets folder


def asset(name: str) -> Traversable:
    """Return the packaged file or folder at name, a '/'-separated path inside the assets folder."""
    return _root().joinpath(*_parts(name))


@lru_cache(maxsize=64)
def asset_bytes(name: str) -> bytes:
    """Return the bytes of one packaged file, read once."""
    return asset(name).read_bytes()


@lru_cache(maxsize=64)
def asset_text(name: str) -> str:
    """Return the UTF-8 text of one packaged file, read once."""
    return asset(name).read_text(encoding="utf-8")


def asset_path(name: str) -> Path:
    """Return a real file path for one packaged file, for code that opens files by name."""
    return assets_dir().joinpath(*_parts(name))


@lru_cache(maxsize=1)
def assets_dir() -> Path:
    """Return a real folder holding every asset, e.g. for Flet's ``assets_dir``."""
    # An installed package is already a folder and comes back as it is; a zipped one is
    # extracted once by as_file, and the copy must outlive every page that serves from it.
    stack = ExitStack()
    atexit.register(stack.close)
    return stack.enter_context(as_file(_root()))


@lru_cache(maxsize=1)
def _root() -> Traversable:
    return files(PACKAGE)


def _parts(name: str) -> list[str]:
    parts = [part for part in name.split("/") if part]
    if not parts or any(part in (".", "..") for part in parts):
        raise ValueError(f"not an asset name: {name!r}")
    return parts
