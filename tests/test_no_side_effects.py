"""explain() inspects without side effects: no file written, no process, no socket, no prompt."""

from __future__ import annotations

import builtins
import getpass
import json
import os
import socket
import subprocess
import sys
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


def test_never_prompts_for_mfa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An assume-role profile with mfa_serial is reported without asking for a code."""

    def no_prompt(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("explain() prompted")

    monkeypatch.setattr(getpass, "getpass", no_prompt)
    monkeypatch.setattr(builtins, "input", no_prompt)
    scenario = oracle.load_scenario(SCENARIOS / "assume_role_mfa_serial")
    with oracle.prepared(scenario, tmp_path / "root") as (env, _server):
        report = credchain.explain(env=env, profile=scenario.profile, run_process=True)
    assert report.winner is not None and report.winner.method == "assume-role"
    assert "MFA" in report.winner.reason
