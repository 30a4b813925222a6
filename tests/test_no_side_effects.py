"""explain() inspects without side effects: no file written, no process, no socket, no prompt."""

from __future__ import annotations

import json
import os
import pty
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import oracle
import pytest

import credchain
from credchain import Status

SCENARIOS = Path(__file__).parent / "scenarios"
NAMES = sorted(p.name for p in SCENARIOS.iterdir() if (p / "env.json").exists())
BLOCKED_PORT = 9  # oracle.BLOCKED: where STS, SSO and Signin calls would go


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every path under ``root`` with its mode, size and modification time (ns)."""
    state = {}
    for path in sorted(root.rglob("*")):
        st = path.lstat()
        state[str(path.relative_to(root))] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return state


class Connections:
    """Records (and refuses) socket connections made while installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, refuse: bool) -> None:
        self.addresses: list[Any] = []
        real_connect = socket.socket.connect
        real_create = socket.create_connection

        def connect(sock: socket.socket, address: Any) -> Any:
            self.addresses.append(address)
            if refuse:
                raise AssertionError(f"explain() opened a socket to {address!r}")
            return real_connect(sock, address)

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            self.addresses.append(address)
            if refuse:
                raise AssertionError(f"explain() opened a socket to {address!r}")
            return real_create(address, *args, **kwargs)

        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket, "create_connection", create_connection)


@pytest.mark.parametrize("name", NAMES)
def test_writes_nothing_and_calls_no_service(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even allowed to probe and run processes, explain() leaves the files (and mtimes) as they
    were and never calls STS, SSO or Signin."""
    scenario = oracle.load_scenario(SCENARIOS / name)
    with oracle.prepared(scenario, tmp_path / "root") as (env, _server):
        before = snapshot(tmp_path)
        environ_before = dict(os.environ)
        connections = Connections(monkeypatch, refuse=False)
        credchain.explain(env=env, profile=scenario.profile, network=True, run_process=True)
        assert snapshot(tmp_path) == before
        assert dict(os.environ) == environ_before
    for address in connections.addresses:
        assert not (isinstance(address, tuple) and address[1] == BLOCKED_PORT), address


#: A hostile process environment: explain(env=...) must not read any of it.
POLLUTION = {
    "HOME": "/nonexistent-home",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEPOLLU0001",
    "AWS_SECRET_ACCESS_KEY": "SECRET-NEVER-PRINTED-POLLUTED",
    "AWS_PROFILE": "polluted",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_EC2_METADATA_DISABLED": "false",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9/",
    "AWS_METADATA_SERVICE_TIMEOUT": "x",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token",
    "AWS_CREDENTIAL_FILE": "/nonexistent/ec2",
    "BOTO_CONFIG": "/nonexistent/boto",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
}


@pytest.mark.parametrize("name", NAMES)
def test_env_argument_ignores_the_process_environment(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """explain(env=...) gives the folder's expected outcome whatever os.environ holds."""
    scenario = oracle.load_scenario(SCENARIOS / name)
    expected = json.loads((SCENARIOS / name / "expected.json").read_text())
    if expected.get("min_botocore") or expected.get("without_crt") or expected.get("with_crt"):
        pytest.skip("version-dependent expectation (checked in test_scenarios)")
    with oracle.prepared(scenario, tmp_path / "root") as (env, _server):
        for key, value in POLLUTION.items():
            monkeypatch.setenv(key, value)
        report = oracle.run_credchain(env, scenario.profile)
    assert (report.winner.method if report.winner else None) == expected["winner"]
    assert (report.raises, report.error.method if report.error else None) == (
        expected["raises"],
        expected["error"],
    )


@pytest.mark.parametrize("name", NAMES)
def test_inspected_session_behaves_as_before(name: str, tmp_path: Path) -> None:
    """After explain(session=s), s.get_credentials() still does what a fresh session does."""
    scenario = oracle.load_scenario(SCENARIOS / name)
    with oracle.prepared(scenario, tmp_path / "root") as (env, server):
        expected = oracle.run_botocore(env, scenario.profile)
        if server is not None:
            server.reset()
        with oracle.environ(env), oracle.no_container_pause():
            session = botocore.session.Session(profile=scenario.profile)
            credchain.explain(session=session, run_process=True)
            if server is not None:
                server.reset()
            try:
                creds = session.get_credentials()
                outcome = (creds.method if creds else None, None)
            except Exception as e:
                outcome = (None, type(e).__name__)
    assert outcome == (expected.method, expected.raises)


@pytest.mark.parametrize("name", NAMES)
def test_no_socket_without_network(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With network=False explain() opens no socket at all, and the metadata service is unknown
    where it is enabled."""
    scenario = oracle.load_scenario(SCENARIOS / name)
    with oracle.prepared(scenario, tmp_path / "root") as (env, _server):
        connections = Connections(monkeypatch, refuse=True)
        report = credchain.explain(env=env, profile=scenario.profile, network=False)
    assert connections.addresses == []
    imds = report.get("iam-role")
    if imds is not None and report.raises is None and imds.status is not Status.DISABLED:
        assert imds.status is Status.UNKNOWN


def _process_scenario(tmp_path: Path, section: str, extra: str = "") -> tuple[dict[str, str], Path]:
    root = tmp_path / "root"
    marker = root / "ran"
    script = root / "bin" / "creds.py"
    script.parent.mkdir(parents=True)
    script.write_text(
        "import pathlib, sys\n"
        f"pathlib.Path({str(marker)!r}).write_text('x')\n"
        'sys.stdout.write(\'{"Version": 1, "AccessKeyId": "AKIAEXAMPLEPROCE0001", '
        '"SecretAccessKey": "SECRET-NEVER-PRINTED-PROC"}\')\n'
    )
    aws = root / "home" / ".aws"
    aws.mkdir(parents=True)
    (aws / "config").write_text(
        f"{section}\ncredential_process = {sys.executable} {script}\n{extra}"
    )
    env = {"HOME": str(root / "home"), "AWS_EC2_METADATA_DISABLED": "true", **oracle.GUARDS}
    return env, marker


def test_process_runs_only_when_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A credential_process is not started with run_process=False, and is with True."""
    env, marker = _process_scenario(tmp_path, "[default]")
    spawned: list[Any] = []
    real_popen = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> Any:
        spawned.append(args)
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)
    report = credchain.explain(env=env, run_process=False)
    assert spawned == [] and not marker.exists()
    assert report.winner is not None and report.winner.method == "custom-process"
    assert "not run" in report.winner.reason
    report = credchain.explain(env=env, run_process=True)
    assert marker.exists() and len(spawned) == 1
    assert report.winner is not None and report.winner.access_key == "AKIA************0001"


def test_source_profile_process_not_run_by_default(tmp_path: Path) -> None:
    """The credential_process of an assume-role source profile is not run without run_process."""
    env, marker = _process_scenario(
        tmp_path,
        "[profile base]",
        "[default]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = base\n",
    )
    report = credchain.explain(env=env)
    assert not marker.exists()
    assert report.winner is not None and report.winner.method == "assume-role"


def test_shadowed_process_is_never_run(tmp_path: Path) -> None:
    """A credential_process below the winner is not run, even with run_process=True."""
    env, marker = _process_scenario(tmp_path, "[default]")
    creds = Path(env["HOME"]) / ".aws" / "credentials"
    creds.write_text(
        "[default]\naws_access_key_id = AKIAEXAMPLEFILEK0001\n"
        "aws_secret_access_key = SECRET-NEVER-PRINTED-FILE\n"
    )
    report = credchain.explain(env=env, run_process=True)
    assert not marker.exists()
    assert report.winner is not None and report.winner.method == "shared-credentials-file"


#: What botocore's AssumeRoleCredentialFetcher asks with (getpass on the controlling terminal).
PROMPT = b"Enter MFA code for "


def _in_terminal(code: str, env: dict[str, str], timeout: float = 60.0) -> tuple[str, int | None]:
    """Run ``python -c code`` on a new pseudo-terminal (its controlling terminal, stdin, stdout
    and stderr) and never type anything. Returns what it printed and its exit status; None if
    it was still running after ``timeout`` or had printed a prompt (it is killed then)."""
    main, secondary = pty.openpty()
    take_terminal = "import fcntl, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0)\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", take_terminal + code],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**env, "PYTHONPATH": os.pathsep.join(sys.path)},
        start_new_session=True,
    )
    os.close(secondary)
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while PROMPT not in output:
            ready, _, _ = select.select([main], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            try:
                data = os.read(main, 4096)
            except OSError:  # EIO: the terminal's other side is closed, the process is done
                break
            if not data:
                break
            output += data
        try:
            status: int | None = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            status = None
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
            status = None
        os.close(main)
    return output.decode("utf-8", "replace"), status


@pytest.fixture
def mfa_env(tmp_path: Path) -> Iterator[tuple[dict[str, str], str]]:
    """The assume_role_mfa_serial scenario: an assume-role profile with mfa_serial."""
    scenario = oracle.load_scenario(SCENARIOS / "assume_role_mfa_serial")
    with oracle.prepared(scenario, tmp_path / "root") as (env, _server):
        assert scenario.profile is not None
        yield {**env, "PATH": os.defpath}, scenario.profile


def test_the_terminal_harness_sees_botocore_prompt(mfa_env: tuple[dict[str, str], str]) -> None:
    """The control: botocore itself, refreshing those credentials, asks on the terminal (with
    the getpass.getpass it bound at import) and waits for a code."""
    env, profile = mfa_env
    code = (
        "import botocore.session\n"
        f"c = botocore.session.Session(profile={profile!r}).get_credentials()\n"
        "c.get_frozen_credentials()\n"
    )
    output, status = _in_terminal(code, env)
    assert "Enter MFA code for arn:aws:iam::123456789012:mfa/me" in output
    assert status is None  # it was waiting for the code when it was stopped


@pytest.mark.parametrize("how", ["api", "cli"])
def test_never_prompts_for_mfa(how: str, mfa_env: tuple[dict[str, str], str]) -> None:
    """On a real terminal nobody types on, explain() and `credchain explain` report the MFA
    profile and finish: no prompt, no read of the terminal."""
    env, profile = mfa_env
    if how == "api":
        code = (
            "import credchain\n"
            f"r = credchain.explain(profile={profile!r}, run_process=True)\n"
            "print('winner:', r.winner.method, '|', r.winner.reason)\n"
        )
    else:
        code = (
            "import sys\nfrom credchain._cli import main\n"
            f"main(['explain', '--profile', {profile!r}, '--run-process'])\n"
            "print('winner: done')\n"
        )
    output, status = _in_terminal(code, env)
    assert PROMPT.decode() not in output
    assert status == 0, output
    assert "winner:" in output
    if how == "api":
        assert "winner: assume-role" in output and "MFA" in output
