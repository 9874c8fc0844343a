"""A tile server on loopback for the map's tests: generated PNG tiles, every request counted, stoppable.

Tiles are a pale green with a darker border and their z/x/y, so a screenshot shows at a glance whether the
map drew them; `Cache-Control: no-store` keeps the browser from showing old ones once the server is gone.
"""

from __future__ import annotations

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw

TILE_FILL = (200, 230, 201)  # what a tile's inside is drawn with, to be found in a screenshot
TILE_EDGE = (120, 170, 120)
PATH = re.compile(r"^/tiles/(\d+)/(\d+)/(\d+)\.png$")


def tile_png(z: int, x: int, y: int) -> bytes:
    image = Image.new("RGB", (256, 256), TILE_FILL)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 255, 255), outline=TILE_EDGE, width=2)
    draw.text((12, 12), f"{z}/{x}/{y}", fill=(60, 100, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


class TileServer:
    """Serves /tiles/{z}/{x}/{y}.png on 127.0.0.1 at a free port until stopped."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the http.server name)
                server.requests.append(self.path)
                match = PATH.match(self.path)
                if not match:
                    self.send_error(404)
                    return
                body = tile_png(*(int(n) for n in match.groups()))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.send_header("Access-Control-Allow-Origin", "*")  # the app's page is on another port
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url_template(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/tiles/{{z}}/{{x}}/{{y}}.png"

    def start(self) -> "TileServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop answering and close the port: a tile asked for now is refused at once."""
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> "TileServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
