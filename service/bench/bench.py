"""Benchmark: (a) nginx static body, (b) service via nginx keepalive upstream, (c) service direct.

Starts everything it needs on 127.0.0.1 high ports (nginx with its own config, the service
with its default worker count), runs wrk against each, stops everything, prints a table.
The last line is ``ratio <b/a>``.

    python service/bench/bench.py [--model-dir service/trained_models] [--duration 10]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVICE_DIR = HERE.parent
STATIC_BODY = "1308,393,1698,1135,202,600,629,1543,156,908"


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(name: str, out: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))\s*$", out, re.M))
    p50, p99 = (re.fullmatch(r"([\d.]+)(us|ms|s)", lat[q]) for q in ("50", "99"))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Result(name, rps, _ms(*p50.groups()), _ms(*p99.groups()), errors)  # type: ignore[union-attr]


def run_wrk(name: str, url: str, args: argparse.Namespace) -> Result:
    base = ["wrk", f"-t{args.threads}", f"-c{args.connections}", "-s", str(HERE / "requests.lua")]
    subprocess.run([*base, "-d2s", url], check=True, capture_output=True, text=True)  # warm-up
    out = subprocess.run(
        [*base, f"-d{args.duration}s", "--latency", url], check=True, capture_output=True, text=True
    ).stdout
    return parse_wrk(name, out)


def _descendants(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            todo.extend(int(c) for c in task.read_text().split())
    return pids


def memory_mib(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MiB summed over the service's processes. PSS counts the shared
    memory-mapped model pages once, RSS once per worker."""
    rss = pss = 0
    for p in _descendants(pid):
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key == "Rss":
                rss += int(rest.split()[0])
            elif key == "Pss":
                pss += int(rest.split()[0])
    return rss / 1024, pss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-dir", default=str(SERVICE_DIR / "trained_models"))
    ap.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "10")))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=None, help="service workers (default: CPUs)")
    ap.add_argument("--static-port", type=int, default=18181)
    ap.add_argument("--service-port", type=int, default=18182)
    ap.add_argument("--proxy-port", type=int, default=18183)
    args = ap.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"bench: {tool} is not installed (apt-get install -y wrk nginx-light)")
    ports = (args.static_port, args.service_port, args.proxy_port)
    busy = [p for p in ports if not _free(p)]
    if busy:
        sys.exit(f"bench: ports already in use on 127.0.0.1: {busy}")

    load = os.getloadavg()[0]  # other work on the machine skews every number below
    run_dir = Path(tempfile.mkdtemp(prefix="berth-bench-"))
    env = dict(os.environ, PYTHONPATH=str(SERVICE_DIR))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    cmd = [sys.executable, "-m", "recommender", "serve", args.model_dir]
    cmd += ["--port", str(args.service_port)]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        conf = string.Template((HERE / "nginx.conf.template").read_text()).substitute(
            NGINX_WORKERS=str(len(os.sched_getaffinity(0))),
            RUN_DIR=str(run_dir),
            STATIC_PORT=args.static_port,
            SERVICE_PORT=args.service_port,
            PROXY_PORT=args.proxy_port,
            STATIC_BODY=STATIC_BODY,
        )
        (run_dir / "nginx.conf").write_text(conf)
        nginx = ["nginx", "-p", str(run_dir), "-e", str(run_dir / "nginx-error.log")]
        procs.append(subprocess.Popen([*nginx, "-c", str(run_dir / "nginx.conf")]))
        log = (run_dir / "service.log").open("wb")
        service = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(service)
        _wait_http(f"http://127.0.0.1:{args.service_port}/readyz")
        _wait_http(f"http://127.0.0.1:{args.static_port}/")
        results = [
            run_wrk("(a) nginx static body", f"http://127.0.0.1:{args.static_port}", args),
            run_wrk("(b) service via nginx", f"http://127.0.0.1:{args.proxy_port}", args),
            run_wrk("(c) service direct", f"http://127.0.0.1:{args.service_port}", args),
        ]
        rss, pss = memory_mib(service.pid)
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(run_dir, ignore_errors=True)

    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"{len(os.sched_getaffinity(0))} CPUs, random users 0..1100, k varied on 25%, "
        f"load average before: {load:.2f}"
    )
    print(f"{'target':<26}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for r in results:
        print(f"{r.name:<26}{r.rps:>10.0f}{r.p50_ms:>9.2f}{r.p99_ms:>9.2f}{r.errors:>8}")
    print(f"service memory: RSS {rss:.1f} MiB, PSS {pss:.1f} MiB (all processes)")
    print(f"ratio {results[1].rps / results[0].rps:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
