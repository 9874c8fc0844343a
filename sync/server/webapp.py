"""The field app's browser build served by the central store at /app/, from the API's own origin.

Same origin means the PWA needs no CORS to sync. Files whose names carry a content hash
are cached for a year as immutable; the page, the service worker and the manifest are
revalidated every time, so a new build is seen at once. Precompressed copies made by the
build (`.br`, `.gz`) are sent with `Content-Encoding` to a browser that accepts them.
CORS for a PWA hosted elsewhere is a setting (`LIANLUO_CORS_ORIGINS`), off by default.
"""

from __future__ import annotations

import mimetypes
import os
import re
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import Receive, Scope, Send

from app.settings import Settings

MOUNT = "/app"
# A build's hashed names: a folder or file with a dot- or dash-separated hex hash of 8+ characters.
HASHED = re.compile(r"(^|/)[^/]*[.-][0-9a-f]{8,}(\.[^/]*)?(/|$)")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".json": "application/json", ".webmanifest": "application/manifest+json", ".zip": "application/zip",
         ".otf": "font/otf", ".ttf": "font/ttf", ".woff2": "font/woff2", ".frag": "text/plain"}


def install_web(app: FastAPI, settings: Settings) -> None:
    """Serve the PWA at /app/ when the build is there, and allow the configured CORS origins."""
    origins = [o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_credentials=False,
                           allow_methods=["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
                           allow_headers=["*"], expose_headers=["*"], max_age=600)
    app.mount(MOUNT, StaticBuild(Path(settings.pwa_dir)), name="pwa")


class StaticBuild:
    """A static site with precompressed variants and cache headers by kind of file."""

    def __init__(self, root: Path):
        self.root = root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.respond(scope)
        await response(scope, receive, send)

    def respond(self, scope: Scope) -> Response:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse("Method Not Allowed", 405)
        rel = scope["path"][len(scope.get("root_path", "")):] if scope.get("root_path") else scope["path"]
        rel = rel.lstrip("/")
        if rel == "" and not scope.get("raw_path", b"").endswith(b"/") and not scope["path"].endswith("/"):
            return RedirectResponse(f"{scope.get('root_path', '')}/", 308)
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        root = self.root.resolve()
        path = (root / rel).resolve()
        if root not in path.parents or not path.is_file() or path.suffix in (".br", ".gz"):
            if not (root / "index.html").is_file():
                return PlainTextResponse("The browser build is not there: run scripts/build_pwa.sh", 404)
            return PlainTextResponse("Not Found", 404, headers={"Cache-Control": REVALIDATE})
        headers = {"Cache-Control": IMMUTABLE if HASHED.search(rel) else REVALIDATE, "Vary": "Accept-Encoding"}
        if path.name == "sw.js":
            headers["Service-Worker-Allowed"] = f"{scope.get('root_path', '')}/"
        media_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        accepted = _accepted(scope)
        for encoding, suffix in ENCODINGS:
            variant = path.with_name(path.name + suffix)
            if encoding in accepted and variant.is_file():
                headers["Content-Encoding"] = encoding
                return FileResponse(variant, media_type=media_type, headers=headers, stat_result=os.stat(variant))
        return FileResponse(path, media_type=media_type, headers=headers)


def _accepted(scope: Scope) -> set[str]:
    for name, value in scope.get("headers") or ():
        if name == b"accept-encoding":
            return {part.split(";")[0].strip() for part in value.decode("latin-1").split(",")
                    if not part.strip().endswith(";q=0")}
    return set()
