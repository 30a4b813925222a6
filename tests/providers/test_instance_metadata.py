"""The iam-role inspector mirrors botocore's InstanceMetadataProvider (loopback IMDS only)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import oracle
import pytest

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.instance_metadata import InstanceMetadataProvider, imds_settings

MakeCtx = Callable[..., Context]
TOKEN = "/latest/api/token"
ROLE = "/latest/meta-data/iam/security-credentials/"
CREDS = {
    "AccessKeyId": "ASIAEXAMPLEIMDSU0001",
    "SecretAccessKey": "SECRET-NEVER-PRINTED-IMDS",
    "Token": "TOKEN-NEVER-PRINTED-IMDS",
    "Expiration": "2099-01-01T00:00:00Z",
}


@pytest.fixture
def imds(make_ctx: MakeCtx) -> Iterator[Callable[..., Context]]:
    """Start a loopback IMDS from entries; return a Context pointed at it."""
    servers: list[oracle.Endpoint] = []

    def start(entries: list[dict[str, Any]], **env: str) -> Context:
        servers.append(oracle.Endpoint(entries))
        full = {"AWS_EC2_METADATA_DISABLED": "false"}
        full["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = servers[-1].url + "/"
        return make_ctx(env={**full, **env})

    yield start
    for server in servers:
        server.close()


def inspect(ctx: Context) -> Any:
    return InstanceMetadataProvider(imds_settings(ctx)).inspect(ctx, "default")


def test_disabled(make_ctx: MakeCtx) -> None:
    """AWS_EC2_METADATA_DISABLED=true (any case) disables the provider."""
    ctx = make_ctx(env={"AWS_EC2_METADATA_DISABLED": "True"})
    assert inspect(ctx).status is Status.DISABLED


def test_unknown_without_network(make_ctx: MakeCtx) -> None:
    """With network=False nothing is asked: unknown."""
    ctx = make_ctx(env={"AWS_EC2_METADATA_DISABLED": "false"}, network=False)
    assert inspect(ctx).status is Status.UNKNOWN


def test_role_credentials_via_imdsv2(imds: Any) -> None:
    """Token, role name and credentials: found, with the role and the key id."""
    ctx = imds(
        [
            {"method": "PUT", "path": TOKEN, "body": "t"},
            {"path": ROLE, "body": "ExampleInstanceRole"},
            {"path": ROLE + "ExampleInstanceRole", "body": CREDS},
        ]
    )
    finding = inspect(ctx)
    assert finding.status is Status.FOUND
    assert finding.role_arn == "role/ExampleInstanceRole"
    assert finding.access_key == CREDS["AccessKeyId"]
    assert "IMDSv2" in finding.reason


def test_no_role_attached(imds: Any) -> None:
    """The role listing answers 404: not found."""
    ctx = imds([{"method": "PUT", "path": TOKEN, "body": "t"}, {"path": ROLE, "status": 404}])
    assert inspect(ctx).status is Status.NOT_FOUND


def test_no_role_attached_says_so(imds: Any) -> None:
    """A 404 role listing is said plainly: no instance profile, not "no answer"."""
    ctx = imds([{"method": "PUT", "path": TOKEN, "body": "t"}, {"path": ROLE, "status": 404}])
    reason = inspect(ctx).reason
    assert "HTTP 404" in reason and "no instance profile is attached" in reason
    assert "or no answer" not in reason


def test_refused_is_unreachable(make_ctx: MakeCtx) -> None:
    """A closed port: refused, said as such (not "reachable, but no IAM role")."""
    import loopback

    url = f"http://127.0.0.1:{loopback.closed_port()}/"
    ctx = make_ctx(
        env={"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": url}
    )
    finding = inspect(ctx)
    assert finding.status is Status.NOT_FOUND
    assert "refused" in finding.reason and "reachable, but" not in finding.reason


def test_silent_is_no_answer(make_ctx: MakeCtx) -> None:
    """Accepted, never answered: "did not answer within 1 s", in about one timeout."""
    import time

    import loopback

    with loopback.RawServer("silent") as server:
        ctx = make_ctx(
            env={
                "AWS_EC2_METADATA_DISABLED": "false",
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url + "/",
                "AWS_METADATA_SERVICE_TIMEOUT": "1",
            }
        )
        started = time.monotonic()
        finding = inspect(ctx)
        assert time.monotonic() - started < 3  # a guard against hanging, not a benchmark
    assert finding.status is Status.NOT_FOUND
    assert "did not answer within 1 s" in finding.reason


def test_imdsv2_only_service_gets_no_tokenless_request(imds: Any, make_ctx: MakeCtx) -> None:
    """A service that answers 401 without a token: found via IMDSv2, never asked without one."""
    server = oracle.Endpoint(
        [
            {"method": "PUT", "path": TOKEN, "body": "t"},
            {"path": ROLE, "token": True, "body": "R"},
            {"path": ROLE + "R", "token": True, "body": CREDS},
            {"path": ROLE, "token": False, "status": 401},
        ]
    )
    try:
        ctx = make_ctx(
            env={
                "AWS_EC2_METADATA_DISABLED": "false",
                "AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url + "/",
            }
        )
        finding = inspect(ctx)
        ctx.close()
        requests = list(server.requests)
    finally:
        server.close()
    assert finding.status is Status.FOUND and "IMDSv2" in finding.reason
    assert [r for r in requests if r[0] == "GET" and not r[2]] == []
    assert len(requests) == 3


def test_token_answer_dropped_falls_back_to_imdsv1(imds: Any) -> None:
    """The token answer never arrives (hop limit 1): IMDSv1 still gets the role."""
    ctx = imds(
        [
            {"method": "PUT", "path": TOKEN, "delay": 3, "body": "late"},
            {"path": ROLE, "token": False, "body": "R"},
            {"path": ROLE + "R", "token": False, "body": CREDS},
        ],
        AWS_METADATA_SERVICE_TIMEOUT="1",
    )
    finding = inspect(ctx)
    assert finding.status is Status.FOUND
    assert "IMDSv1, after the token request got no answer within 1 s" in finding.reason


def test_v1_disabled_without_token(imds: Any) -> None:
    """No token (403, or an empty 200) with IMDSv1 disabled is MetadataRetrievalError."""
    for token in ({"status": 403, "body": ""}, {"status": 200, "body": ""}):
        ctx = imds([{"method": "PUT", "path": TOKEN, **token}], AWS_EC2_METADATA_V1_DISABLED="true")
        assert inspect(ctx).raises == "MetadataRetrievalError"


def test_bad_expiration_raises(imds: Any) -> None:
    """Credentials with an unparseable Expiration are dateutil's ParserError."""
    ctx = imds(
        [
            {"method": "PUT", "path": TOKEN, "body": "t"},
            {"path": ROLE, "body": "R"},
            {"path": ROLE + "R", "body": {**CREDS, "Expiration": "later"}},
        ]
    )
    assert inspect(ctx).raises == "ParserError"


def test_settings_errors(make_ctx: MakeCtx) -> None:
    """Settings botocore rejects while building its chain raise from imds_settings."""
    from botocore.exceptions import InvalidIMDSEndpointError, InvalidIMDSEndpointModeError

    with pytest.raises(InvalidIMDSEndpointModeError):
        imds_settings(make_ctx(env={"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv5"}))
    with pytest.raises(InvalidIMDSEndpointError):
        imds_settings(make_ctx(env={"AWS_EC2_METADATA_SERVICE_ENDPOINT": "not a uri"}))
    with pytest.raises(ValueError):
        imds_settings(make_ctx(env={"AWS_METADATA_SERVICE_TIMEOUT": "1.5"}))
    settings = imds_settings(make_ctx(env={"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"}))
    assert settings.base_url == "http://[fd00:ec2::254]/"


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"HTTP_PROXY": "http://proxy:1"},
        {"HTTP_PROXY": "http://proxy:1", "http_proxy": ""},
        {"http_proxy": "http://proxy:2", "NO_PROXY": "127.0.0.1"},
        {"HTTP_PROXY": "http://proxy:1", "no_proxy": "*"},
        {"HTTP_PROXY": "http://proxy:1", "REQUEST_METHOD": "GET"},
        {"HTTP_proxy": "http://proxy:3", "NO_PROXY": "example.com"},
    ],
)
def test_proxies_come_from_the_inspected_environment(env: dict[str, str]) -> None:
    """The metadata probe's proxies are botocore's get_environ_proxies over the inspected env."""
    from botocore.utils import get_environ_proxies

    from credchain._io.http import environ_proxies

    for url in ("http://127.0.0.1:8080/", "http://169.254.169.254/"):
        with oracle.environ(env):
            expected = get_environ_proxies(url)
        assert environ_proxies(url, env) == expected
