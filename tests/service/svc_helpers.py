"""Helpers for the service tests: an in-process ASGI client and a free port."""

from __future__ import annotations

import asyncio
import socket
from typing import Any


class Response:
    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status = status
        self.headers = {k.decode().lower(): v.decode() for k, v in headers}
        self.body = body
        self.text = body.decode()


def call(application: Any, path: str, query: str = "", method: str = "GET") -> Response:
    """Run one HTTP request through the ASGI app (``path`` is already percent-decoded,
    as servers hand it to apps)."""
    messages: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode("utf-8", "surrogateescape"),
        "query_string": query.encode("utf-8"),
        "headers": [],
        "client": ("127.0.0.1", 5000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    asyncio.run(application(scope, receive, send))
    start, body = messages[0], messages[1]
    return Response(start["status"], start["headers"], body["body"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
