"""Unexpected errors: a plain 500 answer, and a log line with the error's type and the path only.

Starlette's own handler re-raises to the server, which logs the traceback with the exception's message; the
message could quote the note, so errors are contained here instead.
"""
from __future__ import annotations

import json
import logging

log = logging.getLogger("imrcheck.service")


class ContainErrors:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # noqa: BLE001 - the point is to catch everything
            log.error("internal error %s on %s %s", type(exc).__name__, scope.get("method"), scope.get("path"))
            if started:
                return
            accept = dict(scope.get("headers") or []).get(b"accept", b"").decode("latin-1")
            if "text/html" in accept:
                from .pages import error_page

                body = error_page("Something went wrong on our side; the check could not be run.").encode()
                ctype = b"text/html; charset=utf-8"
            else:
                body = json.dumps({"error": "internal_error", "message": "the check could not be run"}).encode()
                ctype = b"application/json"
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
