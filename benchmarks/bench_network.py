"""The network probes side by side with botocore, in one run, on loopback servers.

    python benchmarks/bench_network.py

Prints, for credchain's ``explain()`` and botocore's ``Session().get_credentials()``:
the time against a metadata service that never answers, against a closed port
(refused) and against a silent container endpoint, as ratios (credchain /
botocore, lower is better); and the requests a healthy IMDSv2 service receives
from each, per path, with and without a token. Nothing here is a test.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from run import silent_server  # beside this script: the one silent loopback server

TOKEN = "/latest/api/token"
ROLE = "/latest/meta-data/iam/security-credentials/"
CREDS = (
    '{"AccessKeyId": "ASIAIOSFODNN7EXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfi",'
    ' "Token": "IQoJb3JpZ2luX2VjEXAMPLE", "Expiration": "2099-01-01T00:00:00Z"}'
)


def _median(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _IMDSv2Only(BaseHTTPRequestHandler):
    """A healthy IMDSv2-only service that counts (method, path, token?) requests."""

    seen: Counter[tuple[str, str, bool]] = Counter()

    def _answer(self) -> None:
        has_token = self.headers.get("x-aws-ec2-metadata-token") is not None
        self.seen[(self.command, self.path, has_token)] += 1
        if self.command == "PUT" and self.path == TOKEN:
            status, body = 200, "session-token"
        elif not has_token:
            status, body = 401, ""
        elif self.path == ROLE:
            status, body = 200, "ExampleRole"
        elif self.path == ROLE + "ExampleRole":
            status, body = 200, CREDS
        else:
            status, body = 404, ""
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main() -> None:
    import botocore.session
    from botocore.utils import ContainerMetadataFetcher

    import credchain

    def botocore_credentials() -> object:
        try:
            return botocore.session.Session().get_credentials()
        except Exception as e:  # what botocore raises is part of what it does
            return e

    rows: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in list(os.environ):
            if name.startswith(("AWS_", "BOTO_")):
                del os.environ[name]
        os.environ["HOME"] = tmp
        os.environ["AWS_METADATA_SERVICE_TIMEOUT"] = "1"
        for name in ("STS", "SSO", "SSO_OIDC", "SIGNIN"):
            os.environ[f"AWS_ENDPOINT_URL_{name}"] = "http://127.0.0.1:9"
        (Path(tmp) / ".aws").mkdir()

        srv, port = silent_server()
        os.environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = f"http://127.0.0.1:{port}/"
        c = _median(credchain.explain, 5)
        b = _median(botocore_credentials, 5)
        rows.append(("silent metadata service (timeout 1 s, 1 attempt)", c, b))

        os.environ["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] = "3"
        c = _median(credchain.explain, 3)
        b = _median(botocore_credentials, 3)
        rows.append(("silent metadata service (timeout 1 s, 3 attempts)", c, b))
        del os.environ["AWS_METADATA_SERVICE_NUM_ATTEMPTS"]

        os.environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = f"http://127.0.0.1:{_closed_port()}/"
        c = _median(credchain.explain, 51)
        b = _median(botocore_credentials, 51)
        rows.append(("refused metadata service (closed port)", c, b))

        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = f"http://127.0.0.1:{port}/creds"
        c = _median(credchain.explain, 1)
        b = _median(botocore_credentials, 1)
        rows.append(("silent container endpoint (botocore: 3 x 2 s + pauses)", c, b))
        del (
            os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
            os.environ["AWS_EC2_METADATA_DISABLED"],
        )
        srv.close()

        imds = ThreadingHTTPServer(("127.0.0.1", 0), _IMDSv2Only)
        threading.Thread(target=imds.serve_forever, daemon=True).start()
        os.environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = f"http://127.0.0.1:{imds.server_port}/"
        counts = []
        for fn in (credchain.explain, botocore_credentials):
            _IMDSv2Only.seen.clear()
            for _ in range(20):
                fn()
            counts.append(Counter(_IMDSv2Only.seen))
        imds.shutdown()
        imds.server_close()

    import botocore

    width = max(len(r[0]) for r in rows)
    print(f"botocore {botocore.__version__}, Python {sys.version.split()[0]}")
    print(
        f"(container pause between attempts: {ContainerMetadataFetcher.SLEEP_TIME} s in botocore)"
    )
    print(f"{'':<{width}}  {'credchain':>10}   {'botocore':>10}   ratio")
    for name, c, b in rows:
        print(f"{name:<{width}}  {c * 1000:8.1f} ms / {b * 1000:8.1f} ms = {c / b:5.2f}")
    print("\nhealthy IMDSv2-only service, 20 inspections each: requests per path")
    print(f"{'request':<72} {'credchain':>9} {'botocore':>9}")
    for key in sorted(set(counts[0]) | set(counts[1])):
        method, path, token = key
        label = f"{method} {path} ({'with' if token else 'without'} token)"
        print(f"{label:<72} {counts[0][key]:>9} {counts[1][key]:>9}")
    print("same requests:", counts[0] == counts[1])


if __name__ == "__main__":
    main()
