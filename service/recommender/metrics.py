"""Prometheus metrics.

With several worker processes the service uses prometheus_client's multiprocess mode: the
launcher points ``PROMETHEUS_MULTIPROC_DIR`` at an empty directory before the workers start,
every worker writes its samples to memory-mapped files there, and whichever worker answers
``/metrics`` aggregates all of them. Without that variable (tests, a single process) the
metrics live in this process only.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as mp

BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST.encode()


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "berth_http_requests_total", "HTTP requests.", ["route", "status"], registry=r
        )
        self.latency = Histogram(
            "berth_http_request_duration_seconds",
            "Time to answer an HTTP request, inside the service.",
            ["route", "status"],
            buckets=BUCKETS,
            registry=r,
        )
        self.recommendations = Counter(
            "berth_recommendations_total",
            "Recommendation answers by source (model or popularity cold start).",
            ["source"],
            registry=r,
        )
        self.model_info = Gauge(
            "berth_model_info",
            "The loaded model (1 while a worker serves it).",
            ["version", "data_sha256"],
            multiprocess_mode="livemax",
            registry=r,
        )
        self.model_ready = Gauge(
            "berth_model_ready",
            "1 when every live worker has its model loaded.",
            multiprocess_mode="livemin",
            registry=r,
        )
        self._children: dict[tuple[str, int], tuple[Counter, Histogram]] = {}
        self.model_ready.set(0)

    def observe(self, route: str, status: int, seconds: float) -> None:
        pair = self._children.get((route, status))
        if pair is None:
            code = str(status)
            pair = (self.requests.labels(route, code), self.latency.labels(route, code))
            self._children[(route, status)] = pair
        pair[0].inc()
        pair[1].observe(seconds)

    def render(self) -> bytes:
        path = multiprocess_dir()
        if path is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry, path=path)
        return generate_latest(registry)


def worker_exit(pid: int) -> None:
    """Drop a finished worker's live gauges (counters and histograms are kept)."""
    path = multiprocess_dir()
    if path is not None:
        mp.mark_process_dead(pid, path)
