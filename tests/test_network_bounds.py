"""Network probes against real loopback servers: bounds, outcomes, requests, leftovers.

Servers that refuse (a closed port), stay silent, trickle bytes, answer 404, require
an IMDSv2 token or drop its answer (a container's hop limit), and count requests
per path with and without a token. botocore runs against the same servers as the
oracle. Time checks here are guards against hanging ("returns within the bound
plus slack"), not benchmarks: see benchmarks/bench_network.py for figures.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import loopback
import oracle
import pytest

import credchain
from credchain import Status

TOKEN = "/latest/api/token"
ROLE = "/latest/meta-data/iam/security-credentials/"
CREDS = {
    "AccessKeyId": "ASIAEXAMPLENETWORK01",
    "SecretAccessKey": "SECRET-NEVER-PRINTED-NETWORK",
    "Token": "TOKEN-NEVER-PRINTED-NETWORK",
    "Expiration": "2099-01-01T00:00:00Z",
}
#: IMDSv2 only: every GET needs the token, a tokenless one gets 401.
IMDSV2_ONLY = [
    {"method": "PUT", "path": TOKEN, "body": "session-token"},
    {"path": ROLE, "token": True, "body": "ExampleRole"},
    {"path": ROLE + "ExampleRole", "token": True, "body": CREDS},
    {"path": ROLE, "token": False, "status": 401},
    {"path": ROLE + "ExampleRole", "token": False, "status": 401},
]
#: How much later than its bound explain() may return: a guard against hanging.
SLACK = 1.5


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Iterator[None]:
    """No thread credchain started outlives the test's explain() calls."""
    yield
    assert loopback.credchain_threads() == []


def imds_env(home: Path, url: str, **extra: str) -> dict[str, str]:
    env = {
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"),
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": url + "/",
        "AWS_METADATA_SERVICE_TIMEOUT": "1",
        **oracle.GUARDS,
    }
    env.update(extra)
    return env


def container_env(home: Path, url: str) -> dict[str, str]:
    env = imds_env(home, "http://127.0.0.1:9", AWS_EC2_METADATA_DISABLED="true")
    env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = url
    return env


def timed(env: dict[str, str], **kwargs: Any) -> tuple[credchain.Report, float]:
    started = time.monotonic()
    report = credchain.explain(env=env, **kwargs)
    return report, time.monotonic() - started


def result(report: credchain.Report, method: str) -> credchain.ProviderResult:
    return next(p for p in report.providers if p.method == method)


def agrees(env: dict[str, str], report: credchain.Report) -> None:
    assert oracle.compare(oracle.run_botocore(env, None), report) == []


# -- the bound holds -----------------------------------------------------------------------------


class TestMetadataBound:
    def test_silent_service_within_botocore_timeout(self, home: Path) -> None:
        """Silent as long as botocore waits: not found in about one timeout, botocore agrees."""
        with loopback.RawServer("silent") as server:
            env = imds_env(home, server.url)
            report, took = timed(env)
            assert server.peers_closed()
            assert loopback.client_sockets(server.port) == 0
            agrees(env, report)
        imds = result(report, "iam-role")
        assert took < 1 + SLACK
        assert imds.status is Status.NOT_FOUND
        assert "did not answer within 1 s" in imds.reason
        assert "refused" not in imds.reason and "no IAM role" not in imds.reason

    def test_shorter_bound_is_unknown_and_says_what_botocore_would_do(self, home: Path) -> None:
        """timeout=0.5 bounds the whole probe; botocore would wait longer: unknown."""
        with loopback.RawServer("silent") as server:
            report, took = timed(imds_env(home, server.url), timeout=0.5)
            assert server.peers_closed()
        imds = result(report, "iam-role")
        assert took < 0.5 + SLACK
        assert imds.status is Status.UNKNOWN
        assert "0.5 s" in imds.reason and "1 attempt x 1 s" in imds.reason

    def test_a_thousand_attempts_are_not_made(self, home: Path) -> None:
        """AWS_METADATA_SERVICE_NUM_ATTEMPTS=1000: cut at the bound, reported as unknown."""
        with loopback.RawServer("silent") as server:
            env = imds_env(home, server.url, AWS_METADATA_SERVICE_NUM_ATTEMPTS="1000")
            report, took = timed(env)
            assert len(server.accepted) <= 3
        imds = result(report, "iam-role")
        assert took < 1 + SLACK
        assert imds.status is Status.UNKNOWN
        assert "1000 attempts x 1 s" in imds.reason

    def test_trickling_service_is_cut_off(self, home: Path) -> None:
        """One byte every 0.5 s never trips a 2 s read timeout; the bound still ends it."""
        with loopback.RawServer("trickle", interval=0.5) as server:
            env = imds_env(home, server.url, AWS_METADATA_SERVICE_TIMEOUT="2")
            report, took = timed(env)
            assert server.peers_closed()
            assert loopback.client_sockets(server.port) == 0
        imds = result(report, "iam-role")
        assert took < 2 + SLACK
        assert imds.status is Status.UNKNOWN
        assert "still sending" in imds.reason

    def test_timeout_bounds_a_trickle_below_botocore_timeout(self, home: Path) -> None:
        """timeout=0.7 cuts a trickle too, with 32 inspections at once."""
        with loopback.RawServer("trickle", interval=0.2) as server:
            env = imds_env(home, server.url)
            reports: list[tuple[credchain.Report, float]] = []
            threads = [
                threading.Thread(target=lambda: reports.append(timed(env, timeout=0.7)))
                for _ in range(32)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            assert server.peers_closed()
        assert len(reports) == 32
        for report, took in reports:
            assert result(report, "iam-role").status is Status.UNKNOWN
            assert took < 0.7 + SLACK + 2  # 32 at once on a shared machine


class TestContainerBound:
    def test_silent_endpoint(self, home: Path) -> None:
        """botocore's three attempts fit no bound: unknown, saying what botocore would do."""
        with loopback.RawServer("silent") as server:
            report, took = timed(container_env(home, server.url + "/creds"), timeout=1)
            assert server.peers_closed()
            assert loopback.client_sockets(server.port) == 0
        container = result(report, "container-role")
        assert took < 1 + SLACK
        assert container.status is Status.UNKNOWN
        assert "3 attempts x 2 s" in container.reason

    def test_trickling_endpoint(self, home: Path) -> None:
        """A trickling container endpoint is cut at botocore's container timeout (2 s)."""
        with loopback.RawServer("trickle") as server:
            report, took = timed(container_env(home, server.url + "/creds"))
            assert server.peers_closed()
        container = result(report, "container-role")
        assert took < 2 + SLACK
        assert container.status is Status.UNKNOWN
        assert "still sending" in container.reason

    def test_refused_endpoint(self, home: Path) -> None:
        """Refused three times: CredentialRetrievalError, as botocore; the reason says refused."""
        env = container_env(home, f"http://127.0.0.1:{loopback.closed_port()}/creds")
        report, _ = timed(env)
        with oracle.no_container_pause():
            agrees(env, report)
        assert report.raises == "CredentialRetrievalError"
        assert "refused" in result(report, "container-role").reason


# -- what happened, said plainly, and botocore agrees -------------------------------------------


class TestOutcomes:
    def test_refused(self, home: Path) -> None:
        """A closed port is refused at once: unreachable, never "no role attached"."""
        env = imds_env(home, f"http://127.0.0.1:{loopback.closed_port()}")
        report, took = timed(env)
        agrees(env, report)
        imds = result(report, "iam-role")
        assert imds.status is Status.NOT_FOUND
        assert "refused" in imds.reason
        assert "role" not in imds.reason and "answer" not in imds.reason
        assert took < SLACK

    def test_no_instance_profile(self, home: Path) -> None:
        """A 404 role listing means no instance profile is attached; IMDSv2 requests only."""
        server = oracle.Endpoint(
            [{"method": "PUT", "path": TOKEN, "body": "t"}, {"path": ROLE, "status": 404}]
        )
        try:
            env = imds_env(home, server.url)
            report, _ = timed(env)
            agrees(env, report)
            assert all(had_token for method, _, had_token in server.requests if method == "GET")
        finally:
            server.close()
        imds = result(report, "iam-role")
        assert imds.status is Status.NOT_FOUND
        assert "HTTP 404" in imds.reason and "no instance profile" in imds.reason

    def test_token_refused_and_imdsv1_disabled(self, home: Path) -> None:
        """403 on the token with IMDSv1 disabled: MetadataRetrievalError, as botocore."""
        server = oracle.Endpoint([{"method": "PUT", "path": TOKEN, "status": 403}])
        try:
            env = imds_env(home, server.url, AWS_EC2_METADATA_V1_DISABLED="true")
            report, _ = timed(env)
            assert [m for m, _, _ in server.requests] == ["PUT"]
            agrees(env, report)
        finally:
            server.close()
        assert report.raises == "MetadataRetrievalError"
        reason = result(report, "iam-role").reason
        assert "HTTP 403" in reason and "IMDSv1 is disabled" in reason

    def test_disabled_by_setting(self, home: Path) -> None:
        """AWS_EC2_METADATA_DISABLED=true: disabled, no request."""
        server = oracle.Endpoint([])
        try:
            report, _ = timed(imds_env(home, server.url, AWS_EC2_METADATA_DISABLED="true"))
            assert server.requests == []
        finally:
            server.close()
        imds = result(report, "iam-role")
        assert imds.status is Status.DISABLED and "does not ask" in imds.reason

    def test_hop_limit_drops_the_token_answer(self, home: Path) -> None:
        """The token answer never arrives: IMDSv1 gets the role within about one timeout."""
        server = oracle.Endpoint(
            [
                {"method": "PUT", "path": TOKEN, "delay": 3, "body": "late"},
                {"path": ROLE, "token": False, "body": "ExampleRole"},
                {"path": ROLE + "ExampleRole", "token": False, "body": CREDS},
            ]
        )
        try:
            env = imds_env(home, server.url)
            report, took = timed(env)
            server.reset()
            agrees(env, report)
        finally:
            server.close()
        imds = result(report, "iam-role")
        assert took < 1 + SLACK
        assert imds.status is Status.FOUND
        assert "IMDSv1" in imds.reason and "no answer within 1 s" in imds.reason


# -- a good citizen ------------------------------------------------------------------------------


class TestRequests:
    def test_healthy_imdsv2_sees_exactly_botocores_requests(self, home: Path) -> None:
        """Same paths, same count, all GETs with the token: credchain and botocore alike."""
        server = oracle.Endpoint(IMDSV2_ONLY)
        try:
            env = imds_env(home, server.url)
            seen = []
            for run in (lambda: credchain.explain(env=env), lambda: oracle.run_botocore(env, None)):
                server.requests.clear()
                server.reset()
                run()
                seen.append(Counter(server.requests))
            report = credchain.explain(env=env)
        finally:
            server.close()
        credchain_requests, botocore_requests = seen
        assert credchain_requests == botocore_requests
        assert credchain_requests == Counter(
            {
                ("PUT", TOKEN, False): 1,
                ("GET", ROLE, True): 1,
                ("GET", ROLE + "ExampleRole", True): 1,
            }
        )
        assert result(report, "iam-role").status is Status.FOUND
        assert "IMDSv2" in result(report, "iam-role").reason

    def test_repeated_inspections_never_send_a_tokenless_request(self, home: Path) -> None:
        """Twenty inspections, two at a time, against an IMDSv2-only service: no 401 at all."""
        server = oracle.Endpoint(IMDSV2_ONLY)
        try:
            env = imds_env(home, server.url)
            for _ in range(10):
                threads = [
                    threading.Thread(target=credchain.explain, kwargs={"env": env})
                    for _ in range(2)
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(30)
            tokenless = [r for r in server.requests if r[0] == "GET" and not r[2]]
        finally:
            server.close()
        assert tokenless == []
        assert server.unexpected == []

    def test_no_probe_without_iam_role_in_the_chain(self, home: Path) -> None:
        """A custom chain without iam-role asks no metadata service at all."""
        server = oracle.Endpoint(IMDSV2_ONLY)
        try:
            env = imds_env(home, server.url)
            credchain.explain(env=env, chain=credchain.Chain(["env", "shared-credentials-file"]))
            with oracle.environ(env):
                session = botocore.session.Session()
                session.get_component("credential_provider").remove("iam-role")
                credchain.explain(session=session)
            assert server.requests == []
            credchain.explain(env=env, chain=credchain.Chain(["env", "iam-role"]))
            assert server.requests
        finally:
            server.close()


# -- nothing left changed ------------------------------------------------------------------------


def _logging_state() -> list[tuple[str, tuple[Any, ...], tuple[Any, ...], int]]:
    names = [
        "",
        *sorted(
            n for n in logging.root.manager.loggerDict if n.startswith(("botocore", "urllib3"))
        ),
    ]
    state = []
    for name in names:
        logger = logging.getLogger(name)
        state.append((name, tuple(logger.filters), tuple(logger.handlers), logger.level))
    return state


def test_no_logger_is_changed_and_no_credential_is_logged(
    home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """botocore's loggers keep their filters; DEBUG records hold no credential document."""
    import credchain._io.http  # importing it changes nothing either

    before = _logging_state()
    assert all(not filters for name, filters, _, _ in before if name.startswith("botocore"))
    server = oracle.Endpoint(
        [*IMDSV2_ONLY, {"path": "/creds", "status": 500, "body": {"Token": CREDS["Token"]}}]
    )
    try:
        with caplog.at_level(logging.DEBUG):
            credchain.explain(env=imds_env(home, server.url))
            credchain.explain(env=container_env(home, server.url + "/creds"))
    finally:
        server.close()
    assert _logging_state() == before
    assert caplog.records  # DEBUG logging was on
    for secret in (CREDS["SecretAccessKey"], CREDS["Token"]):
        assert secret not in caplog.text


def test_probe_result_repr_hides_the_credential_document() -> None:
    from credchain._io.http import IMDSResult

    text = repr(IMDSResult("credentials", "http://127.0.0.1/", "ok", "R", dict(CREDS)))
    assert CREDS["SecretAccessKey"] not in text and CREDS["Token"] not in text
