"""The differential harness: one scenario, run through the real botocore and through explain().

A :class:`Scenario` is an environment (with ``{root}``, ``{http}`` and ``{python}``
placeholders), a file tree, optional loopback HTTP responses and an optional
explicit profile. :func:`check` materialises it under a temporary root, asks the
installed botocore what ``Session(profile=...).get_credentials()`` does (the
oracle), asks ``credchain.explain()`` three ways (``env=`` without touching
``os.environ``; ``os.environ`` set and ``env=None``; ``session=``) and returns
every disagreement as a sentence.

The oracle is independent of credchain: botocore runs in a separate interpreter
(``python -I tests/botocore_oracle.py``, with no credchain on its ``sys.path``),
and the environment it sees is the scenario's mapping, installed there by that
script, never through credchain code. It reports the chain's METHOD order and
what each provider's ``load()`` does: for the providers up to the one that
decided, as ``get_credentials()`` called them; for those below it, each
``load()`` on its own (the providers above it removed). :func:`compare` checks
the whole report against that: order, every status, winner, exception, error
provider and masked key.

Nothing here may leave 127.0.0.1: :func:`assert_safe_env` refuses an environment
that could reach a real metadata service or STS, and every run happens under
:func:`loopback_only`, which refuses (and records) any other connection.
"""

from __future__ import annotations

import atexit
import contextlib
import ipaddress
import json
import os
import re
import select
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote, urlsplit

import botocore.session
from botocore.utils import ContainerMetadataFetcher, is_valid_uri

import credchain
from credchain import ProviderResult, Status

#: Where STS, SSO, SSO OIDC and Signin calls would go: the discard port, refused at once.
BLOCKED = "http://127.0.0.1:9"
GUARDS = {
    "AWS_ENDPOINT_URL": BLOCKED,
    "AWS_ENDPOINT_URL_STS": BLOCKED,
    "AWS_ENDPOINT_URL_SSO": BLOCKED,
    "AWS_ENDPOINT_URL_SSO_OIDC": BLOCKED,
    "AWS_ENDPOINT_URL_SIGNIN": BLOCKED,
}
#: Planted secrets all contain this; no output of credchain may.
SECRET_MARK = "NEVER-PRINTED"

_TOKEN_HEADER = "x-aws-ec2-metadata-token"


# -- scenarios ---------------------------------------------------------------------------------


@dataclass
class Scenario:
    """One case: the complete environment, files, endpoint responses and explicit profile."""

    env: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)  # path under the root -> text
    http: Optional[list[dict[str, Any]]] = None  # None: no server; [] a server nothing may hit
    profile: Optional[str] = None
    lenient_http: bool = False  # peer data: unknown requests get a 404, unused entries are fine
    binary: dict[str, bytes] = field(default_factory=dict)  # path under the root -> bytes


def load_scenario(folder: Path) -> Scenario:
    """A scenario folder: ``env.json``, ``fs/``, optional ``http.json`` and ``args.json``."""
    env = json.loads((folder / "env.json").read_text())
    files: dict[str, str] = {}
    binary: dict[str, bytes] = {}
    fs = folder / "fs"
    if fs.is_dir():
        for path in sorted(p for p in fs.rglob("*") if p.is_file()):
            data = path.read_bytes()
            rel = path.relative_to(fs).as_posix()
            try:
                files[rel] = data.decode("utf-8")
            except UnicodeDecodeError:
                binary[rel] = data
    http = None
    if (folder / "http.json").exists():
        http = json.loads((folder / "http.json").read_text())
    args = {}
    if (folder / "args.json").exists():
        args = json.loads((folder / "args.json").read_text())
    return Scenario(env, files, http, args.get("profile"), binary=binary)


def _fill(text: str, root: Path, http: str | None) -> str:
    text = text.replace("{root}", str(root)).replace("{python}", sys.executable)
    if http is not None:
        text = text.replace("{http}", http).replace("{hostport}", http.split("//", 1)[1])
    return text


def materialise(scenario: Scenario, root: Path, http: str | None) -> dict[str, str]:
    """Write the scenario's files under ``root``; return its environment, placeholders filled."""
    for rel, text in scenario.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        content = _fill(text, root, http)
        path.write_text(content)
        if content.startswith("#!"):
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    for rel, data in scenario.binary.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "home").mkdir(exist_ok=True)
    return {k: _fill(v, root, http) for k, v in scenario.env.items()}


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _valid_uri(url: str) -> bool:
    try:
        return bool(is_valid_uri(url))
    except ValueError:  # botocore itself raises this ValueError while building its chain
        return False


def _is_loopback_host(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address((host or "").split("%")[0]).is_loopback
    except ValueError:
        return False


def assert_safe_env(env: Mapping[str, str]) -> None:
    """Refuse an environment in which botocore could leave the loopback interface."""
    imds_off = env.get("AWS_EC2_METADATA_DISABLED", "").lower() == "true"
    endpoint = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
    if not imds_off:
        # botocore uses 169.254.169.254 when the endpoint is unset or empty.
        assert endpoint, "the scenario must disable IMDS or set its endpoint"
        # botocore refuses an endpoint that is not a valid URI before any request.
        assert _is_loopback_host(_hostname(endpoint)) or not _valid_uri(endpoint), (
            f"the metadata endpoint {endpoint} is not a loopback address"
        )
    relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    if relative is not None:
        # botocore prefixes http://169.254.170.2: only "@127.0.0.1:port/..." stays local.
        host = _hostname("http://169.254.170.2" + relative)
        assert _is_loopback_host(host), f"the relative URI {relative} reaches {host}"
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if full is not None and not _is_loopback_host(_hostname(full)):
        # botocore refuses (ValueError, before connecting) an http host it does not allow;
        # it allows any https host and the link-local container hosts: those would be reached.
        parsed = urlsplit(full)
        allowed = ("169.254.170.2", "169.254.170.23", "fd00:ec2::23")
        assert parsed.scheme != "https" and parsed.hostname not in allowed, full
    for name, value in GUARDS.items():
        assert env.get(name) == value, f"the scenario must set {name}={value}"


# -- the loopback endpoint ---------------------------------------------------------------------


class Endpoint:
    """A loopback HTTP server answering from a list of ``{method, path, status, body}`` entries.

    Entries with the same method and path answer in turn (the last one repeats).
    ``"token": true/false`` restricts an entry to requests with / without the IMDSv2
    token header; ``"delay"`` holds the answer back that many seconds. Requests no entry
    matches get a 404 and are recorded as unexpected.
    """

    def __init__(self, entries: Sequence[Mapping[str, Any]], root: Path | None = None) -> None:
        self.entries = [dict(e) for e in entries]
        self.root = root
        self.hits = [0] * len(self.entries)
        self.unexpected: list[str] = []
        self.requests: list[tuple[str, str, bool]] = []
        self._served: dict[tuple[str, str, bool], int] = {}
        self._lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                had_token = self.headers.get(_TOKEN_HEADER) is not None
                status, body = endpoint._reply(self.command, self.path, had_token)
                data = body.encode("utf-8") if isinstance(body, str) else body
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (timeout): nothing to do
                    pass

            do_GET = do_PUT = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def reset(self) -> None:
        """Start every sequence again (before the next run against the same scenario)."""
        with self._lock:
            self._served.clear()

    def _reply(self, method: str, path: str, had_token: bool) -> tuple[int, str | bytes]:
        with self._lock:
            self.requests.append((method, path, had_token))
            matching = [
                i
                for i, e in enumerate(self.entries)
                if e.get("method", "GET") == method
                and e["path"] in (path, unquote(path))
                and e.get("token", had_token) == had_token
            ]
            if not matching:
                self.unexpected.append(f"{method} {path}" + (" (token)" if had_token else ""))
                return 404, ""
            key = (method, path, had_token)
            n = self._served.get(key, 0)
            self._served[key] = n + 1
            i = matching[min(n, len(matching) - 1)]
            self.hits[i] += 1
            entry = self.entries[i]
        if entry.get("delay"):  # seconds: longer than the client's timeout means no answer
            threading.Event().wait(float(entry["delay"]))
        body = entry.get("body", "")
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        if isinstance(body, str) and self.root is not None:
            body = body.replace("{root}", str(self.root))
        return int(entry.get("status", 200)), body

    def unused(self) -> list[str]:
        return [
            f"{e.get('method', 'GET')} {e['path']} -> {e.get('status', 200)}"
            for i, e in enumerate(self.entries)
            if self.hits[i] == 0
        ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# -- isolation -----------------------------------------------------------------------------------


_ENVIRON_LOCK = threading.RLock()


@contextlib.contextmanager
def environ(env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` is exactly ``env`` inside (test code only: explain(env=None) reads it).

    Built here, not with any helper of credchain's, so a fault in credchain's own
    environment handling can't be fed to both sides of a comparison alike.
    """
    with _ENVIRON_LOCK:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


@contextlib.contextmanager
def loopback_only(violations: list[str]) -> Iterator[None]:
    """Refuse any connection to a non-loopback address; record the attempt in ``violations``."""
    real_connect = socket.socket.connect
    real_create = socket.create_connection

    def allowed(address: Any) -> bool:
        if isinstance(address, tuple):
            return _is_loopback_host(str(address[0]))
        return True  # unix sockets

    def connect(sock: socket.socket, address: Any) -> Any:
        if not allowed(address):
            violations.append(repr(address))
            raise ConnectionRefusedError(f"tests may not reach {address!r}")
        return real_connect(sock, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if not allowed(address):
            violations.append(repr(address))
            raise ConnectionRefusedError(f"tests may not reach {address!r}")
        return real_create(address, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.create_connection = create_connection  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.create_connection = real_create


@contextlib.contextmanager
def no_container_pause() -> Iterator[None]:
    """botocore pauses 1 s between container attempts: the attempts matter, the pause doesn't."""
    saved = ContainerMetadataFetcher.SLEEP_TIME
    ContainerMetadataFetcher.SLEEP_TIME = 0
    try:
        yield
    finally:
        ContainerMetadataFetcher.SLEEP_TIME = saved


# -- the two sides -----------------------------------------------------------------------------


def mask(key: Any) -> str | None:
    """The contract's masking: first 4 and last 4 characters kept, every other one ``*``."""
    if not isinstance(key, str):
        return None
    n = len(key)
    return "".join(c if i < 4 or i >= n - 4 else "*" for i, c in enumerate(key))


# -- botocore, in an interpreter of its own ------------------------------------------------------

#: The other side of the oracle: run as ``python -I``, with no credchain on its path.
CHILD = Path(__file__).with_name("botocore_oracle.py")
#: Bound for one answer of the botocore process (its probes are bounded far lower).
CHILD_TIMEOUT = 120.0


class BotocoreProcess:
    """One long-lived ``python -I tests/botocore_oracle.py``; a JSON request per line.

    Started with a minimal environment; every request carries the complete
    environment botocore is to see, which the child installs as its own
    ``os.environ`` before it builds a session. A request that takes longer than
    :data:`CHILD_TIMEOUT` kills the process (the next request starts another).
    """

    def __init__(self, python: str = sys.executable) -> None:
        self.python = python
        self._proc: subprocess.Popen[str] | None = None
        self._stderr: Any = None
        self._lock = threading.Lock()

    def _start(self) -> subprocess.Popen[str]:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the process)
        self._proc = subprocess.Popen(
            [self.python, "-I", str(CHILD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"},
            cwd="/",
            text=True,
            encoding="utf-8",
            start_new_session=True,  # no controlling terminal: nothing can prompt on one
        )
        return self._proc

    def ask(self, request: Mapping[str, Any], timeout: float = CHILD_TIMEOUT) -> dict[str, Any]:
        with self._lock:
            proc = self._proc if self._proc and self._proc.poll() is None else self._start()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            line = proc.stdout.readline() if ready else ""
            if not line:
                said = self._said()
                self.close()
                return {"crash": f"no answer from the botocore process within {timeout} s{said}"}
            answer: dict[str, Any] = json.loads(line)
            return answer

    def _said(self) -> str:
        if self._stderr is None or (self._proc and self._proc.poll() is None):
            return ""
        self._stderr.seek(0)
        return ": " + self._stderr.read()[-2000:].decode("utf-8", "replace")

    def close(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                if stream is not None:
                    stream.close()
            self._proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


_PROCESS = BotocoreProcess()
atexit.register(_PROCESS.close)


def botocore_process() -> BotocoreProcess:
    """This test process's botocore interpreter (one per xdist worker)."""
    return _PROCESS


@dataclass(frozen=True)
class Outcome:
    """What botocore's ``get_credentials()`` did, and what each provider's ``load()`` did."""

    method: str | None
    raises: str | None
    error: str | None  # METHOD of the chain provider whose load() raised; None at build time
    access_key: str | None  # masked, None for deferred credentials
    deferred: bool = False
    message: str = ""
    #: botocore's chain, METHODs in order; None when it raised while building it
    chain: Optional[tuple[str, ...]] = None
    #: METHOD -> what its load() did: {"result": None | "credentials" | "raises", ...}
    loads: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    violations: tuple[str, ...] = ()

    def decided_at(self) -> int:
        """Index in :attr:`chain` of the provider that decided (the last one loaded)."""
        if not self.chain:
            return -1
        loaded = [i for i, m in enumerate(self.chain) if m in self.loads]
        return max(loaded, default=-1)


def _outcome(answer: Mapping[str, Any]) -> Outcome:
    if "crash" in answer:
        return Outcome(None, "OracleCrash", None, None, message=str(answer["crash"]))
    chain = answer.get("chain")
    return Outcome(
        answer["method"],
        answer["raises"],
        answer["error"],
        answer["access_key"],
        deferred=answer["deferred"],
        message=answer["message"],
        chain=None if chain is None else tuple(chain),
        loads=answer["loads"],
        violations=tuple(answer.get("violations", ())),
    )


def run_botocore(env: Mapping[str, str], profile: str | None, cwd: str | None = None) -> Outcome:
    """``botocore.session.Session(profile=profile).get_credentials()`` in exactly ``env``.

    Runs in :class:`BotocoreProcess`, never in this interpreter; ``cwd`` (default:
    this process's) is where relative paths and commands resolve.
    """
    request = {"op": "run", "env": dict(env), "profile": profile, "cwd": cwd or os.getcwd()}
    return _outcome(botocore_process().ask(request))


def probe_botocore(
    env: Mapping[str, str], profile: str | None, methods: Sequence[str], cwd: str | None = None
) -> dict[str, dict[str, Any]]:
    """``load()`` of each provider in ``methods`` on its own, in a fresh botocore chain."""
    request = {"op": "probe", "env": dict(env), "profile": profile, "methods": list(methods)}
    request["cwd"] = cwd or os.getcwd()
    answer = botocore_process().ask(request)
    if "crash" in answer:
        return {m: {"result": "raises", "raises": "OracleCrash"} for m in methods}
    loads = dict(answer["loads"])
    if answer.get("violations"):
        loads["<violations>"] = {"result": None, "violations": answer["violations"]}
    return loads


def with_probes(
    oracle: Outcome, env: Mapping[str, str], profile: str | None, cwd: str | None = None
) -> Outcome:
    """``oracle`` with the providers below the deciding one probed as well."""
    if not oracle.chain:
        return oracle
    below = [m for m in oracle.chain[oracle.decided_at() + 1 :] if m not in oracle.loads]
    if not below:
        return oracle
    loads = {**oracle.loads, **probe_botocore(env, profile, below, cwd)}
    extra = loads.pop("<violations>", {}).get("violations", [])
    return replace(oracle, loads=loads, violations=(*oracle.violations, *extra))


#: The process environment while explain(env=...) runs: it must read none of it (loopback only).
HOSTILE = {
    "HOME": "/nonexistent-home",
    "PATH": os.defpath,
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEPOLLU0001",
    "AWS_SECRET_ACCESS_KEY": "SECRET-NEVER-PRINTED-POLLUTED",
    "AWS_SESSION_TOKEN": "TOKEN-NEVER-PRINTED-POLLUTED",
    "AWS_PROFILE": "polluted",
    "AWS_DEFAULT_PROFILE": "polluted",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_EC2_METADATA_DISABLED": "false",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9/",
    "AWS_METADATA_SERVICE_TIMEOUT": "x",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/creds",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token",
    "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/Polluted",
    "AWS_CREDENTIAL_FILE": "/nonexistent/ec2",
    "BOTO_CONFIG": "/nonexistent/boto",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "",
    **GUARDS,
}

#: How explain() is asked: env= (os.environ untouched), os.environ set, or a live session.
VIA_ENV, VIA_ENVIRON, VIA_SESSION = "explain(env=...)", "explain(env=None)", "explain(session=...)"


def run_credchain(
    env: Mapping[str, str], profile: str | None, *, via: str = VIA_ENV, **kwargs: Any
) -> credchain.Report:
    """``credchain.explain()`` on the scenario's environment, asked the way ``via`` says."""
    options: dict[str, Any] = {"network": True, "run_process": True, **kwargs}
    with no_container_pause():
        if via == VIA_ENV:
            # env= replaces os.environ: a hostile process environment must change nothing.
            with environ(HOSTILE):
                return credchain.explain(env=dict(env), profile=profile, **options)
        with environ(env):
            if via == VIA_SESSION:
                session = botocore.session.Session(profile=profile)
                return credchain.explain(session=session, **options)
            return credchain.explain(profile=profile, **options)


def _expected_status(
    load: Mapping[str, Any], method: str, winner: str | None
) -> tuple[set[Status], str | None]:
    """The statuses botocore's ``load()`` result allows, and the exception name it implies."""
    if load["result"] is None:
        return {Status.NOT_FOUND, Status.DISABLED}, None
    if load["result"] == "raises":
        return {Status.ERROR}, load["raises"]
    return ({Status.FOUND} if method == winner else {Status.SHADOWED}), None


def _unrun_below(p: ProviderResult, load: Mapping[str, Any]) -> bool:
    """A credential_process below the decision: credchain never runs it, so whether it would
    fail is unknowable to it; botocore's load() runs it. Shadowed is then the claim the
    configuration supports (its reason says it was not run). The same holds for a role
    whose source profile's credentials come from such a process."""
    unrun = "not run" in p.reason
    if p.method == "assume-role":
        unrun = "(custom-process) (not run)" in p.reason
    return (
        p.method in ("custom-process", "assume-role")
        and p.status is Status.SHADOWED
        and load["result"] == "raises"
        and unrun
    )


def compare_chain(oracle: Outcome, report: credchain.Report, label: str = "explain") -> list[str]:
    """Order and every status of ``report`` against botocore's chain and its providers' loads."""
    if oracle.chain is None:
        return []
    problems = []
    # botocore drops the env provider for an explicit profile: credchain shows it disabled.
    shown = [
        p.method
        for p in report.providers
        if p.method != "explicit"
        and not (p.status is Status.DISABLED and p.method not in oracle.chain)
    ]
    if shown != list(oracle.chain):
        problems.append(f"{label}: chain {shown} != botocore's {list(oracle.chain)}")
    winner = report.winner.method if report.winner else None
    # "unknown" is an answer only where credchain was held back (no network, no processes)
    # or said it cannot tell (an undetermined report); otherwise it is a disagreement.
    held_back = not report.network or not report.run_process or report.undetermined is not None
    for p in report.providers:
        load = oracle.loads.get(p.method)
        if load is None or p.method not in oracle.chain:
            continue
        allowed, raises = _expected_status(load, p.method, winner)
        if _unrun_below(p, load) or (p.status is Status.UNKNOWN and held_back):
            continue
        if p.status not in allowed:
            truth = load["result"] if load["result"] != "raises" else f"raises {load['raises']}"
            problems.append(
                f"{label}: {p.method} is {p.status.value}, but botocore's load() there "
                f"{'returns ' + str(truth) if truth != 'credentials' else 'returns credentials'}"
                f" (expected {' or '.join(sorted(s.value for s in allowed))}; credchain says"
                f" {p.raises or ''} {p.reason!r})"
            )
        elif load["result"] == "credentials" and load.get("method") != p.method:
            problems.append(f"{label}: {p.method}'s load() gave {load.get('method')} credentials")
        elif raises is not None and p.raises is not None and p.raises != raises:
            problems.append(f"{label}: {p.method} raises {p.raises}, botocore {raises}")
    return problems


def compare_outcome(oracle: Outcome, report: credchain.Report, label: str = "explain") -> list[str]:
    """Where ``report``'s winner, exception, error provider or masked key differ from botocore's."""
    problems = []
    winner = report.winner.method if report.winner else None
    error = report.error.method if report.error else None
    said = f"{label}: winner={winner} raises={report.raises} error={error}"
    truth = f"botocore: method={oracle.method} raises={oracle.raises} error={oracle.error}"
    if winner != oracle.method or report.raises != oracle.raises or error != oracle.error:
        problems.append(f"{said}; {truth} ({oracle.message[:300]!r}; {report.message!r})")
    elif (
        oracle.method is not None
        and not oracle.deferred
        and report.winner is not None
        and report.winner.access_key != oracle.access_key
    ):
        problems.append(
            f"{label}: access key {report.winner.access_key} != botocore's {oracle.access_key}"
        )
    if report.winner is not None and report.raises is not None:
        problems.append(f"{label}: both a winner and raises={report.raises}")
    return problems


def compare(oracle: Outcome, report: credchain.Report, label: str = "explain") -> list[str]:
    """Every way ``report`` disagrees with botocore, one sentence each: the outcome, the order,
    every status (as far as ``oracle.loads`` goes) and the masked key."""
    return compare_outcome(oracle, report, label) + compare_chain(oracle, report, label)


# -- one scenario, end to end --------------------------------------------------------------------


@dataclass
class Result:
    """Everything one differential run saw."""

    env: dict[str, str]
    oracle: Outcome
    reports: list[credchain.Report]
    problems: list[str]
    requests: list[tuple[str, str, bool]] = field(default_factory=list)


@contextlib.contextmanager
def prepared(
    scenario: Scenario, root: Path, *, safe: bool = True
) -> Iterator[tuple[dict[str, str], Endpoint | None]]:
    """The scenario materialised under ``root`` with its loopback endpoint running."""
    root.mkdir(parents=True, exist_ok=True)
    server = Endpoint(scenario.http or [], root) if scenario.http is not None else None
    try:
        env = materialise(scenario, root, server.url if server else None)
        if safe:
            assert_safe_env(env)
        yield env, server
    finally:
        if server is not None:
            server.close()


def check(
    scenario: Scenario,
    root: Path,
    *,
    safe: bool = True,
    ways: Sequence[str] = (VIA_ENV, VIA_ENVIRON, VIA_SESSION),
    chain: bool = True,
) -> Result:
    """Run ``scenario`` under ``root`` through botocore and explain(); collect mismatches.

    botocore runs first, in its own interpreter; then explain() once per way in
    ``ways``. With ``chain``, the providers below the one that decided are then
    probed in botocore one by one, and the whole chain is compared.
    """
    problems: list[str] = []
    violations: list[str] = []
    with prepared(scenario, root, safe=safe) as (env, server):
        oracle = run_botocore(env, scenario.profile)
        reports = []
        with loopback_only(violations):
            for via in ways:
                if server is not None:
                    server.reset()
                reports.append(run_credchain(env, scenario.profile, via=via))
        if server is not None and not scenario.lenient_http:
            if server.unexpected:
                problems.append(f"unexpected requests: {sorted(set(server.unexpected))}")
            if server.unused():
                problems.append(f"http.json entries nobody asked for: {server.unused()}")
        requests = list(server.requests) if server else []
        if chain:
            if server is not None:
                server.reset()
            oracle = with_probes(oracle, env, scenario.profile)
        for via, report in zip(ways, reports, strict=True):
            problems += (compare if chain else compare_outcome)(oracle, report, via)
    violations += oracle.violations
    if violations:
        problems.append(f"non-loopback connections attempted: {violations}")
    return Result(env, oracle, reports, problems, requests)


def secrets_in(scenario: Scenario, env: Mapping[str, str]) -> tuple[set[str], set[str]]:
    """The planted secrets (anything containing SECRET_MARK) and the access key ids to mask."""
    text = "\n".join([*env.values(), *scenario.files.values()])
    for entry in scenario.http or []:
        body = entry.get("body", "")
        text += "\n" + (body if isinstance(body, str) else json.dumps(body))
    secrets = set(re.findall(r"[A-Za-z0-9/+=_\-]*" + SECRET_MARK + r"[A-Za-z0-9/+=_\-]*", text))
    key_ids = set(re.findall(r"\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b", text))
    return secrets, key_ids


def leaks(text: str, secrets: set[str], key_ids: set[str]) -> list[str]:
    """Planted secrets and unmasked access key ids (or their hidden middles) found in ``text``."""
    found = [s for s in secrets if s in text]
    if SECRET_MARK in text:
        found.append(SECRET_MARK)
    for key in key_ids:
        if key in text or (len(key) > 12 and key[4:-4] in text):
            found.append(key)
    return sorted(set(found))


def copy_tree(src: Path, dst: Path) -> None:
    """Copy a folder byte for byte (peer data)."""
    shutil.copytree(src, dst, dirs_exist_ok=True)
