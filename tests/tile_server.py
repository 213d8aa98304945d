"""A small XYZ tile server on 127.0.0.1 standing in for GSI or OSM in tests: every tile is a
plain PNG whose colour says its zoom, and every request is counted."""

from __future__ import annotations

import io
import re
import sqlite3
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

TILE = re.compile(r"^/(\d+)/(\d+)/(\d+)\.png$")


def tile_color(z: int) -> tuple[int, int, int]:
    return (30 + 10 * z, 160, 90)


def png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(out, "PNG")
    return out.getvalue()


class TileServer:
    def __init__(self):
        self.requests: Counter = Counter()
        self._tiles = {z: png(tile_color(z)) for z in range(20)}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server name)
                match = TILE.match(self.path)
                if not match:
                    self.send_error(404)
                    return
                z, x, y = map(int, match.groups())
                server.requests[(z, x, y)] += 1
                body = server._tiles[z]
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def make_mbtiles(path: Path, zooms: range, color: tuple[int, int, int], bbox) -> Path:
    """An MBTiles file (TMS rows) with one colour over bbox at each zoom."""
    from gspace.tiles import tiles_in

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
        "tile_data BLOB)"
    )
    meta = {
        "name": "試験地図",
        "format": "png",
        "minzoom": zooms.start,
        "maxzoom": zooms.stop - 1,
        "attribution": "試験 MBTiles",
    }
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
    data = png(color)
    conn.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
        [(z, x, 2**z - 1 - y, data) for z in zooms for x, y in tiles_in(bbox, z)],
    )
    conn.commit()
    conn.close()
    return path
