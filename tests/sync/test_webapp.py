"""The central store serves the PWA at /app/: caching by kind of file, precompressed copies, CORS as a setting."""

from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient

from sync.server.app import create_app


@pytest.fixture
def build(tmp_path):
    """A tiny stand-in for dist/app: a page, a service worker, a hashed archive with its .br and .gz."""
    root = tmp_path / "dist"
    (root / "python").mkdir(parents=True)
    (root / "index.html").write_text("<!DOCTYPE html><title>联络通</title>")
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    archive = root / "python" / "site.0123456789ab.zip"
    archive.write_bytes(b"PK" + b"x" * 4000)
    (root / "python" / "site.0123456789ab.zip.br").write_bytes(b"brotli bytes")
    (root / "python" / "site.0123456789ab.zip.gz").write_bytes(gzip.compress(archive.read_bytes()))
    (root / "pyodide-abcdef012345").mkdir()
    (root / "pyodide-abcdef012345" / "pyodide.asm.wasm").write_bytes(b"\0asm" + b"\0" * 100)
    (tmp_path / "secret.txt").write_text("not for the web")
    return root


def client(settings, build, **changes) -> TestClient:
    return TestClient(create_app(settings.with_overrides(pwa_dir=build, **changes)))


def test_the_page_and_its_service_worker_are_revalidated_every_time(settings, build):
    http = client(settings, build)
    assert http.get("/app", follow_redirects=False).headers["location"].endswith("/app/")
    page = http.get("/app/")
    assert page.status_code == 200 and "联络通" in page.text
    assert page.headers["cache-control"] == "no-cache"
    worker = http.get("/app/sw.js")
    assert worker.headers["cache-control"] == "no-cache"
    assert worker.headers["content-type"].startswith("text/javascript")


def test_hashed_files_are_immutable_and_sent_precompressed(settings, build):
    http = client(settings, build)
    plain = http.get("/app/python/site.0123456789ab.zip", headers={"Accept-Encoding": "identity"})
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-encoding" not in plain.headers and plain.content.startswith(b"PK")
    brotli = http.get("/app/python/site.0123456789ab.zip", headers={"Accept-Encoding": "gzip, br"})
    assert brotli.headers["content-encoding"] == "br" and brotli.headers["vary"] == "Accept-Encoding"
    assert brotli.headers["content-length"] == str(len(b"brotli bytes"))
    gz = http.get("/app/python/site.0123456789ab.zip", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and gz.content.startswith(b"PK")  # httpx decoded it
    wasm = http.get("/app/pyodide-abcdef012345/pyodide.asm.wasm")
    assert wasm.headers["content-type"] == "application/wasm" and "immutable" in wasm.headers["cache-control"]


def test_nothing_outside_the_build_and_no_compressed_copy_by_name(settings, build):
    http = client(settings, build)
    assert http.get("/app/../secret.txt").status_code == 404
    assert http.get("/app/%2e%2e/secret.txt").status_code == 404
    assert http.get("/app/python/site.0123456789ab.zip.br").status_code == 404
    assert http.get("/app/missing.js").status_code == 404
    assert http.post("/app/index.html").status_code == 405


def test_cors_is_off_unless_an_origin_is_configured(settings, build):
    login = {"username": "nobody", "password": "x"}
    preflight = {"Origin": "https://pwa.example.cn", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"}
    closed = client(settings, build)
    assert "access-control-allow-origin" not in closed.options("/api/v1/auth/login", headers=preflight).headers
    opened = client(settings, build, cors_origins="https://pwa.example.cn")
    answer = opened.options("/api/v1/auth/login", headers=preflight)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://pwa.example.cn"
    refused = opened.post("/api/v1/auth/login", json=login, headers={"Origin": "https://other.example.cn"})
    assert "access-control-allow-origin" not in refused.headers


def test_without_a_build_the_store_says_how_to_make_one(settings, tmp_path):
    http = client(settings, tmp_path / "no-build")
    answer = http.get("/app/")
    assert answer.status_code == 404 and "build_pwa" in answer.text
    assert http.get("/openapi.json").status_code == 200  # the API is there all the same
