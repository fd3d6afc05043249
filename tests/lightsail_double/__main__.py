"""Run the double: python -m tests.lightsail_double --port 5201 (from the repository root)."""

from __future__ import annotations

import argparse
import logging

from .server import LightsailDouble


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Lightsail API test double (in-memory, 127.0.0.1 only)"
    )
    parser.add_argument("--port", type=int, default=5201)
    parser.add_argument("--host", default="127.0.0.1", choices=["127.0.0.1", "localhost"])
    parser.add_argument(
        "--pending-seconds",
        type=float,
        default=1.0,
        help="how long new/started instances stay pending",
    )
    parser.add_argument(
        "--access-key",
        help="accept only this access key id (default: any signed request)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = LightsailDouble((args.host, args.port), args.pending_seconds, args.access_key)
    logging.getLogger("lightsail_double").info("listening on %s", server.endpoint)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
