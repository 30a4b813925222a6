"""The container-role inspector mirrors botocore's ContainerProvider (loopback endpoints only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import oracle
import pytest

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.container import ContainerProvider

MakeCtx = Callable[..., Context]
FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
BODY = {
    "AccessKeyId": "ASIAEXAMPLECONTAT001",
    "SecretAccessKey": "SECRET-NEVER-PRINTED-CONTAINER",
    "Token": "TOKEN-NEVER-PRINTED-CONTAINER",
    "Expiration": "2099-01-01T00:00:00Z",
    "RoleArn": "arn:aws:iam::123456789012:role/Task",
}


@pytest.fixture
def endpoint() -> Iterator[Callable[[list[dict[str, Any]]], str]]:
    """Start loopback endpoints from entry lists; return the base URL of each."""
    servers: list[oracle.Endpoint] = []

    def start(entries: list[dict[str, Any]]) -> str:
        servers.append(oracle.Endpoint(entries))
        return servers[-1].url

    with oracle.no_container_pause():
        yield start
    for server in servers:
        server.close()


def test_unset_is_not_found(make_ctx: MakeCtx) -> None:
    """Neither URI variable: not found."""
    assert ContainerProvider().inspect(make_ctx(), "default").status is Status.NOT_FOUND


def test_not_probed_without_network(make_ctx: MakeCtx) -> None:
    """With network=False the endpoint is reported as configured, not probed."""
    ctx = make_ctx(env={FULL: "http://127.0.0.1:9/creds"}, network=False)
    finding = ContainerProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert "not probed" in finding.reason


def test_served_credentials_are_found(make_ctx: MakeCtx, endpoint: Any) -> None:
    """A loopback endpoint serving credentials: found, with the key id and the role."""
    url = endpoint([{"path": "/creds", "body": BODY}])
    finding = ContainerProvider().inspect(make_ctx(env={FULL: url + "/creds"}), "default")
    assert finding.status is Status.FOUND
    assert finding.access_key == BODY["AccessKeyId"]
    assert finding.role_arn == BODY["RoleArn"]


def test_endpoint_failures(make_ctx: MakeCtx, endpoint: Any) -> None:
    """500s, a missing field and a bad expiry raise what botocore's fetcher raises."""
    url = endpoint(
        [
            {"path": "/500", "status": 500, "body": "down"},
            {"path": "/no-token", "body": {k: v for k, v in BODY.items() if k != "Token"}},
            {"path": "/bad-expiry", "body": {**BODY, "Expiration": "soon"}},
        ]
    )
    for path, raises in (
        ("/500", "CredentialRetrievalError"),
        ("/no-token", "KeyError"),
        ("/bad-expiry", "ParserError"),
    ):
        finding = ContainerProvider().inspect(make_ctx(env={FULL: url + path}), "default")
        assert finding.raises == raises, path


def test_set_up_errors_before_any_request(make_ctx: MakeCtx) -> None:
    """A host botocore doesn't allow, a missing token file or a token with a newline raise."""
    cases = [
        ({FULL: "http://example.com/creds"}, "ValueError"),
        (
            {FULL: "http://127.0.0.1:9/", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "{root}/no"},
            "FileNotFoundError",
        ),
        ({FULL: "http://127.0.0.1:9/", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "a\nb"}, "ValueError"),
    ]
    for env, raises in cases:
        finding = ContainerProvider().inspect(make_ctx(env=env, network=False), "default")
        assert (finding.status, finding.raises) == (Status.ERROR, raises)


def test_refused_endpoint_says_refused(make_ctx: MakeCtx) -> None:
    """Refused on all three attempts: botocore's CredentialRetrievalError, said as refused."""
    import loopback

    url = f"http://127.0.0.1:{loopback.closed_port()}/creds"
    with oracle.no_container_pause():
        finding = ContainerProvider().inspect(make_ctx(env={FULL: url}), "default")
    assert finding.raises == "CredentialRetrievalError"
    assert "refused" in finding.reason and "3 attempts" in finding.reason


@pytest.mark.parametrize("mode", ["silent", "trickle"])
def test_the_whole_fetch_is_bounded(make_ctx: MakeCtx, mode: str) -> None:
    """Silent or trickling: cut at timeout= (all three attempts together), unknown."""
    import time

    import loopback

    with loopback.RawServer(mode, interval=0.2) as server:
        ctx = make_ctx(env={FULL: server.url + "/creds"}, timeout=0.8)
        started = time.monotonic()
        finding = ContainerProvider().inspect(ctx, "default")
        took = time.monotonic() - started
        ctx.close()
        assert server.peers_closed()
        assert loopback.client_sockets(server.port) == 0
    assert took < 0.8 + 1.5  # a guard against hanging, not a benchmark
    assert finding.status is Status.UNKNOWN
    assert "3 attempts x 2 s" in finding.reason
    assert loopback.credchain_threads() == []
