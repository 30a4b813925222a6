"""Hostile but ordinary inputs: real FIFOs, devices, endless writers, broken INI files,
odd environment values, misbehaving processes and endpoints.

Each case builds its artefacts under a temporary root (HOME is ``root/home``) and
checks four promises: a Report comes back within the bound, botocore agrees
where botocore answers (the oracle is skipped where botocore itself would block
or read without end), no file under the root changed, and no planted secret
shows in ``str``, ``repr`` or ``to_json``. Tests run as root, so ``chmod 000``
does not stop a read: that case only checks that credchain and botocore agree.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import oracle
import pytest

import credchain
from credchain import Status

TIMEOUT = 1.0
#: A Report must come back within the timeout plus this (imports, botocore's own work).
SLACK = 4.0
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/NEVER-PRINTED-01"
TOKEN = "FwoGZXIvYXdzEXAMPLE/NEVER-PRINTED-02"
ROLE = "arn:aws:iam::123456789012:role/hostile"
START_URL = "https://d-0000000000.awsapps.com/start"
KEYS_INI = f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"
SECRET_LINE = f"aws_secret_access_key = {SECRET}\n"
SSO_CONFIG = (
    "[default]\nsso_start_url = " + START_URL + "\nsso_region = us-east-1\n"
    "sso_account_id = 123456789012\nsso_role_name = Admin\n"
)
#: A sleep length unique to this test run, to find a leftover child in /proc.
MARK_SLEEP = f"29.{os.getpid() % 10000:04d}{time.monotonic_ns() % 1000:03d}"


@dataclass
class Case:
    """One hostile input: ``setup(root, env)`` builds it and fills ``env``."""

    setup: Callable[[Path, dict[str, str]], None]
    oracle: bool = True  # False: botocore itself would block or read without end here
    run_process: bool = False
    network: bool = True
    profile: str | None = None
    check: Callable[[credchain.Report], None] | None = None


# -- artefacts, created at a path ------------------------------------------------------------

_WRITERS: list[subprocess.Popen[bytes]] = []


def fifo(path: Path) -> None:
    os.mkfifo(path)


def fifo_endless(path: Path) -> None:
    """A FIFO with a writer that never stops (it blocks until someone opens the FIFO)."""
    os.mkfifo(path)
    writer = subprocess.Popen(
        ["sh", "-c", 'exec yes "AWSAccessKeyId=x" > "$0"', str(path)], start_new_session=True
    )
    _WRITERS.append(writer)


def dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def dev_urandom(path: Path) -> None:
    path.symlink_to("/dev/urandom")


def directory(path: Path) -> None:
    path.mkdir()


def symlink_loop(path: Path) -> None:
    other = path.with_name(path.name + ".other")
    other.symlink_to(path)
    path.symlink_to(other)


def big(path: Path) -> None:
    """11 MB of comment lines: botocore reads it all and finds nothing; credchain stops."""
    line = b"# " + b"x" * 1021 + b"\n"
    path.write_bytes(line * (11 * 1024))


def garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 64)


def invalid_utf8(path: Path) -> None:
    path.write_bytes(b"[default]\naws_access_key_id = AKIA\xff\xfe\n")


def unreadable(path: Path) -> None:
    path.write_text(KEYS_INI + f"AWSAccessKeyId={KEY_ID}\nAWSSecretKey={SECRET}\n")
    path.chmod(0)


ARTEFACTS: dict[str, Callable[[Path], None]] = {
    "fifo": fifo,
    "fifo-endless": fifo_endless,
    "dev-zero": dev_zero,
    "dev-urandom": dev_urandom,
    "directory": directory,
    "symlink-loop": symlink_loop,
    "11mb": big,
    "binary": garbage,
    "invalid-utf8": invalid_utf8,
    "chmod-000": unreadable,
}
#: Artefacts botocore would block on, or read without end, when it opens them itself.
ENDLESS = {"fifo", "fifo-endless", "dev-zero", "dev-urandom"}


def _target(root: Path, rel: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _sso_cache(root: Path) -> Path:
    digest = hashlib.sha1(START_URL.encode()).hexdigest()
    return _target(root, f"home/.aws/sso/cache/{digest}.json")


def _write(root: Path, rel: str, text: str) -> None:
    _target(root, rel).write_text(text)


def _unknown_or_agrees(method: str) -> Callable[[credchain.Report], None]:
    def check(report: credchain.Report) -> None:
        assert report.get(method) is not None
        assert report.get(method).status is Status.UNKNOWN, report.get(method)  # type: ignore[union-attr]
        assert report.winner is None and report.raises is None

    return check


# -- the catalogue ------------------------------------------------------------------------------

CASES: dict[str, Case] = {}


def _file_cases() -> None:
    for name, make in ARTEFACTS.items():
        endless = name in ENDLESS or name == "11mb"

        def ec2_reached(root: Path, env: dict[str, str], make: Any = make) -> None:
            path = _target(root, "ec2creds")
            make(path)
            env["AWS_CREDENTIAL_FILE"] = str(path)

        CASES[f"file-AWS_CREDENTIAL_FILE-reached-{name}"] = Case(
            ec2_reached,
            oracle=not endless,
            check=_unknown_or_agrees("ec2-credentials-file") if endless else None,
        )

        def ec2_below(root: Path, env: dict[str, str], make: Any = make) -> None:
            ec2_reached(root, env, make)
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = KEY_ID, SECRET

        CASES[f"file-AWS_CREDENTIAL_FILE-below-winner-{name}"] = Case(ec2_below)

        def sso_cache(root: Path, env: dict[str, str], make: Any = make) -> None:
            _write(root, "home/.aws/config", SSO_CONFIG)
            make(_sso_cache(root))

        CASES[f"file-sso-token-cache-{name}"] = Case(sso_cache)

        def web_identity(root: Path, env: dict[str, str], make: Any = make) -> None:
            path = _target(root, "token")
            make(path)
            env["AWS_WEB_IDENTITY_TOKEN_FILE"], env["AWS_ROLE_ARN"] = str(path), ROLE

        CASES[f"file-AWS_WEB_IDENTITY_TOKEN_FILE-{name}"] = Case(web_identity)

        def credentials(root: Path, env: dict[str, str], make: Any = make) -> None:
            path = _target(root, "creds")
            make(path)
            env["AWS_SHARED_CREDENTIALS_FILE"] = str(path)

        CASES[f"file-AWS_SHARED_CREDENTIALS_FILE-{name}"] = Case(credentials)

        def config(root: Path, env: dict[str, str], make: Any = make) -> None:
            path = _target(root, "config")
            make(path)
            env["AWS_CONFIG_FILE"] = str(path)

        CASES[f"file-AWS_CONFIG_FILE-{name}"] = Case(config)

    for name in ("fifo", "dev-zero", "directory", "symlink-loop", "binary", "11mb"):
        make = ARTEFACTS[name]

        def container_token(root: Path, env: dict[str, str], make: Any = make) -> None:
            path = _target(root, "container-token")
            make(path)
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:9/creds"
            env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = str(path)

        endless = name in ENDLESS or name == "11mb"
        CASES[f"file-container-token-reached-{name}"] = Case(
            container_token,
            oracle=not endless,
            check=_unknown_or_agrees("container-role") if endless else None,
        )

        def container_below(root: Path, env: dict[str, str], make: Any = make) -> None:
            container_token(root, env, make)
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = KEY_ID, SECRET

        CASES[f"file-container-token-below-winner-{name}"] = Case(container_below)

    for name in ("fifo", "dev-zero", "directory"):
        make = ARTEFACTS[name]

        def login_cache(root: Path, env: dict[str, str], make: Any = make) -> None:
            _write(root, "home/.aws/config", "[default]\nlogin_session = arn:aws:iam::1:user/u\n")
            env["AWS_LOGIN_CACHE_DIRECTORY"] = str(root / "login")
            digest = hashlib.sha256(b"arn:aws:iam::1:user/u").hexdigest()
            make(_target(root, f"login/{digest}.json"))

        CASES[f"file-login-cache-{name}"] = Case(login_cache)

    def dev_zero_direct(root: Path, env: dict[str, str]) -> None:
        env["AWS_CREDENTIAL_FILE"] = "/dev/zero"

    CASES["file-AWS_CREDENTIAL_FILE-is-/dev/zero"] = Case(
        dev_zero_direct, oracle=False, check=_unknown_or_agrees("ec2-credentials-file")
    )

    def dev_null(root: Path, env: dict[str, str]) -> None:
        env["AWS_CREDENTIAL_FILE"] = env["AWS_CONFIG_FILE"] = "/dev/null"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"

        # botocore reads /dev/null (empty) for AWS_CREDENTIAL_FILE and skips it for INI files.

    CASES["file-everything-is-/dev/null"] = Case(dev_null)


_file_cases()

INI: dict[str, str] = {
    "unbalanced-bracket": "[default\naws_access_key_id = x\n",
    "duplicate-sections": KEYS_INI + KEYS_INI,
    "duplicate-keys": KEYS_INI + f"aws_access_key_id = {KEY_ID}\n",
    "huge-line": f"[default]\nregion = {'x' * 2_000_000}\n" + KEYS_INI.split("\n", 1)[1],
    "key-without-value": "[default]\naws_access_key_id\n",
    "tab-continuation": f"[default]\naws_access_key_id =\n\t{KEY_ID}\n{SECRET_LINE}",
    "nested-block": f"[default]\ns3 =\n  addressing_style = path\n  x\n{KEYS_INI[10:]}",
    "bom-and-crlf": "\ufeff" + KEYS_INI.replace("\n", "\r\n"),
    "secret-only": f"[default]\naws_secret_access_key = {SECRET}\n",
    "key-only": f"[default]\naws_access_key_id = {KEY_ID}\n",
    "no-sections": f"aws_access_key_id = {KEY_ID}\n",
    "bracket-inside-name": f"[default]x]\n{KEYS_INI[10:]}",
}


def _ini_cases() -> None:
    for name, text in INI.items():

        def creds(root: Path, env: dict[str, str], text: str = text) -> None:
            _write(root, "home/.aws/credentials", text)

        CASES[f"ini-credentials-{name}"] = Case(creds)

    for name, text in {
        "profile-without-bracket": f"[profile dev\n{KEYS_INI[10:]}",
        "unbalanced-bracket": "[default\nregion = x\n",
        "duplicate-sections": "[default]\nregion = a\n[default]\nregion = b\n",
        "huge-line": f"[default]\nregion = {'x' * 2_000_000}\n",
        "key-without-value": "[default]\nregion\n",
        "bad-nested-block": "[default]\ns3 =\n  addressing_style\n",
    }.items():

        def config(root: Path, env: dict[str, str], text: str = text) -> None:
            _write(root, "home/.aws/config", text)

        CASES[f"ini-config-{name}"] = Case(config, profile="dev" if "profile" in name else None)


_ini_cases()


def _env(**values: str) -> Callable[[Path, dict[str, str]], None]:
    def setup(root: Path, env: dict[str, str]) -> None:
        for k, v in values.items():
            env[k] = v.replace("{root}", str(root))

    return setup


def _env_cases() -> None:
    CASES.update(
        {
            "env-empty-key-id": Case(_env(AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY=SECRET)),
            "env-whitespace-keys": Case(_env(AWS_ACCESS_KEY_ID="  ", AWS_SECRET_ACCESS_KEY=" \t")),
            "env-newline-in-key-id": Case(
                _env(
                    AWS_ACCESS_KEY_ID=KEY_ID + "\nX",
                    AWS_SECRET_ACCESS_KEY=SECRET,
                    AWS_SESSION_TOKEN=TOKEN,
                )
            ),
            "env-secret-without-key-id": Case(_env(AWS_SECRET_ACCESS_KEY=SECRET)),
            "env-very-long-profile": Case(_env(AWS_PROFILE="p" * 100_000)),
            "env-newline-in-profile": Case(_env(AWS_PROFILE="dev\n[default]")),
            "env-empty-profile": Case(_env(AWS_PROFILE="")),
            "env-empty-config-file": Case(_env(AWS_CONFIG_FILE="", AWS_SHARED_CREDENTIALS_FILE="")),
            "env-tilde-credentials-file": Case(
                lambda root, env: (
                    _write(root, "home/creds", KEYS_INI),
                    env.update(AWS_SHARED_CREDENTIALS_FILE="~/creds"),
                )
            ),
            "env-dollar-var-config-file": Case(
                lambda root, env: (
                    _write(root, "home/cfg", KEYS_INI),
                    env.update(
                        AWS_CONFIG_FILE="$HOME/cfg", AWS_SHARED_CREDENTIALS_FILE="${HOME}/c"
                    ),
                )
            ),
            "env-undefined-var-in-path": Case(_env(AWS_CONFIG_FILE="$NOT_SET_ANYWHERE/config")),
            "env-tilde-ec2-credential-file-is-home": Case(_env(AWS_CREDENTIAL_FILE="~")),
            "env-empty-web-identity-token-file": Case(
                _env(AWS_WEB_IDENTITY_TOKEN_FILE="", AWS_ROLE_ARN=ROLE)
            ),
            "env-newline-in-role-arn": Case(
                _env(AWS_WEB_IDENTITY_TOKEN_FILE="{root}/none", AWS_ROLE_ARN=ROLE + "\nx")
            ),
            "env-empty-container-full-uri": Case(_env(AWS_CONTAINER_CREDENTIALS_FULL_URI="")),
            "env-bad-num-attempts": Case(_env(AWS_METADATA_SERVICE_NUM_ATTEMPTS="many")),
            "env-very-long-key-id": Case(
                _env(AWS_ACCESS_KEY_ID="AKIA" + "X" * 100_000, AWS_SECRET_ACCESS_KEY=SECRET)
            ),
        }
    )


_env_cases()


def _script(root: Path, body: str, name: str = "proc.sh") -> Path:
    path = _target(root, name)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def _process(
    body: str | None, command: str | None = None
) -> Callable[[Path, dict[str, str]], None]:
    def setup(root: Path, env: dict[str, str]) -> None:
        cmd = command.replace("{root}", str(root)) if command else str(_script(root, body or ""))
        _write(root, "home/.aws/config", f"[default]\ncredential_process = {cmd}\n")

    return setup


GOOD_JSON = f'{{"Version": 1, "AccessKeyId": "{KEY_ID}", "SecretAccessKey": "{SECRET}"}}'


def _no_leftover_child(report: credchain.Report) -> None:
    assert report.get("custom-process").status is Status.UNKNOWN  # type: ignore[union-attr]
    assert not _processes_with(MARK_SLEEP), "a child of credential_process outlived explain()"


def _process_unknown(report: credchain.Report) -> None:
    assert report.get("custom-process").status is Status.UNKNOWN  # type: ignore[union-attr]
    assert report.winner is None and report.raises is None


def _process_cases() -> None:
    p = {
        "exit-1": Case(_process(f"echo {SECRET} >&2\nexit 1\n")),
        "bad-json": Case(_process("echo '{not json'\n")),
        "version-2": Case(_process(f"echo '{GOOD_JSON.replace(': 1,', ': 2,')}'\n")),
        "valid": Case(_process(f"echo '{GOOD_JSON}'\n")),
        "invalid-utf8-stdout": Case(_process("printf '\\377\\376'\n")),
        "missing-program": Case(_process(None, "/nonexistent/credential-helper --flag")),
        "missing-program-on-path": Case(_process(None, "no-such-credential-helper-x")),
        "not-executable": Case(
            lambda root, env: (
                _write(root, "helper", "#!/bin/sh\necho hi\n"),
                _process(None, "{root}/helper")(root, env),
            )
        ),
        "background-child-holds-pipe": Case(
            _process(f"sleep {MARK_SLEEP} &\necho '{GOOD_JSON}'\n"),
            oracle=False,
            check=_no_leftover_child,
        ),
        "hangs": Case(_process(f"sleep {MARK_SLEEP}\n"), oracle=False, check=_no_leftover_child),
        "prints-50-mb": Case(
            _process("head -c 52428800 /dev/zero | tr '\\0' 'a'\n"),
            oracle=False,
            check=_process_unknown,
        ),
        "stderr-flood-then-exit-1": Case(_process("yes err | head -c 3000000 >&2\nexit 1\n")),
    }
    for name, case in p.items():
        case.run_process = True
        CASES[f"process-{name}"] = case


_process_cases()


# -- endpoints -----------------------------------------------------------------------------------


class _Server:
    """A loopback TCP server: ``refuse`` (closed port), ``silent`` or ``garbage``."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        if mode == "refuse":
            self.sock.close()
            return
        self.sock.listen(16)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.mode == "garbage":
                try:
                    conn.recv(65536)
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n\x00\xff{garbage")
                finally:
                    conn.close()
            else:
                self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


_SERVERS: list[_Server] = []


def _endpoint(kind: str, mode: str) -> Callable[[Path, dict[str, str]], None]:
    def setup(root: Path, env: dict[str, str]) -> None:
        server = _Server(mode)
        _SERVERS.append(server)
        url = f"http://127.0.0.1:{server.port}"
        if kind == "container":
            env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = url + "/creds"
        else:
            del env["AWS_EC2_METADATA_DISABLED"]
            env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = url + "/"
            env["AWS_METADATA_SERVICE_TIMEOUT"] = "1"

    return setup


CASES.update(
    {
        "endpoint-container-refuses": Case(_endpoint("container", "refuse")),
        "endpoint-container-garbage": Case(_endpoint("container", "garbage")),
        "endpoint-container-silent": Case(_endpoint("container", "silent"), oracle=False),
        "endpoint-imds-refuses": Case(_endpoint("imds", "refuse")),
        "endpoint-imds-garbage": Case(_endpoint("imds", "garbage")),
        "endpoint-imds-silent": Case(_endpoint("imds", "silent"), oracle=False),
    }
)


# -- the checks ----------------------------------------------------------------------------------


def _snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """(size, mtime, sha1) of every regular file under ``root`` (nothing else is opened)."""
    snap = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    digest = hashlib.sha1(f.read()).hexdigest()
                snap[path] = (st.st_size, st.st_mtime_ns, digest)
    return snap


def _processes_with(text: str) -> list[int]:
    """Live processes whose command line holds ``text`` (SIGKILL is delivered asynchronously)."""
    for _ in range(20):
        found = _scan(text)
        if not found:
            return found
        time.sleep(0.1)
    return found


def _scan(text: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if text.encode() in f.read():
                        found.append(int(entry))
            except OSError:
                pass
    return found


@pytest.fixture
def cleanup() -> Iterator[None]:
    yield
    while _WRITERS:
        w = _WRITERS.pop()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(w.pid, signal.SIGKILL)
        w.wait()
    while _SERVERS:
        _SERVERS.pop().close()


def _base_env(root: Path) -> dict[str, str]:
    (root / "home" / ".aws").mkdir(parents=True)
    return {
        "HOME": str(root / "home"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(root / "home" / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(root / "home" / ".aws" / "credentials"),
        **oracle.GUARDS,
    }


def test_catalogue_is_large_enough() -> None:
    """The catalogue holds at least 60 cases over files, INI, env, processes and endpoints."""
    assert len(CASES) >= 60
    kinds = {name.split("-", 1)[0] for name in CASES}
    assert kinds == {"file", "ini", "env", "process", "endpoint"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile(name: str, tmp_path: Path, cleanup: None) -> None:
    """A Report within the bound, botocore's answer where it answers, no file changed, no leak."""
    case = CASES[name]
    root = tmp_path / "root"
    env = _base_env(root)
    case.setup(root, env)
    before = _snapshot(root)

    started = time.monotonic()
    report = credchain.explain(
        env=env,
        profile=case.profile,
        run_process=case.run_process,
        network=case.network,
        timeout=TIMEOUT,
    )
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT + SLACK, f"explain() took {elapsed:.1f} s"

    texts = [str(report), repr(report), report.to_json()]
    for text in texts:
        assert oracle.SECRET_MARK not in text
        assert KEY_ID not in text
    assert _snapshot(root) == before, "a file under the temporary root changed"
    if case.check is not None:
        case.check(report)
    if case.oracle:
        violations: list[str] = []
        with oracle.loopback_only(violations):
            truth = oracle.run_botocore(env, case.profile)
        assert violations == []
        assert oracle.compare(truth, report) == []
        assert _snapshot(root) == before


def test_fifo_with_a_writer_is_read_as_botocore_reads_it(tmp_path: Path) -> None:
    """A FIFO botocore opens is read to its end when something writes it (process substitution)."""
    path = tmp_path / "fifo"
    os.mkfifo(path)
    text = f"AWSAccessKeyId={KEY_ID}\nAWSSecretKey={SECRET}\n"
    writer = threading.Thread(target=lambda: path.write_text(text))
    writer.start()
    env = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", **oracle.GUARDS}
    env["AWS_CREDENTIAL_FILE"] = str(path)
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "none")
    report = credchain.explain(env=env, timeout=5)
    writer.join(5)
    assert report.winner is not None and report.winner.method == "ec2-credentials-file"


def test_background_child_bound_is_about_the_timeout(tmp_path: Path) -> None:
    """explain(run_process=True, timeout=1) with `sleep 20 &` returns in about 1 s, group killed."""
    script = _script(tmp_path, f"sleep {MARK_SLEEP} &\nsleep {MARK_SLEEP}\n")
    (tmp_path / "config").write_text(f"[default]\ncredential_process = {script}\n")
    env = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", **oracle.GUARDS}
    env["AWS_CONFIG_FILE"] = str(tmp_path / "config")
    started = time.monotonic()
    report = credchain.explain(env=env, run_process=True, timeout=1)
    assert time.monotonic() - started < 1 + SLACK
    assert report.get("custom-process").status is Status.UNKNOWN  # type: ignore[union-attr]
    assert "1 s" in report.get("custom-process").reason  # type: ignore[union-attr]
    assert not _processes_with(MARK_SLEEP)


def test_profiles_answers_with_a_fifo_credential_file(tmp_path: Path) -> None:
    """`credchain profiles` answers when AWS_CREDENTIAL_FILE is a FIFO nobody writes."""
    path = tmp_path / "fifo"
    os.mkfifo(path)
    (tmp_path / "config").write_text("[default]\nregion = eu-west-1\n[profile b]\nregion = x\n")
    env = {
        "HOME": str(tmp_path),
        "PATH": os.environ.get("PATH", ""),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CREDENTIAL_FILE": str(path),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        **oracle.GUARDS,
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "credchain", "profiles"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 30
    assert done.returncode == 0, done.stderr
    assert "2 profiles" in done.stdout
