"""The phone build and the configuration files stay complete as the project grows."""

import re
import tomllib
from pathlib import Path

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
