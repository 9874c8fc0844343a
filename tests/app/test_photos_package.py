"""The photo package as a browser build needs it: no work at import, Pillow only for pixels."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from app.problems import Problem
from tests.app.test_photos import FIXTURES, REPO_ROOT

PACKAGE = REPO_ROOT / "app" / "photos"


def run_fresh(code: str) -> str:
    """Run ``code`` in a new interpreter at the repository root; return what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_package_loads_neither_pillow_nor_pillow_heif():
    loaded = run_fresh(
        "import sys, app.photos\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'PIL', 'pillow_heif'}))"
    )
    assert loaded == "[]"


def test_a_jpeg_is_processed_without_loading_pillow_heif():
    loaded = run_fresh(
        "import sys, pathlib\n"
        "from app.photos import process_photo\n"
        f"process_photo(pathlib.Path({str(FIXTURES / 'gps-DSCN0010.jpg')!r}).read_bytes())\n"
        "print('PIL' in sys.modules, 'pillow_heif' in sys.modules)"
    )
    assert loaded == "True False"


def test_the_heif_opener_is_registered_once_on_the_first_heic():
    heics = [str(FIXTURES / "heic-IMG_5195.HEIC"), str(FIXTURES / "heic-mobile-iphone_13_pro_max.HEIC")]
    out = run_fresh(
        "import asyncio, pathlib, threading\n"
        "import pillow_heif\n"
        "from PIL import Image\n"
        "from app.photos import process_photo\n"
        "calls, real = [], pillow_heif.register_heif_opener\n"
        "pillow_heif.register_heif_opener = lambda *a, **k: (calls.append(1), real(*a, **k))[1]\n"
        "before = 'HEIF' in Image.OPEN\n"
        f"data = [pathlib.Path(p).read_bytes() for p in {heics!r}] * 2\n"
        "threads = [threading.Thread(target=process_photo, args=(d,)) for d in data]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "process_photo(data[0])\n"
        "print(before, 'HEIF' in Image.OPEN, len(calls))"
    )
    assert out == "False True 1"


def test_sniffing_exif_and_the_store_work_without_pillow(tmp_path):
    # A Pyodide build has neither: None in sys.modules makes any import of them fail.
    nokia = FIXTURES / "mobile-HMD_Nokia_8.3_5G.jpg"
    out = run_fresh(
        "import hashlib, pathlib, sys\n"
        "sys.modules['PIL'] = sys.modules['pillow_heif'] = None\n"
        "from app.photos import PhotoStore, _jpeg\n"
        "from app.photos._dimensions import header_size\n"
        "from app.photos._exif import read_metadata\n"
        "from app.photos._sniff import sniff\n"
        f"data = pathlib.Path({str(nokia)!r}).read_bytes()\n"
        "fmt = sniff(data)\n"
        "meta = read_metadata(_jpeg.split_metadata(data)[1])\n"
        f"store = PhotoStore({str(tmp_path)!r})\n"
        "sha = store.put_bytes(hashlib.sha256(data).hexdigest(), data)\n"
        "print(fmt, header_size(fmt, data), round(meta.latitude, 2), round(meta.longitude, 2),"
        " meta.taken_at.isoformat(), store.verify(sha))"
    )
    assert out == "JPEG (4608, 1976) 60.15 24.91 2022-08-14T11:12:31+00:00 True"


def string_literals(path: Path) -> list[str]:
    return [
        node.value
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_problem_code_is_spelled_in_the_package():
    codes = {problem.value for problem in Problem}
    spelled = {
        path.name: [text for text in string_literals(path) if text in codes or text.startswith("photo.")]
        for path in sorted(PACKAGE.glob("*.py"))
    }
    assert {name: found for name, found in spelled.items() if found} == {}
    source = "\n".join(path.read_text("utf-8") for path in PACKAGE.glob("*.py"))
    assert "Problem.PHOTO_DAMAGED" in source, "the scan reads the package's real files"

