"""Imports go one way: app/ is the portable core (no UI, HTTP client or server framework), demo data stays out
of production code, and importing the core does no work that needs Pillow."""

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"flet", "flet_web", "flet_geolocator", "httpx", "fastapi", "starlette", "uvicorn", "views", "sync"}
ENTRY_POINT = ROOT / "app" / "__main__.py"  # the door to views/, loaded by name only when run
PRODUCTION = ("app", "views", "sync")
DEMO = "app.demo"
# May import the demo township at any level: the central store's demo loader and its admin commands.
DEMO_LOADERS = {"app/demo.py", "app/demo_year.py", "sync/server/demo.py", "sync/server/__main__.py"}
# May import it inside a function only: the field app's `--demo` branch.
DEMO_ON_DEMAND = {"views/main.py"}
# What a phone (or the browser build) imports to record and sync; Pillow must wait for the first photo.
CORE = ("app.records", "app.issues", "app.outbox", "app.replica", "app.store", "sync.client", "sync.protocol")


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def demo_imports(path: Path, root: Path = ROOT) -> list[tuple[int, bool]]:
    """Return (line, at import time) for each import of app.demo in a module (inside a function: not at import)."""
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[int, bool]] = []

    def names(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        base = package[:len(package) - node.level + 1] if node.level else []
        module = ".".join([*base, *([node.module] if node.module else [])])
        return [module] + [f"{module}.{alias.name}" for alias in node.names]

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                n == DEMO or n.startswith(DEMO + ".") for n in names(node)):
            found.append((node.lineno, not in_function))
        inside = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def production_modules(*skip: str) -> list[str]:
    return sorted(module_name(p) for folder in PRODUCTION for p in (ROOT / folder).rglob("*.py")
                  if p.relative_to(ROOT).as_posix() not in skip and p != ENTRY_POINT)


def loaded_after_importing(modules, roots) -> list[str]:
    """Import modules in a fresh interpreter; return the loaded modules under any of these roots (or names)."""
    code = ("import importlib, json, sys\n"
            f"for m in {list(modules)!r}: importlib.import_module(m)\n"
            f"roots = {sorted(roots)!r}\n"
            "print(json.dumps(sorted(n for n in sys.modules if n in roots or n.split('.')[0] in roots)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_no_module_in_app_imports_ui_or_http_code():
    offenders = {str(p.relative_to(ROOT)): sorted(imported_roots(p) & FORBIDDEN)
                 for p in (ROOT / "app").rglob("*.py") if p != ENTRY_POINT}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_all_of_app_loads_none_of_them():
    modules = [module_name(p) for p in (ROOT / "app").rglob("*.py") if p != ENTRY_POINT and p.name != "__init__.py"]
    assert loaded_after_importing(modules, FORBIDDEN) == []


def test_the_layering_check_would_catch_an_offender(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import flet as ft\nfrom httpx import Client\n")
    assert imported_roots(bad) & FORBIDDEN == {"flet", "httpx"}


def test_no_production_module_imports_the_demo_township():
    offenders = []
    for folder in PRODUCTION:
        for path in (ROOT / folder).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if name in DEMO_LOADERS:
                continue
            offenders += [f"{name}:{line}" for line, at_import in demo_imports(path)
                          if at_import or name not in DEMO_ON_DEMAND]
    assert offenders == []
    # Nor through another module: importing all the rest leaves the demo data unloaded.
    assert loaded_after_importing(production_modules(*DEMO_LOADERS), {DEMO}) == []


def test_the_demo_check_would_catch_an_import_at_import_time(tmp_path):
    package = tmp_path / "app"
    package.mkdir()
    bad = package / "viewmodels.py"
    bad.write_text("from app.demo import seed_demo\nfrom . import demo\nfrom .demo import PEOPLE\n"
                   "import app.demo\nfrom app.models import Person\n\n"
                   "def load():\n    from app.demo import seed_demo\n")
    assert demo_imports(bad, tmp_path) == [(1, True), (2, True), (3, True), (4, True), (8, False)]


def test_importing_the_core_loads_no_pillow():
    assert loaded_after_importing(CORE, {"PIL", "pillow_heif"}) == []
