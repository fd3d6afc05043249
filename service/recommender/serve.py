"""Process management: uvicorn (uvloop + httptools) with one worker per CPU.

The parent process only supervises: it checks the model directory and the port, prepares
the Prometheus multiprocess directory and starts the workers. Each worker listens on its
own SO_REUSEPORT socket (the kernel balances connections across workers) and builds the app
(``create_app``) from the environment and memory-maps the same model files, so the page
cache holds the factors once for all workers. SIGTERM/SIGINT: workers stop accepting,
finish in-flight requests (up to ``GRACEFUL_SECONDS``), close idle keep-alive connections
and exit; the parent exits 0 when they are done.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .model_store import CARD

GRACEFUL_SECONDS = 8  # below Docker's default 10 s stop timeout
# Longer than nginx's upstream keepalive_timeout (60 s), so the proxy always closes first.
KEEPALIVE_SECONDS = 75
ENV_MODEL_DIR = "BERTH_MODEL_DIR"
ENV_PRECOMPUTE = "BERTH_PRECOMPUTE"
ENV_ACCESS_LOG = "BERTH_ACCESS_LOG"

log = logging.getLogger("recommender.supervisor")


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def create_app() -> Any:
    """uvicorn factory, called once in every worker."""
    from .app import App

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s %(message)s")
    precompute = os.environ.get(ENV_PRECOMPUTE, "auto")
    if precompute not in ("auto", "always", "never"):
        precompute = "auto"
    return App(
        os.environ[ENV_MODEL_DIR],
        precompute=precompute,  # type: ignore[arg-type]
        access_log=os.environ.get(ENV_ACCESS_LOG, "") == "1",
    )


def uvicorn_config(host: str, port: int, **extra: Any) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "loop": "uvloop",
        "http": "httptools",
        "ws": "none",
        "lifespan": "on",
        "access_log": False,
        "server_header": False,
        "proxy_headers": False,
        "timeout_keep_alive": KEEPALIVE_SECONDS,
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        "backlog": 4096,
        "log_level": "info",
        **extra,
    }


def _prepare_multiprocess_dir() -> tuple[str, bool]:
    """An empty directory for prometheus_client's multiprocess files; (path, we_created_it)."""
    existing = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if existing:
        path = Path(existing)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        return str(path), False
    return tempfile.mkdtemp(prefix="berth-metrics-"), True


def _listen_socket(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket of this worker's own, in the port's SO_REUSEPORT group: the kernel
    spreads new connections evenly over the workers (a shared socket lets whichever worker
    wakes first take most keep-alive connections from a proxy, which hurts tail latency)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _worker(config: dict[str, Any]) -> None:
    """Body of one worker process (spawned, so it starts from a fresh interpreter)."""
    import uvicorn

    sock = _listen_socket(config["host"], config["port"], config["backlog"])
    server = uvicorn.Server(uvicorn.Config("recommender.serve:create_app", factory=True, **config))
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(3)


class Supervisor:
    """Starts ``workers`` processes, restarts one that dies, and on SIGTERM/SIGINT asks every
    worker to shut down gracefully and waits for them."""

    def __init__(self, config: dict[str, Any], workers: int) -> None:
        self.config = config
        self.workers = workers
        self.procs: list[multiprocessing.process.BaseProcess] = []
        self.stopping = False
        self.failed = False
        self._ctx = multiprocessing.get_context("spawn")

    def _spawn(self) -> multiprocessing.process.BaseProcess:
        proc = self._ctx.Process(target=_worker, args=(self.config,), name="recommender-worker")
        proc.start()
        return proc

    def _stop(self, signum: int, _frame: object) -> None:
        if not self.stopping:
            log.info("signal %d: stopping %d workers gracefully", signum, len(self.procs))
        self.stopping = True

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._stop)
        log.info("supervisor %d starting %d workers", os.getpid(), self.workers)
        self.procs = [self._spawn() for _ in range(self.workers)]
        while not self.stopping:
            time.sleep(0.2)
            for i, proc in enumerate(self.procs):
                if proc.is_alive() or self.stopping:
                    continue
                if proc.exitcode == 3:  # could not start: restarting would fail the same way
                    log.error("worker %s failed to start; stopping", proc.pid)
                    self.failed = self.stopping = True
                    break
                log.warning("worker %s exited with %s; restarting it", proc.pid, proc.exitcode)
                self.procs[i] = self._spawn()
        for proc in self.procs:
            if proc.is_alive() and proc.pid is not None:
                os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + GRACEFUL_SECONDS + 2
        for proc in self.procs:
            proc.join(max(0.1, deadline - time.monotonic()))
            if proc.is_alive():
                log.error("worker %s did not stop in time; killing it", proc.pid)
                proc.kill()
                proc.join()
        log.info("supervisor %d stopped", os.getpid())
        return 1 if self.failed else 0


def serve(
    model_dir: str,
    host: str = "127.0.0.1",
    port: int = 8082,
    workers: int | None = None,
    precompute: str = "auto",
    access_log: bool = False,
) -> int:
    if not (Path(model_dir) / CARD).is_file():
        print(f"error: {model_dir} is not a model directory (no {CARD}); train one first")
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s %(message)s")
    workers = workers or default_workers()
    config = uvicorn_config(host, port)
    try:  # fail fast, in the parent, when the port is taken by another server
        _listen_socket(host, port, 1).close()
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}: {exc}")
        return 2
    os.environ[ENV_MODEL_DIR] = str(Path(model_dir).resolve())
    os.environ[ENV_PRECOMPUTE] = precompute
    os.environ[ENV_ACCESS_LOG] = "1" if access_log else "0"
    metrics_dir, created = _prepare_multiprocess_dir()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        return Supervisor(config, workers).run()
    finally:
        if created:
            shutil.rmtree(metrics_dir, ignore_errors=True)
