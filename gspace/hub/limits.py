"""Body size limits, enforced before a route runs: a declared Content-Length over the limit is
answered 413 at once, and a body that grows past it while streaming (a client may lie about the
length, or send none) is answered 413 as soon as it does. Bodies are small by design (a batch
of entries, one chunk of a photo), so the body is read here and handed on whole, except a
laptop's photo chunk (STREAMED): its route reads it with `read_pieces`, which counts the same
limit as the pieces arrive and keeps them as they came. A photo is ~85% of a first sync's
bytes, and joining its pieces here, then again in the framework, cost two copies per photo."""

from __future__ import annotations

import re

import orjson
from fastapi import HTTPException
from starlette.requests import ClientDisconnect, Request

# a laptop's photo chunk (app.upload_chunk): its route counts the limit itself (read_pieces)
STREAMED = re.compile(r"/v1/incidents/[^/]+/uploads/[0-9a-f]{64}")

# the OpenAPI description of a chunk upload's body: raw bytes (the routes read it themselves)
BINARY_BODY = {
    "requestBody": {
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    }
}


class BodyLimit:
    def __init__(self, app, max_body: int, max_chunk: int):
        self.app, self.max_body, self.max_chunk = app, max_body, max_chunk

    def limit(self, scope) -> int:
        if scope["method"] == "PUT" and "/uploads/" in scope["path"]:
            return self.max_chunk
        return self.max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limit(scope)
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    return await _too_large(send, limit)
        if scope["method"] == "PUT" and STREAMED.fullmatch(scope["path"]):
            return await self.app(scope, receive, send)  # counted by read_pieces
        parts, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                return await _too_large(send, limit)
            parts.append(chunk)
            if not message.get("more_body"):
                break
        body, delivered = b"".join(parts), False

        async def replay():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def read_pieces(request: Request, limit: int) -> list[bytes] | None:
    """A streamed body (STREAMED) as the pieces it arrived in, or None when the client went
    away before its end (nothing of it is used then, as when BodyLimit reads a body); 413 as
    soon as it grows past `limit`."""
    pieces, seen = [], 0
    try:
        async for piece in request.stream():
            seen += len(piece)
            if seen > limit:
                raise HTTPException(413, _larger(limit), headers={"Connection": "close"})
            if piece:
                pieces.append(piece)
    except ClientDisconnect:
        return None
    return pieces


def _larger(limit: int) -> str:
    return f"request body larger than {limit} bytes"


async def _too_large(send, limit: int) -> None:
    body = orjson.dumps({"detail": _larger(limit)})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
