"""credchain.aio and aiobotocore sessions: awaitable checks that never block the loop.

The checks run under ``asyncio.run`` (no event-loop plugin needed). Tests that need
aiobotocore skip where it is not installed; CI runs them in a virtual environment
with ``credchain[aio]`` and the botocore aiobotocore pins.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import credchain
import credchain.aio
from credchain.exceptions import RoleAssertionError
from credchain.testing import FakeIMDS, Sandbox

ROLE = "ExampleInstanceRole"
USER = "ExampleIAMuser"
INSTANCE_ID = "i-01773d4a8ed647342"

needs_aiobotocore = pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("aiobotocore") is None,
    reason="aiobotocore is not installed (pip install 'credchain[aio]'; CI runs these in "
    ".ci/venv-aio)",
)


def _credchain_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("credchain")]


def _wait_for_no_credchain_thread(bound: float) -> list[str]:
    deadline = time.monotonic() + bound
    while _credchain_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    return _credchain_threads()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """An applied credchain.testing.Sandbox: no outer AWS configuration, IMDS disabled."""
    with Sandbox(tmp_path / "sandbox") as box:
        yield box


# -- imports ---------------------------------------------------------------------------------


def test_importing_credchain_and_its_aio_module_imports_no_aiobotocore() -> None:
    """``import credchain``, ``credchain.aio`` and a sync explain() load no aiobotocore, aiohttp."""
    code = (
        "import sys, credchain, credchain.aio\n"
        "credchain.explain(network=False)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('aiobotocore', 'aiohttp'))\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true", "PATH": ""},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_awaiting_explain_imports_no_aiobotocore(tmp_path: Path) -> None:
    """``await credchain.aio.explain()`` without an aiobotocore session loads neither library."""
    code = (
        "import asyncio, sys, credchain.aio\n"
        "asyncio.run(credchain.aio.explain(network=False))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiobotocore', 'aiohttp')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", "PATH": ""},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# -- same results as the sync API ------------------------------------------------------------


def _comparable(report: credchain.Report) -> dict[str, Any]:
    d = report.to_dict()
    d.pop("checked_at")
    return d


@pytest.mark.parametrize("name", ["explain", "identify", "assert_role", "require_role"])
def test_same_signature_as_the_sync_api(name: str) -> None:
    """Each awaitable check takes exactly the sync function's parameters, with its defaults."""
    import inspect

    def public(fn: Any) -> list[tuple[str, Any, Any]]:  # private hooks (``_progress``) aside
        parameters = inspect.signature(fn).parameters.values()
        return [(p.name, p.kind, p.default) for p in parameters if not p.name.startswith("_")]

    assert public(getattr(credchain.aio, name)) == public(getattr(credchain, name))
    assert inspect.iscoroutinefunction(getattr(credchain.aio, name))


def test_assert_role_awaited_checks_the_region(sandbox: Sandbox) -> None:
    """region= fails as in the sync API when botocore would use another region."""
    sandbox.write_config("default", role_arn="arn:aws:iam::123456789012:role/Deployer")
    sandbox.write_credentials(
        "default", aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="NEVER-R"
    )
    with pytest.raises(RoleAssertionError, match="eu-west-1"):
        asyncio.run(credchain.aio.assert_role("Deployer", verify=False, region="eu-west-1"))


def test_explain_awaited_equals_explain(sandbox: Sandbox) -> None:
    """``await credchain.aio.explain(...)`` returns the report the sync explain() returns."""
    sandbox.write_credentials(
        "dev", aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="NEVER-PRINTED-1"
    )
    sandbox.write_config("default", role_arn="arn:aws:iam::123456789012:role/R")
    sync = credchain.explain(profile="dev", env=sandbox.env)
    awaited = asyncio.run(credchain.aio.explain(profile="dev", env=sandbox.env))
    assert isinstance(awaited, credchain.Report)
    assert _comparable(awaited) == _comparable(sync)
    assert awaited.winner is not None and awaited.winner.method == "shared-credentials-file"


def test_assert_role_awaited_raises_the_same_error(sandbox: Sandbox) -> None:
    """The awaited assert_role() fails with the same RoleAssertionError text as the sync one."""
    sandbox.write_credentials(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="NEVER-PRINTED-2"
    )
    with pytest.raises(RoleAssertionError) as sync:
        credchain.assert_role(ROLE, verify=False)
    with pytest.raises(RoleAssertionError) as awaited:
        asyncio.run(credchain.aio.assert_role(ROLE, verify=False))
    assert str(awaited.value) == str(sync.value)
    assert "NEVER-PRINTED" not in str(awaited.value)


def test_assert_role_awaited_rejects_bad_arguments() -> None:
    """A malformed account is a ValueError before anything is inspected, as in the sync API."""
    with pytest.raises(ValueError, match="12-digit"):
        asyncio.run(credchain.aio.assert_role("R", account="12"))


def test_require_role_awaited(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    """The awaited require_role() does nothing unless asked, then checks and logs like sync."""
    assert asyncio.run(credchain.aio.require_role()) is None
    sandbox.write_config("default", role_arn="arn:aws:iam::123456789012:role/Deployer")
    sandbox.write_credentials(
        "default", aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="NEVER-1"
    )
    sandbox.set_env(CREDCHAIN_REQUIRE_ROLE="Deployer")
    caplog.set_level(logging.INFO, logger="credchain")
    with pytest.raises(SystemExit):
        asyncio.run(credchain.aio.require_role(verify=False, exit=True))
    assert "credchain: " in caplog.text and "NEVER-1" not in caplog.text


# -- the event loop stays free ---------------------------------------------------------------


class _Silent:
    """A loopback TCP server that accepts connections and never answers."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def silent_imds(sandbox: Sandbox) -> Iterator[dict[str, str]]:
    """The sandbox's environment with a metadata service that never answers."""
    server = _Silent()
    sandbox.set_env(AWS_EC2_METADATA_SERVICE_ENDPOINT=server.url)
    sandbox.unset_env("AWS_EC2_METADATA_DISABLED")
    try:
        yield sandbox.env
    finally:
        server.close()


class _Control:
    """A plain thread beating every 5 ms: where it stalls too, the machine was busy."""

    def __init__(self) -> None:
        self.beats: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="control-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beats.append(time.monotonic())
            time.sleep(0.005)

    def __enter__(self) -> _Control:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def lost(self, start: float, end: float) -> float:
        """Seconds this thread lost (beyond 10 ms a beat) between ``start`` and ``end``."""
        inside = [start] + [b for b in self.beats if start < b < end] + [end]
        return sum(max(0.0, b - a - 0.01) for a, b in itertools.pairwise(inside))


def _queued() -> float:
    """Seconds this thread has waited in the CPU run queue (Linux schedstat), else 0."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def test_heartbeat_never_stalls_while_explain_probes(silent_imds: dict[str, str]) -> None:
    """A heartbeat in the same loop never stalls 50 ms while explain() probes a silent IMDS for 1 s.

    Machine load can stall any thread: the time the loop's thread waited for a CPU,
    or that a control thread lost in the same interval, is not counted. asyncio's
    debug mode reports every callback that held the loop for 50 ms
    (``slow_callback_duration``), judged alike by the control.
    """
    # (start, end, seconds the loop's thread waited in the CPU run queue), time.monotonic()
    stalls: list[tuple[float, float, float]] = []

    async def main() -> tuple[int, float]:
        loop = asyncio.get_running_loop()
        loop.slow_callback_duration = 0.05
        stop = asyncio.Event()
        beats = 0

        async def heartbeat(before: float, queued_before: float) -> None:
            nonlocal beats
            while not stop.is_set():
                await asyncio.sleep(0.005)
                after, queued = time.monotonic(), _queued() - queued_before
                beats += 1
                stalls.append((before, after, queued))
                before, queued_before = time.monotonic(), _queued()

        # Measured from creation: a loop held from the start counts too.
        beat = asyncio.create_task(heartbeat(time.monotonic(), _queued()))
        started = time.monotonic()
        report = await credchain.aio.explain(timeout=1.0)
        took = time.monotonic() - started
        stop.set()
        await beat
        assert report.get("iam-role") is not None
        return beats, took

    offset = time.time() - time.monotonic()

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found = re.search(r"took ([0-9.]+) seconds", record.getMessage())
            if found:
                end = record.created - offset
                stalls.append((end - float(found.group(1)), end, 0.0))

    handler = Catch()
    logging.getLogger("asyncio").addHandler(handler)
    try:
        with _Control() as control:
            beats, took = asyncio.run(main(), debug=True)
    finally:
        logging.getLogger("asyncio").removeHandler(handler)
    assert took >= 0.8  # the probe really waited on the silent service
    # The time the loop's thread waited for a CPU, or that the control thread lost too, was
    # the machine's; what is left of a stall was the loop's.
    by_the_loop = [
        round(end - start, 3)
        for start, end, queued in stalls
        if end - start - 0.005 - max(queued, control.lost(start, end)) >= 0.05
    ]
    assert by_the_loop == [], f"the event loop was held for {by_the_loop} s"
    assert beats > 20


def test_cancelled_explain_leaves_no_thread_past_the_probe_bound(
    silent_imds: dict[str, str],
) -> None:
    """Cancelling the awaiting task returns at once; the worker ends within the probe bound."""
    assert _wait_for_no_credchain_thread(5) == []

    async def main() -> float:
        task = asyncio.create_task(credchain.aio.explain(timeout=1.0))
        await asyncio.sleep(0.2)
        assert any(n.startswith("credchain-aio-explain") for n in _credchain_threads())
        task.cancel()
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(main()) < 0.5  # the await ends now, not at the end of the probe
    # The probe is bounded by timeout=1.0 as a whole: after it (plus slack) nothing remains.
    assert _wait_for_no_credchain_thread(1.0 + 3.0) == []


def test_cancelled_explain_after_the_loop_closed_is_quiet(silent_imds: dict[str, str]) -> None:
    """A worker that finishes after its loop closed drops its result without an error."""
    errors: list[Any] = []
    previous = threading.excepthook
    threading.excepthook = errors.append

    async def main() -> None:
        task = asyncio.create_task(credchain.aio.explain(timeout=0.5))
        await asyncio.sleep(0.1)
        task.cancel()

    try:
        asyncio.run(main())
        assert _wait_for_no_credchain_thread(0.5 + 3.0) == []
    finally:
        threading.excepthook = previous
    assert errors == []


# -- the seed scenario, async, with moto as STS ----------------------------------------------


@contextlib.contextmanager
def moto_account() -> Iterator[dict[str, str]]:
    """moto's server on loopback: the role, the user and its keys, the role's credentials."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    with Sandbox() as box:
        box.use_sts(url)
        import boto3

        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        iam = session.client("iam", endpoint_url=url)
        sts = session.client("sts", endpoint_url=url)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        # moto's accounts are the process's, shared by every server it starts (other test
        # modules' too, one module at a time): reuse the role, remove it if it is ours.
        created = False
        try:
            role = iam.get_role(RoleName=ROLE)["Role"]
        except iam.exceptions.NoSuchEntityException:
            trust_policy = json.dumps(trust)
            role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=trust_policy)["Role"]
            created = True
        user = f"{USER}-{uuid.uuid4().hex[:8]}"
        iam.create_user(UserName=user)
        key = iam.create_access_key(UserName=user)["AccessKey"]
        creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName=INSTANCE_ID)["Credentials"]
    yield {
        "url": url,
        "account": role["Arn"].split(":")[4],
        "user_key_id": key["AccessKeyId"],
        "user_secret": key["SecretAccessKey"],
        "AccessKeyId": creds["AccessKeyId"],
        "SecretAccessKey": creds["SecretAccessKey"],
        "Token": creds["SessionToken"],
        "Expiration": creds["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if created:
        iam.delete_role(RoleName=ROLE)
    server.stop()


@pytest.fixture(scope="module")
def moto_sts() -> Iterator[dict[str, str]]:
    """moto's STS and IAM with the seed's role and user (see :func:`moto_account`)."""
    with moto_account() as account:
        yield account


@pytest.fixture
def instance(sandbox: Sandbox, moto_sts: dict[str, str]) -> Iterator[Sandbox]:
    """An EC2 instance with ExampleInstanceRole (loopback FakeIMDS), STS at moto."""
    role_credentials = {k: moto_sts[k] for k in ("AccessKeyId", "SecretAccessKey", "Token")}
    role_credentials["Expiration"] = moto_sts["Expiration"]
    with FakeIMDS(ROLE, credentials=role_credentials) as imds:
        sandbox.use_imds(imds)
        sandbox.use_sts(moto_sts["url"])
        yield sandbox


def _seed(instance: Sandbox, moto_sts: dict[str, str]) -> Path:
    return instance.write_credentials(
        aws_access_key_id=moto_sts["user_key_id"], aws_secret_access_key=moto_sts["user_secret"]
    )


def test_seed_async_with_a_botocore_session(instance: Sandbox, moto_sts: dict[str, str]) -> None:
    """Without aiobotocore: the seed fails naming the file, then passes verified by STS."""
    path = _seed(instance, moto_sts)
    with pytest.raises(RoleAssertionError) as failed:
        asyncio.run(credchain.aio.assert_role(ROLE))
    text = str(failed.value)
    assert str(path) in text and "[default]" in text
    assert moto_sts["user_secret"] not in text and moto_sts["user_key_id"] not in text
    path.write_text("")
    identity = asyncio.run(credchain.aio.assert_role(ROLE, account=moto_sts["account"]))
    assert identity.verified and identity.role_name == ROLE and identity.provider == "iam-role"


@needs_aiobotocore
def test_seed_async_end_to_end_through_aiobotocore(
    instance: Sandbox, moto_sts: dict[str, str]
) -> None:
    """The seed, async: fails naming the file and [default]; without the keys, STS says the role."""
    from aiobotocore.session import AioSession

    path = _seed(instance, moto_sts)
    with pytest.raises(RoleAssertionError) as failed:
        asyncio.run(credchain.aio.assert_role(ROLE, session=AioSession()))
    text = str(failed.value)
    assert str(path) in text and "[default]" in text and "shared-credentials-file" in text
    assert moto_sts["user_secret"] not in text and moto_sts["user_key_id"] not in text
    assert failed.value.report is not None
    assert failed.value.report.aiobotocore_version is not None

    path.unlink()
    calls: list[str] = []
    from aiobotocore.client import AioBaseClient

    real = AioBaseClient._make_api_call

    async def spy(self: Any, operation: str, params: Any) -> Any:
        calls.append(f"{type(self).__module__}:{operation}")
        return await real(self, operation, params)

    AioBaseClient._make_api_call = spy  # type: ignore[method-assign]
    try:
        identity = asyncio.run(
            credchain.aio.assert_role(ROLE, account=moto_sts["account"], session=AioSession())
        )
    finally:
        AioBaseClient._make_api_call = real  # type: ignore[method-assign]
    assert identity.verified and identity.role_name == ROLE and identity.provider == "iam-role"
    assert identity.session_name == INSTANCE_ID
    assert [c.split(":")[1] for c in calls] == ["GetCallerIdentity"]  # aiobotocore's client


@needs_aiobotocore
def test_identify_with_an_aio_session_from_sync_code(
    instance: Sandbox, moto_sts: dict[str, str]
) -> None:
    """The sync identify() and assert_role() accept an AioSession (aiobotocore in its own loop)."""
    from aiobotocore.session import AioSession

    identity = credchain.identify(session=AioSession())
    assert identity.verified and identity.role_name == ROLE
    assert credchain.assert_role(ROLE, session=AioSession()).verified


@needs_aiobotocore
def test_identify_awaited_with_env_and_aio_session(
    instance: Sandbox, moto_sts: dict[str, str]
) -> None:
    """identify(session=AioSession(), env=...) swaps the environment in a worker, not the loop."""
    from aiobotocore.session import AioSession

    env = instance.env
    instance.restore()  # os.environ: no sandbox, so only env= can find the role
    try:
        identity = asyncio.run(credchain.aio.identify(session=AioSession(), env=env))
    finally:
        instance.apply()
    assert identity.role_name == ROLE


@needs_aiobotocore
def test_cancelled_aio_sts_call_closes_its_connections(sandbox: Sandbox) -> None:
    """Cancelling an awaited identify() on aiobotocore's client closes its connection to STS."""
    from aiobotocore.session import AioSession

    silent = _Silent()
    sandbox.use_sts(silent.url)
    sandbox.write_credentials(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="NEVER-PRINTED-3"
    )
    accepted: list[Any] = []
    arrived = threading.Event()

    def accept() -> None:
        silent.sock.settimeout(20)
        peer, _ = silent.sock.accept()
        peer.settimeout(5)
        accepted.append(peer)
        if peer.recv(65536):  # the request has arrived: STS is "thinking"
            arrived.set()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()

    async def main() -> None:
        task = asyncio.create_task(credchain.aio.identify(session=AioSession(), timeout=30))
        while not arrived.is_set() and not task.done():
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        asyncio.run(main())
        acceptor.join(5)
        assert arrived.is_set()
        (peer,) = accepted
        assert peer.recv(1) == b""  # the client side closed its connection
        peer.close()
    finally:
        silent.close()
    assert _credchain_threads() == []


@needs_aiobotocore
def test_assert_role_with_an_aioboto3_session(instance: Sandbox, moto_sts: dict[str, str]) -> None:
    """An aioboto3 Session is inspected and verified through the AioSession it wraps."""
    aioboto3 = pytest.importorskip("aioboto3", reason="aioboto3 is not installed")
    identity = asyncio.run(credchain.aio.assert_role(ROLE, session=aioboto3.Session()))
    assert identity.verified and identity.provider == "iam-role"
    assert identity.report is not None and identity.report.aiobotocore_version is not None
