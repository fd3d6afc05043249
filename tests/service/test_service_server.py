"""The real server: worker processes, raw HTTP, aggregated metrics, graceful SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.conftest import SERVICE_DIR
from tests.service.svc_helpers import free_port


def _get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def _wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "server exited early"
        try:
            if _get(f"http://127.0.0.1:{port}/readyz", timeout=1)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("server did not become ready")


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(SERVICE_DIR))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return env


@pytest.fixture()
def server(model_dir: Path, tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    cmd = [sys.executable, "-m", "recommender", "serve", str(model_dir)]
    cmd += ["--port", str(port), "--workers", "2"]
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(cmd, env=_env(), stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(port, proc)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _raw(port: int, request_line: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"{request_line}\r\nHost: x\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return data.decode("latin-1")


def test_workers_serve_contract_and_stop_on_sigterm(server: tuple[int, subprocess.Popen]) -> None:
    port, proc = server
    base = f"http://127.0.0.1:{port}"
    status, headers, body = _get(f"{base}/recommend/1?k=5")
    assert status == 200 and headers["x-recommendation-source"] == "model"
    assert len(body.split(",")) == 5
    assert _get(f"{base}/recommend/0")[1]["x-recommendation-source"] == "popularity"
    assert _get(f"{base}/recommend/1?k=101")[0] == 400
    assert _get(f"{base}/nope")[0] == 404
    # Path tricks through the real HTTP parser: 400 or 404, never 500, never another route.
    for target in (
        "/recommend/../healthz",
        "/recommend/%2e%2e/healthz",
        "/recommend/1%2F2",
        "/recommend/%00",
        "/recommend/%ff",
        "/recommend/%D9%A1",
        "/recommend//1",
        "/recommend/1?k=%00",
        "/recommend/1?k=\xff",
    ):
        status_line = _raw(port, f"GET {target} HTTP/1.1").split("\r\n", 1)[0]
        assert status_line.split()[1] == "400", (target, status_line)
    assert _raw(port, "GET /../recommend/1 HTTP/1.1").split()[1] in ("400", "404")

    n = 40
    for i in range(n):
        assert _get(f"{base}/recommend/{i}")[0] == 200
    # Counted across both workers (prometheus multiprocess mode).
    metrics = _get(f"{base}/metrics")[2]
    line = next(
        x
        for x in metrics.splitlines()
        if x.startswith('berth_http_requests_total{route="/recommend/{user_id}",status="200"}')
    )
    assert float(line.split()[-1]) >= n + 2

    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert time.monotonic() - started < 10
    with pytest.raises(OSError):
        _get(f"{base}/healthz", timeout=1)


SLOW_APP = textwrap.dedent(
    """
    import asyncio, sys
    import uvicorn
    from recommender.serve import create_app, uvicorn_config

    inner = create_app()

    async def app(scope, receive, send):
        # A request that takes a while, to be in flight when SIGTERM arrives.
        if scope["type"] == "http" and scope["path"] == "/slow":
            await asyncio.sleep(1.5)
            scope = dict(scope, path="/recommend/1")
        await inner(scope, receive, send)

    uvicorn.run(app, **uvicorn_config("127.0.0.1", int(sys.argv[1])))
    """
)


def test_sigterm_drains_in_flight_requests(model_dir: Path, tmp_path: Path) -> None:
    script = tmp_path / "slow_server.py"
    script.write_text(SLOW_APP)
    port = free_port()
    env = dict(_env(), BERTH_MODEL_DIR=str(model_dir))
    log = (tmp_path / "slow.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_ready(port, proc)
        result: dict[str, object] = {}

        def slow() -> None:
            result["response"] = _get(f"http://127.0.0.1:{port}/slow?k=3", timeout=10)

        worker = threading.Thread(target=slow)
        worker.start()
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        worker.join(10)
        status, _, body = result["response"]  # type: ignore[misc]
        assert status == 200 and len(body.split(",")) == 3
        # uvicorn re-raises the captured SIGTERM after a clean shutdown.
        assert proc.wait(timeout=10) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Application shutdown complete" in (tmp_path / "slow.log").read_text()
