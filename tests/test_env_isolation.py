"""``env=`` never touches the process: other threads see ``os.environ`` as they left it.

32 threads ask ``identify(env=...)`` / ``assert_role(env=...)`` with 32 different
environments (each its own HOME and its own IAM user's keys, against one moto
STS) while a 33rd thread reads and writes ``os.environ``; and no library code
assigns to ``os.environ`` or leaves a logger or stream of the process changed.
"""

from __future__ import annotations

import ast
import io
import logging
import os
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest

import credchain
from credchain import assert_role, explain, identify

PACKAGE = Path(credchain.__file__).parent
THREADS = 32


@attrs.frozen
class Users:
    sts_url: str
    keys: tuple[tuple[str, str, str], ...]  # (access key id, secret, user ARN)


@pytest.fixture(scope="module")
def users() -> Iterator[Users]:
    """moto's STS on a loopback port and 32 IAM users with access keys."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    import botocore.session

    session = botocore.session.Session()
    session.set_credentials("testing", "testing")
    iam = session.create_client("iam", region_name="us-east-1", endpoint_url=url)
    keys = []
    for i in range(THREADS):
        user = iam.create_user(UserName=f"worker-{i:02d}")["User"]
        key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
        keys.append((key["AccessKeyId"], key["SecretAccessKey"], user["Arn"]))
    iam.close()
    yield Users(url, tuple(keys))
    server.stop()


def _env(tmp: Path, i: int, users: Users) -> dict[str, str]:
    """Thread i's world: its own HOME and DATABASE_URL; keys in env or in HOME's files."""
    home = tmp / f"home{i}"
    (home / ".aws").mkdir(parents=True)
    key_id, secret, _ = users.keys[i]
    env = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": f"postgres://thread{i}@127.0.0.1/db",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_STS": users.sts_url,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    if i % 2:
        env.update(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret)
    else:  # "~" must be this HOME, not the process's
        (home / ".aws" / "credentials").write_text(
            f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
        )
    return env


def test_32_environments_at_once_leave_os_environ_alone(
    tmp_path: Path, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    """32 threads with 32 env= get 32 right answers; a 33rd thread's os.environ is undisturbed."""
    monkeypatch.setenv("HOME", str(tmp_path / "process-home"))
    monkeypatch.setenv("DATABASE_URL", "postgres://process@127.0.0.1/db")
    monkeypatch.setenv("CREDCHAIN_TEST_WRITER", "start")
    envs = [_env(tmp_path, i, users) for i in range(THREADS)]
    done = threading.Event()
    seen: list[str] = []

    def watcher() -> None:
        n = 0
        while not done.is_set():
            n += 1
            if os.environ.get("HOME") != str(tmp_path / "process-home"):
                seen.append(f"HOME was {os.environ.get('HOME')!r}")
            if os.environ.get("DATABASE_URL") != "postgres://process@127.0.0.1/db":
                seen.append(f"DATABASE_URL was {os.environ.get('DATABASE_URL')!r}")
            os.environ["CREDCHAIN_TEST_WRITER"] = str(n)
            done.wait(0.001)
            if os.environ.get("CREDCHAIN_TEST_WRITER") != str(n):
                seen.append("the watcher's own write was undone")

    def ask(i: int) -> str:
        if i % 4 == 3:  # user keys are no role: assert_role fails, saying where they are from
            try:
                assert_role("Deploy", env=envs[i], timeout=10)
            except credchain.RoleAssertionError as e:
                return "AWS_ACCESS_KEY_ID" if "AWS_ACCESS_KEY_ID" in str(e) else str(e)
            return "passed"
        return str(identify(env=envs[i], timeout=10).arn)

    watch = threading.Thread(target=watcher)
    watch.start()
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            arns = list(pool.map(ask, range(THREADS)))
    finally:
        done.set()
        watch.join()
    expected = [
        "AWS_ACCESS_KEY_ID" if i % 4 == 3 else arn for i, (_, _, arn) in enumerate(users.keys)
    ]
    assert arns == expected
    assert seen == []
    assert os.environ["HOME"] == str(tmp_path / "process-home")


def test_assert_role_with_env_fails_on_user_keys_without_touching_os_environ(
    tmp_path: Path, users: Users
) -> None:
    """assert_role(env=..., verify=True) reports the user STS names, from that env alone."""
    before = dict(os.environ)
    env = _env(tmp_path, 1, users)
    with pytest.raises(credchain.RoleAssertionError) as info:
        assert_role("Deploy", env=env, timeout=10)
    assert users.keys[1][2] in str(info.value) or "long-term" in str(info.value)
    assert users.keys[1][1] not in str(info.value)
    assert dict(os.environ) == before


def test_identify_env_uses_the_sessions_variables(tmp_path: Path, users: Users) -> None:
    """A session passed with env=: its profile and explicit credentials carry over."""
    import botocore.session

    env = _env(tmp_path, 0, users)
    session = botocore.session.Session()
    key_id, secret, arn = users.keys[5]
    session.set_credentials(key_id, secret)
    assert identify(session=session, env=env, timeout=10).arn == arn


# -- no process-wide state ---------------------------------------------------------------------


def _assigns_environ(node: ast.AST) -> bool:
    """``os.environ[...] = / del / .update / .clear / .pop / .setdefault``, ``os.putenv``."""

    def is_environ(n: ast.AST) -> bool:
        return isinstance(n, ast.Attribute) and n.attr == "environ"

    if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        return any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in targets)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        f = node.func
        if is_environ(f.value) and f.attr in ("update", "clear", "pop", "popitem", "setdefault"):
            return True
        return f.attr in ("putenv", "unsetenv")
    return False


def test_no_library_code_assigns_to_os_environ() -> None:
    """Only credchain.testing (Sandbox, patched_environ: for tests) changes os.environ."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "testing.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if _assigns_environ(node):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def _loggers_state() -> dict[str, Any]:
    names = ["", "botocore", "credchain", *logging.root.manager.loggerDict]
    state = {}
    for name in names:
        logger = logging.getLogger(name)
        state[name] = (
            logger.level,
            tuple(logger.filters),
            tuple(logger.handlers),
            logger.propagate,
            logger.disabled,
        )
    return state


def test_cli_and_identify_leave_streams_and_loggers_as_they_were(
    tmp_path: Path,
    users: Users,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The command line writes through a scrubbing writer; it reconfigures no stream."""
    from credchain._cli import main

    env = _env(tmp_path, 3, users)
    identify(env=env, timeout=10)
    explain(env=env, network=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    identify(timeout=10)
    before_loggers = _loggers_state()
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="strict")
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["explain", "--no-network"]) == 0
    assert sys.stdout is out and out.errors == "strict"
    identify(timeout=10)
    explain(env=env, network=False)
    assert _loggers_state() == before_loggers


def test_cli_writes_characters_the_stream_lacks_as_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ASCII stdout gets backslash escapes, not a UnicodeEncodeError, and stays strict."""
    from credchain._cli import _output

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    _output(stream).write("profile «dev» — ok\n")
    stream.flush()
    assert raw.getvalue() == b"profile \\xabdev\\xbb \\u2014 ok\n"
    assert stream.errors == "strict"
