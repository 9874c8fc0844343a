"""The phone build and the configuration files stay complete as the project grows."""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from app.assets import FONT_FILE, asset, asset_path, assets_dir
from app.settings import _KEYS

ROOT = Path(__file__).resolve().parent.parent


def test_the_phone_build_is_configured():
    flet = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["flet"]
    assert flet["product"] == "联络通" and flet["org"]
    assert {"camera", "location"} <= set(flet["permissions"])
    assert (ROOT / f"{flet['app']['module']}.py").is_file()
    assert {"tests", ".env", "sync/server"} <= set(flet["app"]["exclude"])


def test_env_example_lists_every_setting_with_a_comment():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    lines = text.splitlines()
    for key in _KEYS:
        index = next((i for i, line in enumerate(lines) if re.match(rf"{key}=", line)), None)
        assert index is not None, f"{key} missing from .env.example"
        assert lines[index - 1].startswith("#"), f"{key} has no comment"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "scripts/test.sh" in readme and "scripts/run.sh" in readme
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


# --- the installed wheel carries its assets ------------------------------------------

# Run inside the fresh environment: read every kind of asset through app.assets, say where from.
INSTALLED_SNIPPET = r"""
import json, sys
from app.assets import FONT_FILE, asset, asset_bytes, asset_text, assets_dir
from app.i18n import Translator, load_catalog
from views.theme import FONT_FILE as THEME_FONT

manifest = json.loads(asset_text("manifest.json"))
print(json.dumps({
    "zh": Translator()("status.assigned"),
    "en": Translator("en")("status.assigned"),
    "keys": [len(load_catalog("zh-CN")), len(load_catalog("en"))],
    "font": asset_bytes(FONT_FILE)[:4].decode("latin-1"),
    "font_on_disk": (assets_dir() / THEME_FONT).is_file(),
    "short_name": manifest["short_name"],
    "icons": {icon["src"]: asset_bytes(icon["src"])[:8].hex() for icon in manifest["icons"]},
    "favicon": asset_bytes("favicon.png")[:8].hex(),
    "font_manifest": [entry["family"] for entry in json.loads(asset_text("assets/FontManifest.json"))],
    "folders": {name: sorted(e.name for e in asset(name).iterdir()) for name in ("templates", "questions")
                if asset(name).is_dir()},
    "assets_dir": str(assets_dir()),
    "modules": sorted({m.__file__ for m in list(sys.modules.values())
                       if (m.__name__.split(".")[0] in ("app", "assets", "views")) and getattr(m, "__file__", None)}),
}))
"""
PNG = b"\x89PNG\r\n\x1a\n".hex()


def run(*args: str | Path, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env | {"PYTHONNOUSERSITE": "1"},
                          capture_output=True, text=True)
    command = " ".join(str(a) for a in args)[:160]
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def package_dirs() -> list[Path]:
    """The folders setuptools packs, by the include patterns pyproject.toml gives it."""
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({p for pattern in include for p in ROOT.glob(pattern.removesuffix("*") + "*")
                   if p.is_dir() and (p / "__init__.py").is_file()})


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of the packaged folders, offline, with the venv's setuptools."""
    work = tmp_path_factory.mktemp("wheel")
    assert not work.is_relative_to(ROOT)
    source = work / "source"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    for folder in package_dirs():
        shutil.copytree(folder, source / folder.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
        "-w", work / "dist", source, cwd=work)
    (built,) = (work / "dist").glob("lianluo-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path) -> tuple[Path, Path]:
    """Install the wheel into a fresh venv outside the checkout; return its python and site-packages."""
    venv = wheel.parent.parent / "venv"
    # --system-site-packages would give the base interpreter's packages, not this venv's: instead a
    # .pth line appends this venv's site-packages (its own .pth files, the editable install's among
    # them, are not run from there) so dependencies need no download.
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=wheel.parent)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=venv).strip())
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel,
        cwd=venv)
    return python, site


def test_the_wheel_ships_every_asset(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    on_disk = {p.relative_to(ROOT).as_posix() for p in (ROOT / "assets").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert on_disk and sorted(on_disk - names) == []
    assert not [n for n in names if n.endswith(".pyc")]


def test_the_installed_app_reads_its_assets_outside_the_checkout(installed: tuple[Path, Path]):
    python, site = installed
    found = json.loads(run(python, "-c", INSTALLED_SNIPPET, cwd=site.parents[3]))
    assert (found["zh"], found["en"]) == ("已交办", "Assigned")
    assert min(found["keys"]) > 100
    assert found["font"] == "OTTO" and found["font_on_disk"]
    assert found["short_name"] == "联络通"
    assert found["icons"] and set(found["icons"].values()) == {PNG} and found["favicon"] == PNG
    assert "NotoSansSC" in found["font_manifest"]
    for name in ("templates", "questions"):
        if (ROOT / "assets" / name).is_dir():
            assert found["folders"][name] == sorted(p.name for p in (ROOT / "assets" / name).iterdir()
                                                    if p.name != "__pycache__")
    assert Path(found["assets_dir"]) == site / "assets"
    assert found["modules"] and all(Path(f).is_relative_to(site) for f in found["modules"]), found["modules"]
    assert not [f for f in found["modules"] if Path(f).is_relative_to(ROOT)]


def test_importing_the_core_reads_no_asset():
    code = "import sys, app.assets, app.i18n; print('assets' in sys.modules)"
    assert run(sys.executable, "-c", code, cwd=ROOT).strip() == "False"


def test_asset_names_stay_inside_the_assets_folder():
    for name in ("../pyproject.toml", "i18n/../../app", "", "/"):
        with pytest.raises(ValueError):
            asset(name)
    assert asset_path(FONT_FILE) == assets_dir() / "fonts" / "NotoSansSC-Lianluo.otf"
    assert asset_path(FONT_FILE).read_bytes()[:4] == b"OTTO"
