"""The image builds and a container answers /recommend/0 (published on 127.0.0.1 only).

Base image: $BERTH_BASE_IMAGE, default the lab's berth-lab/python-base:bookworm (no registry
is reachable in the lab, so python:3.11-slim cannot be pulled there).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.service.conftest import SERVICE_DIR

BASE = os.environ.get("BERTH_BASE_IMAGE", "berth-lab/python-base:bookworm")
TAG = "berth/recommender:pytest"


def _docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def _docker_ready() -> str | None:
    if shutil.which("docker") is None:
        return "docker CLI not installed"
    try:
        if _docker("info", timeout=20).returncode != 0:
            return "docker daemon not reachable"
    except subprocess.TimeoutExpired:
        return "docker daemon not answering"
    if _docker("image", "inspect", BASE).returncode != 0:
        return f"base image {BASE} not present (build the lab base first, or set BERTH_BASE_IMAGE)"
    return None


@pytest.fixture(scope="module")
def image() -> str:
    reason = _docker_ready()
    if reason:
        pytest.skip(reason)
    build = _docker(
        "build", "--build-arg", f"BASE_IMAGE={BASE}", "-t", TAG, str(SERVICE_DIR), timeout=600
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return TAG


def test_container_answers(image: str) -> None:
    run = _docker("run", "-d", "--rm", "-p", "127.0.0.1::8082", image)
    assert run.returncode == 0, run.stderr
    cid = run.stdout.strip()
    try:
        port = _docker("port", cid, "8082/tcp").stdout.split(":")[-1].strip()
        url = f"http://127.0.0.1:{port}/recommend/0"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    body = r.read().decode()
                    assert r.status == 200
                    assert r.headers["X-Recommendation-Source"] == "popularity"
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert len(body.split(",")) == 10 and all(x.isdigit() for x in body.split(","))
        user = _docker("exec", cid, "id", "-u").stdout.strip()
        assert user != "0", "container must not run as root"
        config = _docker("inspect", "-f", "{{json .Config.Healthcheck}}", image).stdout
        assert "readyz" in config
        stopped = time.monotonic()
        assert _docker("stop", cid, timeout=30).returncode == 0
        assert time.monotonic() - stopped < 9, "SIGTERM should stop the container gracefully"
    finally:
        _docker("rm", "-f", cid)
