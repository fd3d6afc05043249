"""Bounded load through nginx for molecule/deploy: GET a URL from a few threads until a stop file
appears (or a time limit passes), one new TLS connection per request (no keep-alive races), and
print one JSON line: requests, statuses, connection errors, duration. 127.0.0.1 only."""

from __future__ import annotations

import argparse
import http.client
import json
import ssl
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--stop-file", type=Path, required=True)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--pause", type=float, default=0.02, help="seconds between a thread's requests"
    )
    args = parser.parse_args()
    url = urlsplit(args.url)
    if url.hostname != "127.0.0.1":
        raise SystemExit("load.py only targets 127.0.0.1")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + args.max_seconds

    def worker() -> None:
        while time.monotonic() < deadline and not args.stop_file.exists():
            conn = http.client.HTTPSConnection(
                url.hostname, url.port or 443, timeout=10, context=context
            )
            try:
                conn.request("GET", url.path)
                response = conn.getresponse()
                body = response.read().decode(errors="replace").strip()
                key = str(response.status)
                if response.status == 200 and len(body.split(",")) != 10:
                    key = "200-bad-body"
                with lock:
                    statuses[key] += 1
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors[type(exc).__name__] += 1
            finally:
                conn.close()
            time.sleep(args.pause)

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ok = statuses.get("200", 0)
    print(
        json.dumps(
            {
                "requests": sum(statuses.values()) + sum(errors.values()),
                "ok": ok,
                "non_ok": sum(statuses.values()) - ok,
                "errors": sum(errors.values()),
                "statuses": dict(statuses),
                "error_kinds": dict(errors),
                "seconds": round(time.monotonic() - start, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
