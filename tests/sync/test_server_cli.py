"""The server's commands: serve, migrate, create-user, load-demo, reset-password, revoke-device."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from app.settings import load_settings
from sync.server.__main__ import SECRET_FILE, _dev_secret, main
from tests.conftest import REPO_ROOT

SETTING_KEYS = ("DATABASE_URL", "LIANLUO_SECRET_KEY", "LIANLUO_DATA_DIR")


@pytest.fixture
def run(central, tmp_path, monkeypatch):
    """Run a server command against the test's store; return (exit code, output)."""
    for key in SETTING_KEYS:
        monkeypatch.delenv(key, raising=False)
    env_file = tmp_path / "server.env"
    env_file.write_text(f"DATABASE_URL={central.settings.database_url}\n", encoding="utf-8")

    def run_command(*args: str) -> tuple[int, str]:
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main([*args, "--data-dir", str(central.data_dir), "--env-file", str(env_file)])
        return code, out.getvalue()

    return run_command


def _login(central, username: str, password: str):
    return central.client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_create_user_makes_a_login_with_its_role_and_station(central, run):
    code, out = run("create-user", "deputy-new", "--name", "吴新", "--role", "deputy", "--station", "heba",
                    "--password", "a-long-password")
    assert code == 0, out
    response = _login(central, "deputy-new", "a-long-password")
    assert response.status_code == 200
    user = response.json()["user"]
    assert (user["name"], user["role"]) == ("吴新", "deputy")
    # Everyone's phone learns of the new person with the next pull.
    changes, _ = central.pull_all(central.login("deputy-wang"))
    assert any(c["entity"] == "person" and c["data"]["name"] == "吴新" for c in changes)


def test_create_user_refuses_what_it_cannot_do(central, run):
    assert run("create-user", "deputy-wang", "--name", "x", "--role", "deputy", "--station", "juyuan",
               "--password", "long-enough")[0] == 1
    code, out = run("create-user", "x1", "--name", "x", "--role", "deputy", "--password", "long-enough")
    assert code == 1 and "--station" in out
    code, out = run("create-user", "x2", "--name", "x", "--role", "deputy", "--station", "nowhere",
                    "--password", "long-enough")
    assert code == 1 and "nowhere" in out
    assert run("create-user", "x3", "--name", "x", "--role", "office", "--password", "short")[0] == 1


def test_load_demo_prints_the_accounts_and_can_run_again(central, run):
    code, out = run("load-demo")
    assert code == 0
    assert "deputy-wang" in out and "王建华" in out and "lianluo2026" in out
    with central.engine.connect() as conn:
        issues = conn.execute(text("SELECT count(*) FROM issue")).scalar_one()
        unordered = conn.execute(text("SELECT count(*) FROM record_event WHERE server_seq IS NULL")).scalar_one()
    assert issues >= 15 and unordered == 0
    assert run("load-demo")[0] == 0
    with central.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM issue")).scalar_one() == issues
    changes, _ = central.pull_all(central.login("office-ma"))
    assert len({c["data"]["id"] for c in changes if c["entity"] == "issue"}) == issues


def test_reset_password_and_revoke_device(central, run):
    phone = central.login("deputy-li")
    code, _ = run("reset-password", "deputy-li", "--password", "new-password-1")
    assert code == 0
    assert _login(central, "deputy-li", "lianluo2026").status_code == 401
    assert _login(central, "deputy-li", "new-password-1").status_code == 200
    assert central.client.get("/api/v1/me", headers=phone).status_code == 200  # devices stay signed in
    code, out = run("revoke-device", "deputy-li")
    assert code == 0 and "2 device(s)" in out
    assert central.client.get("/api/v1/me", headers=phone).json()["code"] == "auth.token_revoked"

    tablet = central.login("deputy-zhao")
    with central.engine.connect() as conn:
        token_id = conn.execute(text("SELECT d.id FROM device_token d JOIN users u ON u.id = d.user_id "
                                     "WHERE u.username = 'deputy-zhao'")).scalar_one()
    assert run("revoke-device", token_id)[0] == 0
    assert central.client.get("/api/v1/me", headers=tablet).json()["code"] == "auth.token_revoked"
    assert run("revoke-device", "nobody")[0] == 1


def test_migrate_is_safe_to_run_again(central, run):
    from sync.server.migrations import MIGRATIONS

    assert run("migrate")[0] == 0
    assert run("migrate")[0] == 0
    with central.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM _migrations")).scalar_one() == len(MIGRATIONS)


def test_serve_refuses_a_placeholder_secret(central, run, tmp_path):
    code, out = run("serve", "--port", "1")
    assert code == 2 and "LIANLUO_SECRET_KEY" in out


def test_a_demo_run_makes_a_secret_once_and_keeps_it(tmp_path):
    settings = load_settings(None, environ={"LIANLUO_DATA_DIR": str(tmp_path)})
    first = _dev_secret(settings)
    assert len(first.secret_key) >= 32
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert _dev_secret(settings).secret_key == first.secret_key
    configured = settings.with_overrides(secret_key="a-configured-secret-0123")
    assert _dev_secret(configured).secret_key == "a-configured-secret-0123"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_on_its_port(central, tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in SETTING_KEYS}
    env["DATABASE_URL"] = central.settings.database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "sync.server", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(tmp_path / "served"), "--env-file", str(tmp_path / "none.env")],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/api/v1/auth/login",
                                      json={"username": "deputy-wang", "password": "lianluo2026"}, timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read().decode(errors="replace")
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.2)
        assert response.status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).status_code == 200
        assert (Path(tmp_path / "served") / SECRET_FILE).is_file()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def test_clean_uploads_forgets_only_uploads_abandoned_long_ago(central, run):
    import hashlib

    from sqlalchemy import text as sql_text

    from tests.sync.conftest import jpeg

    wang = central.login("deputy-wang")

    def half_upload(data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        response = central.client.patch(f"/api/v1/blobs/{sha}", content=data[: len(data) // 2], headers={
            **wang, "Upload-Offset": "0", "Upload-Length": str(len(data)),
            "Content-Type": "application/offset+octet-stream"})
        assert response.status_code == 200 and response.json()["complete"] is False
        return sha

    old, recent = half_upload(jpeg(21)), half_upload(jpeg(22))
    with central.engine.begin() as conn:
        conn.execute(sql_text("UPDATE blob SET created_at = :t WHERE sha256 = :s"),
                     {"t": "2020-01-01 00:00:00+00:00", "s": old})
    code, out = run("clean-uploads", "--older-than-days", "7")
    assert code == 0 and "1 unfinished upload(s) forgotten" in out
    assert not (central.data_dir / "blobs" / "partial" / old).exists()
    assert (central.data_dir / "blobs" / "partial" / recent).exists()  # a phone may still resume this one
    assert central.client.head(f"/api/v1/blobs/{old}", headers=wang).headers["Upload-Offset"] == "0"


def test_publish_template_validates_the_file_and_refuses_an_old_version(tmp_path):
    import json
    import subprocess
    import sys

    from app.inspections import builtin_templates

    data = json.loads(builtin_templates()[0].model_dump_json())
    env = {"LIANLUO_SECRET_KEY": "test-secret-key-0123456789", "PATH": "/usr/bin:/bin"}

    def publish(content) -> subprocess.CompletedProcess:
        path = tmp_path / "template.json"
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        return subprocess.run([sys.executable, "-m", "sync.server", "publish-template", str(path), "--data-dir",
                               str(tmp_path / "store"), "--env-file", "/dev/null"], capture_output=True, text=True,
                              env=env, timeout=120)

    broken = json.loads(json.dumps(data))
    broken["sections"][0]["items"][0]["type"] = "thumbs_up"
    refused = publish(broken)
    assert refused.returncode == 2 and "item canteen.licence: unknown response type" in refused.stderr
    assert publish(data).returncode == 0  # the shipped version again: already there, harmless
    older = publish({**data, "title": "改过的旧版"})
    assert older.returncode == 2 and "inspection.template_version_old" in older.stderr
    newer = publish({**data, "version": 2})
    assert newer.returncode == 0 and "published school-safety@2" in newer.stdout
