"""pytest fixture: `lightsail_double` starts a double in-process on a free 127.0.0.1 port.

Use it from a conftest.py with `pytest_plugins = ["tests.lightsail_double.fixture"]` or import it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import LightsailDouble, start


@pytest.fixture
def lightsail_double() -> Iterator[LightsailDouble]:
    server, thread = start(pending_seconds=0.5, access_key="testing")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
