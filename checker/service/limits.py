"""Request size limit: bodies larger than the configured maximum are refused with 413 before they are parsed."""
from __future__ import annotations

import json


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """Pure ASGI middleware: checks Content-Length first, then counts the streamed bytes."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                if int(length) > self.max_bytes:
                    return await self._refuse(scope, send)
            except ValueError:
                pass
        seen = 0
        started = False

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope, send):
        accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
        limit = f"{self.max_bytes:,} bytes"
        if "text/html" in accept:
            from .pages import error_page

            body = error_page(f"The request is too large (more than {limit}). Upload a shorter note.").encode()
            ctype = b"text/html; charset=utf-8"
        else:
            body = json.dumps({"error": "payload_too_large", "message": f"request body exceeds {limit}"}).encode()
            ctype = b"application/json"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
