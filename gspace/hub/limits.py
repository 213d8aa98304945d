"""Body size limits, enforced before a route runs: a declared Content-Length over the limit is
answered 413 at once, and a body that grows past it while streaming (a client may lie about the
length, or send none) is answered 413 as soon as it does. Bodies are small by design (a batch
of entries, one chunk of a photo), so the body is read here and handed on whole."""

from __future__ import annotations

import orjson

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


async def _too_large(send, limit: int) -> None:
    body = orjson.dumps({"detail": f"request body larger than {limit} bytes"})
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
