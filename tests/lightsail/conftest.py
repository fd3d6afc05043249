"""Fixtures for the Lightsail tests: the Lightsail double and moto (IAM/STS), both on 127.0.0.1."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `pytest tests/lightsail` without a pythonpath setting
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from tests.lightsail_double.fixture import lightsail_double  # noqa: E402, F401 - after sys.path; re-exported fixture


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """moto in-process on a free 127.0.0.1 port (IAM and STS for the ECR pull user)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
