"""app/ is the portable core: it never imports the UI, the HTTP client or the server framework."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"flet", "flet_web", "flet_geolocator", "httpx", "fastapi", "starlette", "uvicorn", "views", "sync"}
ENTRY_POINT = ROOT / "app" / "__main__.py"  # the door to views/, loaded by name only when run


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_in_app_imports_ui_or_http_code():
    offenders = {str(p.relative_to(ROOT)): sorted(imported_roots(p) & FORBIDDEN)
                 for p in (ROOT / "app").rglob("*.py") if p != ENTRY_POINT}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_all_of_app_loads_none_of_them():
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "app").rglob("*.py")
               if p != ENTRY_POINT and p.name != "__init__.py"]
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            f"print(sorted(n for n in sys.modules if n.split('.')[0] in {sorted(FORBIDDEN)!r}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_layering_check_would_catch_an_offender(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import flet as ft\nfrom httpx import Client\n")
    assert imported_roots(bad) & FORBIDDEN == {"flet", "httpx"}
