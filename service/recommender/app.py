"""The HTTP service: a bare ASGI application (no framework, nothing on the hot path but
routing, validation, a dictionary lookup and a bytes slice)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from .engine import Precompute, Recommender
from .metrics import CONTENT_TYPE, Metrics, worker_exit
from .validate import BadRequest, parse_k, parse_user_id

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("recommender")

PREFIX = "/recommend/"
ROUTE_RECOMMEND = "/recommend/{user_id}"
ROUTES = {"/healthz": "/healthz", "/readyz": "/readyz", "/metrics": "/metrics"}
UNMATCHED = "unmatched"
TEXT = (b"content-type", b"text/plain; charset=utf-8")
SOURCE_MODEL = (b"x-recommendation-source", b"model")
SOURCE_POPULARITY = (b"x-recommendation-source", b"popularity")
ALLOW = (b"allow", b"GET, HEAD")


def _text(message: str) -> bytes:
    """A one-line plain-text body."""
    return (message.replace("\n", " ") + "\n").encode("utf-8", "replace")


class App:
    """ASGI app. The model is loaded in a background thread after startup, so ``/healthz``
    answers at once and ``/readyz`` says 503 until the model is in memory."""

    def __init__(
        self,
        model_dir: str | Path,
        precompute: Precompute = "auto",
        access_log: bool = False,
        load_on_startup: bool = True,
    ) -> None:
        self.model_dir = Path(model_dir)
        self.precompute: Precompute = precompute
        self.access_log = access_log
        self.load_on_startup = load_on_startup
        self.metrics = Metrics()
        self.recommender: Recommender | None = None
        self.load_error: str | None = None
        self._version_header = (b"x-model-version", b"")
        self._load_task: asyncio.Task[None] | None = None

    # -- model -----------------------------------------------------------------------------
    def load(self) -> Recommender:
        try:
            rec = Recommender.from_dir(self.model_dir, self.precompute)
        except Exception as exc:
            self.load_error = f"{type(exc).__name__}: {exc}"
            log.error("model load failed: %s", self.load_error)
            raise
        self._version_header = (b"x-model-version", rec.version.encode("ascii", "replace"))
        self.recommender = rec
        self.metrics.model_info.labels(rec.version, rec.data_sha256).set(1)
        self.metrics.model_ready.set(1)
        log.info(
            "model %s loaded from %s (%d users, %d items, precomputed=%s)",
            rec.version,
            self.model_dir,
            rec.n_users,
            rec.n_items,
            rec.precomputed,
        )
        return rec

    async def _load_in_background(self) -> None:
        started = time.perf_counter()
        try:
            await asyncio.to_thread(self.load)
        except Exception:  # already recorded in load_error; /healthz and /readyz report it
            return
        log.info("model ready after %.3fs", time.perf_counter() - started)

    # -- ASGI ------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self.load_on_startup and self.recommender is None:
                    self._load_task = asyncio.create_task(self._load_in_background())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._load_task is not None and not self._load_task.done():
                    self._load_task.cancel()
                worker_exit(os.getpid())
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, send: Send) -> None:
        started = time.perf_counter()
        path: str = scope["path"]
        method: str = scope["method"]
        source = ""
        try:
            if path.startswith(PREFIX):
                route = ROUTE_RECOMMEND
                if method == "GET" or method == "HEAD":
                    status, headers, body, source = self._recommend(
                        path[len(PREFIX) :], scope["query_string"]
                    )
                else:
                    status, headers, body = 405, [TEXT, ALLOW], _text("method not allowed")
            else:
                route = ROUTES.get(path, UNMATCHED)
                if route == UNMATCHED:
                    status, headers, body = 404, [TEXT], _text("not found")
                elif method != "GET" and method != "HEAD":
                    status, headers, body = 405, [TEXT, ALLOW], _text("method not allowed")
                else:
                    status, headers, body = self._ops(route)
        except Exception:  # a bug, never user input: answer 500 and keep serving
            log.exception("unhandled error for %s %s", method, path)
            route, status, headers, body = UNMATCHED, 500, [TEXT], _text("internal error")
        headers.append((b"content-length", b"%d" % len(body)))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        elapsed = time.perf_counter() - started
        self.metrics.observe(route, status, elapsed)
        if self.access_log:
            self._log_request(scope, status, elapsed, source)

    def _recommend(self, segment: str, query: bytes) -> tuple[int, list, bytes, str]:
        try:
            user_id = parse_user_id(segment)
            k = parse_k(query)
        except BadRequest as exc:
            return 400, [TEXT], _text(str(exc)), ""
        rec = self.recommender
        if rec is None:
            return 503, [TEXT, (b"retry-after", b"1")], _text("model not loaded yet"), ""
        body, from_model = rec.recommend(user_id, k)
        if from_model:
            self.metrics.recommendations.labels("model").inc()
            return 200, [TEXT, SOURCE_MODEL, self._version_header], body, "model"
        self.metrics.recommendations.labels("popularity").inc()
        return 200, [TEXT, SOURCE_POPULARITY, self._version_header], body, "popularity"

    def _ops(self, route: str) -> tuple[int, list, bytes]:
        if route == "/metrics":
            return 200, [(b"content-type", CONTENT_TYPE)], self.metrics.render()
        if self.load_error is not None:
            return 503, [TEXT], _text(f"model failed to load: {self.load_error}")
        if route == "/healthz":
            return 200, [TEXT], b"ok\n"
        if self.recommender is None:
            return 503, [TEXT], _text("model not loaded yet")
        return 200, [TEXT, self._version_header], b"ready\n"

    @staticmethod
    def _log_request(scope: Scope, status: int, elapsed: float, source: str) -> None:
        client = scope.get("client") or ("", 0)
        line = {
            "ts": round(time.time(), 3),
            "client": client[0],
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode("latin-1"),
            "status": status,
            "ms": round(elapsed * 1000, 3),
            "source": source or None,
        }
        sys.stdout.write(json.dumps(line) + "\n")
