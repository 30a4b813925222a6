"""Test helpers: loopback fakes of AWS credential endpoints and an isolated AWS sandbox.

Everything here works without pytest (``credchain.pytest_plugin`` wraps it in
fixtures) and imports only the standard library.

- :class:`FakeIMDS` serves the EC2 instance metadata credential endpoints the
  way botocore's ``InstanceMetadataFetcher`` calls them (IMDSv2 token, role
  name, role credentials), on ``127.0.0.1`` and an ephemeral port.
- :class:`FakeContainerCredentials` serves the ECS/EKS container credentials
  endpoint that botocore's ``ContainerProvider`` reads.
- :class:`Sandbox` is a throwaway HOME with ``~/.aws`` and an environment with
  every ``AWS_*`` and ``BOTO_*`` variable of the real one removed, in which
  botocore's credential chain can reach nothing but loopback addresses.

All fake secrets contain ``NEVER-PRINTED`` so a test can scan output for them.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import configparser
import contextlib
import datetime
import hashlib
import ipaddress
import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Optional, Union, cast
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "BLOCKED_ENDPOINT",
    "FakeContainerCredentials",
    "FakeIMDS",
    "RecordedRequest",
    "Sandbox",
    "patched_environ",
]

#: Where a sandbox sends the AWS services botocore's credential chain calls
#: (STS, SSO, SSO OIDC, Signin): a loopback port nothing listens on, so an
#: accidental call fails at once with ``EndpointConnectionError``.
BLOCKED_ENDPOINT = "http://127.0.0.1:9/"

_BLOCKED_SERVICES = ("STS", "SSO", "SSO_OIDC", "SIGNIN")
_LOOPBACK_NO_PROXY = "127.0.0.1,localhost,::1"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # what botocore's IMDS fetcher parses

_EnvChanges = Mapping[str, Optional[str]]  # None: unset the variable
_PathLike = Union[str, "os.PathLike[str]"]


def _timestamp(seconds_from_now: float) -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (now + datetime.timedelta(seconds=seconds_from_now)).strftime(_TIME_FORMAT)


def _changed(base: Mapping[str, str] | None, changes: _EnvChanges) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class RecordedRequest(NamedTuple):
    """One request a fake server received (the token itself is never kept)."""

    method: str
    path: str
    had_token: bool


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: _FakeServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._reply()

    def do_PUT(self) -> None:
        self._reply()

    def _reply(self) -> None:
        fake = cast("_HTTPServer", self.server).fake
        headers = {name.lower(): value for name, value in self.headers.items()}
        status, body = fake._serve(self.command, self.path, headers)
        data = body.encode()
        try:
            self.send_response(status)
            self.send_header(
                "Content-Type", "application/json" if body[:1] == "{" else "text/plain"
            )
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timeout), nothing to tell it
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean; use the server's ``requests`` log instead."""


class _FakeServer:
    """An HTTP server on 127.0.0.1 and an ephemeral port, run in a daemon thread."""

    def __init__(self, *, status: int | None, delay: float) -> None:
        self.status = status
        self.delay = delay
        self.requests: list[RecordedRequest] = []
        self._server: _HTTPServer | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        """The port the server listens on (or last listened on, once stopped)."""
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not started; call start() first")
        return self._port

    @property
    def endpoint(self) -> str:
        """The server's base URL, ``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Self:
        """Start serving; returns ``self``. Starting a started server does nothing."""
        if self._server is None:
            self._stopping.clear()
            self._server = _HTTPServer(self)
            self._port = int(self._server.server_address[1])
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"credchain-{type(self).__name__}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; slow responses in flight are cut short."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _serve(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, str]:
        """Record, delay, then answer; ``headers`` has lower-cased names."""
        with self._lock:
            self.requests.append(RecordedRequest(method, path, self._had_token(headers)))
        if self.delay:
            self._stopping.wait(self.delay)
        if self.status is not None:
            return self.status, f"status {self.status} forced by the test"
        return self._respond(method, path, headers)

    def _had_token(self, headers: Mapping[str, str]) -> bool:
        raise NotImplementedError

    def _respond(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, str]:
        raise NotImplementedError


class FakeIMDS(_FakeServer):
    """A loopback EC2 instance metadata service that hands out role credentials.

    It answers botocore's ``InstanceMetadataFetcher``: ``PUT /latest/api/token``
    (IMDSv2 token), ``GET /latest/meta-data/iam/security-credentials/`` (role
    name) and ``GET .../security-credentials/<role>`` (credentials, expiring in
    six hours unless ``credentials`` says otherwise)::

        with FakeIMDS(role_name="Deployer") as imds:
            env = imds.env()  # os.environ pointed at it; or Sandbox.use_imds(imds)

    Args:
        role_name: The instance profile role name.
        credentials: ``AccessKeyId``, ``SecretAccessKey``, ``Token`` and optionally
            ``Expiration``, ``LastUpdated``, ``Code``, ``Type``, overriding the fake ones.
        v1_enabled: False answers GETs without a token with 401 (IMDSv2 only).
        no_role: No instance profile: the role listing answers 404.
        status: Answer every request with this HTTP status (e.g. 500).
        delay: Seconds to wait before answering each request.
        token_status: Answer the token PUT with this status (403, 404 or 405 make
            botocore fall back to IMDSv1; 400 makes it give up).

    ``requests`` records each request as a :class:`RecordedRequest`.
    """

    TOKEN_PATH = "/latest/api/token"
    ROLE_PATH = "/latest/meta-data/iam/security-credentials/"
    TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds"
    TOKEN_HEADER = "x-aws-ec2-metadata-token"
    DEFAULT_CREDENTIALS: ClassVar[Mapping[str, str]] = {
        "AccessKeyId": "ASIAFAKEIMDS0EXAMPLE",
        "SecretAccessKey": "FAKE-IMDS-SECRET-KEY-NEVER-PRINTED",
        "Token": "FAKE-IMDS-SESSION-TOKEN-NEVER-PRINTED",
    }

    def __init__(
        self,
        role_name: str = "credchain-test-role",
        *,
        credentials: Mapping[str, str] | None = None,
        v1_enabled: bool = True,
        no_role: bool = False,
        status: int | None = None,
        delay: float = 0.0,
        token_status: int | None = None,
    ) -> None:
        super().__init__(status=status, delay=delay)
        self.role_name = role_name
        self.credentials = {**self.DEFAULT_CREDENTIALS, **(credentials or {})}
        self.v1_enabled = v1_enabled
        self.no_role = no_role
        self.token_status = token_status
        self._token = "FAKE-IMDS-TOKEN-" + secrets.token_hex(16)

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Return a copy of ``base`` (default ``os.environ``) that points botocore here.

        Sets ``AWS_EC2_METADATA_SERVICE_ENDPOINT`` and removes
        ``AWS_EC2_METADATA_DISABLED``; usable as ``credchain.explain(env=...)``,
        ``subprocess.run(env=...)`` or ``mock.patch.dict(os.environ, ..., clear=True)``.
        """
        return _changed(base, self._env_changes())

    def _env_changes(self) -> dict[str, str | None]:
        return {
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": self.endpoint,
            "AWS_EC2_METADATA_DISABLED": None,
        }

    def _had_token(self, headers: Mapping[str, str]) -> bool:
        return headers.get(self.TOKEN_HEADER) is not None

    def _respond(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, str]:
        path = urlsplit(path).path
        if method == "PUT":
            if path != self.TOKEN_PATH:
                return 404, "not found"
            if self.token_status is not None:
                return self.token_status, f"token status {self.token_status} forced by the test"
            if not headers.get(self.TOKEN_TTL_HEADER):
                return 400, "missing x-aws-ec2-metadata-token-ttl-seconds"
            return 200, self._token
        token = headers.get(self.TOKEN_HEADER)
        if (token is None and not self.v1_enabled) or (token is not None and token != self._token):
            return 401, "unauthorized"
        if self.no_role or not path.startswith(self.ROLE_PATH):
            return 404, "not found"
        if path == self.ROLE_PATH:
            return 200, self.role_name
        if path == self.ROLE_PATH + self.role_name:
            document = {
                "Code": "Success",
                "LastUpdated": _timestamp(-60),
                "Type": "AWS-HMAC",
                "Expiration": _timestamp(6 * 3600),
                **self.credentials,
            }
            return 200, json.dumps(document)
        return 404, "not found"


class FakeContainerCredentials(_FakeServer):
    """A loopback ECS/EKS container credentials endpoint.

    It serves ``{AccessKeyId, SecretAccessKey, Token, Expiration[, RoleArn][, AccountId]}``
    at ``path`` to botocore's ``ContainerProvider`` through
    ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (botocore accepts plain http only on
    loopback and link-local hosts, so ``127.0.0.1`` qualifies).

    Args:
        path: Where the credentials are served (other paths answer 404).
        auth_token: Required ``Authorization`` header value; requests without it get 401.
        credentials: Overrides of the fake ``AccessKeyId``, ``SecretAccessKey``,
            ``Token`` and ``Expiration``.
        role_arn: Adds ``RoleArn`` to the document (as ECS does).
        account_id: Adds ``AccountId`` to the document (as EKS Pod Identity does).
        status: Answer every request with this HTTP status.
        delay: Seconds to wait before answering each request.
        bad_json: Answer 200 with a body that is not JSON.
        missing_field: Leave this key out of the document (e.g. ``"Token"``).

    ``requests`` records each request; ``had_token`` means an Authorization
    header was sent.
    """

    DEFAULT_CREDENTIALS: ClassVar[Mapping[str, str]] = {
        "AccessKeyId": "ASIAFAKECONT0EXAMPLE",
        "SecretAccessKey": "FAKE-CONTAINER-SECRET-KEY-NEVER-PRINTED",
        "Token": "FAKE-CONTAINER-SESSION-TOKEN-NEVER-PRINTED",
    }

    def __init__(
        self,
        *,
        path: str = "/credchain/v2/credentials",
        auth_token: str | None = None,
        credentials: Mapping[str, str] | None = None,
        role_arn: str | None = None,
        account_id: str | None = None,
        status: int | None = None,
        delay: float = 0.0,
        bad_json: bool = False,
        missing_field: str | None = None,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        super().__init__(status=status, delay=delay)
        self.path = path
        self.auth_token = auth_token
        self.credentials = {**self.DEFAULT_CREDENTIALS, **(credentials or {})}
        self.role_arn = role_arn
        self.account_id = account_id
        self.bad_json = bad_json
        self.missing_field = missing_field

    @property
    def url(self) -> str:
        """The full credentials URL, ``http://127.0.0.1:PORT/<path>``."""
        return f"http://127.0.0.1:{self.port}{self.path}"

    def env(
        self, base: Mapping[str, str] | None = None, *, token_file: _PathLike | None = None
    ) -> dict[str, str]:
        """Return a copy of ``base`` (default ``os.environ``) that points botocore here.

        Sets ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` and, when the server has an
        ``auth_token``, ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` -- or, given
        ``token_file``, writes the token there and sets
        ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``. Removes the other container
        variables (a relative URI would win over the full one in botocore).
        """
        return _changed(base, self._env_changes(token_file))

    def _env_changes(self, token_file: _PathLike | None = None) -> dict[str, str | None]:
        changes: dict[str, str | None] = {
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": None,
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": self.url,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": self.auth_token,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": None,
        }
        if token_file is not None:
            if self.auth_token is None:
                raise ValueError("token_file needs a FakeContainerCredentials(auth_token=...)")
            Path(token_file).write_text(self.auth_token)  # botocore rejects a trailing newline
            changes["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = None
            changes["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = os.fspath(token_file)
        return changes

    def _had_token(self, headers: Mapping[str, str]) -> bool:
        return "authorization" in headers

    def _respond(self, method: str, path: str, headers: Mapping[str, str]) -> tuple[int, str]:
        if method != "GET" or path != self.path:
            return 404, '{"message": "not found"}'
        if self.auth_token is not None and headers.get("authorization") != self.auth_token:
            return 401, '{"message": "unauthorized"}'
        if self.bad_json:
            return 200, "{this is not json"
        document = {"Expiration": _timestamp(6 * 3600), **self.credentials}
        if self.role_arn is not None:
            document["RoleArn"] = self.role_arn
        if self.account_id is not None:
            document["AccountId"] = self.account_id
        if self.missing_field is not None:
            document.pop(self.missing_field, None)
        return 200, json.dumps(document)


class Sandbox:
    """An isolated AWS environment rooted in a directory.

    ``env`` starts as ``base_env`` (default ``os.environ``) with every ``AWS_*``
    and ``BOTO_*`` variable removed, then:

    - ``HOME`` is ``<root>/home`` and ``AWS_CONFIG_FILE``,
      ``AWS_SHARED_CREDENTIALS_FILE`` and ``BOTO_CONFIG`` point into it (the
      files are created by the ``write_*`` helpers, not up front);
    - ``AWS_EC2_METADATA_DISABLED=true`` until :meth:`use_imds` wires a fake;
    - ``AWS_ENDPOINT_URL_STS`` / ``_SSO`` / ``_SSO_OIDC`` / ``_SIGNIN`` are
      :data:`BLOCKED_ENDPOINT`, so an ``sts:AssumeRole`` or SSO call made while
      resolving credentials fails locally instead of reaching AWS (give STS a
      local server, e.g. moto's ``ThreadedMotoServer``, with :meth:`use_sts`);
    - ``AWS_DEFAULT_REGION=us-east-1`` and loopback is added to ``NO_PROXY``.

    Pass ``env`` to ``credchain.explain(env=sandbox.env)``, or :meth:`apply` it
    to ``os.environ`` (``with Sandbox() as sandbox:`` applies, restores and, if
    the sandbox made its own temporary root, deletes it). Applying a sandbox and
    :func:`patched_environ` are the only code of credchain that assigns to
    ``os.environ``: both are for tests, never called by the library itself.

    Args:
        root: Directory to build in; default a new temporary directory.
        base_env: Environment to start from; default ``os.environ``.
        region: ``AWS_DEFAULT_REGION`` of the sandbox.
    """

    _applied: ClassVar[list[Sandbox]] = []

    def __init__(
        self,
        root: _PathLike | None = None,
        *,
        base_env: Mapping[str, str] | None = None,
        region: str = "us-east-1",
    ) -> None:
        self._owns_root = root is None
        self.root = Path(tempfile.mkdtemp(prefix="credchain-sandbox-") if root is None else root)
        self.home = self.root / "home"
        self.aws_dir = self.home / ".aws"
        self.config_file = self.aws_dir / "config"
        self.credentials_file = self.aws_dir / "credentials"
        self.sso_cache_dir = self.aws_dir / "sso" / "cache"
        self.aws_dir.mkdir(parents=True, exist_ok=True)
        self.sts_endpoint: str | None = None
        self._saved_environ: dict[str, str] | None = None

        base = os.environ if base_env is None else base_env
        no_proxy = ",".join(
            filter(None, [base.get("NO_PROXY") or base.get("no_proxy"), _LOOPBACK_NO_PROXY])
        )
        self.env: dict[str, str] = {
            name: value
            for name, value in base.items()
            if not name.upper().startswith(("AWS_", "BOTO_"))
        }
        self.env.update(
            {
                "HOME": str(self.home),
                "AWS_CONFIG_FILE": str(self.config_file),
                "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials_file),
                "BOTO_CONFIG": str(self.root / "boto.cfg"),  # hides /etc/boto.cfg
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_DEFAULT_REGION": region,
                "NO_PROXY": no_proxy,
                "no_proxy": no_proxy,
            }
        )
        if os.name == "nt":  # os.path.expanduser reads USERPROFILE there
            self.env["USERPROFILE"] = str(self.home)
        self.env.update({f"AWS_ENDPOINT_URL_{s}": BLOCKED_ENDPOINT for s in _BLOCKED_SERVICES})

    # -- files ---------------------------------------------------------------

    def write_config(self, profile: str = "default", /, **keys: str | int) -> Path:
        """Set ``keys`` in ``[default]`` or ``[profile NAME]`` of the config file."""
        section = profile if profile == "default" else f"profile {profile}"
        return self._write_ini(self.config_file, section, keys)

    def sso_session(self, name: str, /, **keys: str | int) -> Path:
        """Set ``keys`` (``sso_start_url``, ``sso_region``, ...) in ``[sso-session NAME]``."""
        return self._write_ini(self.config_file, f"sso-session {name}", keys)

    def write_credentials(self, profile: str = "default", /, **keys: str | int) -> Path:
        """Set ``keys`` in ``[NAME]`` of the shared credentials file."""
        return self._write_ini(self.credentials_file, profile, keys)

    def add_sso_token(
        self,
        start_url_or_session_name: str,
        *,
        expires_in: float = 8 * 3600,
        expired: bool = False,
        region: str = "us-east-1",
    ) -> Path:
        """Write a cached SSO access token where botocore's ``SSOTokenLoader`` finds it.

        The file is ``~/.aws/sso/cache/<sha1(name)>.json``; pass the
        ``sso-session`` name for ``sso_session`` profiles, the start URL for
        legacy ``sso_start_url`` ones. ``expired=True`` dates it an hour ago.
        """
        key = hashlib.sha1(start_url_or_session_name.encode()).hexdigest()  # noqa: S324 - botocore's cache key
        token = {
            "startUrl": start_url_or_session_name,
            "region": region,
            "accessToken": "FAKE-SSO-ACCESS-TOKEN-NEVER-PRINTED",
            "expiresAt": _timestamp(-3600 if expired else expires_in),
        }
        self.sso_cache_dir.mkdir(parents=True, exist_ok=True)
        path = self.sso_cache_dir / f"{key}.json"
        path.write_text(json.dumps(token))
        return path

    def add_credential_process(
        self,
        profile: str = "default",
        output: Mapping[str, Any] | str | None = None,
        *,
        exit_code: int = 0,
        stderr: str = "",
    ) -> Path:
        """Write an executable Python script and set it as ``credential_process`` of ``profile``.

        The script prints ``output`` (a dict is JSON-encoded; default: valid
        ``Version: 1`` credentials expiring in an hour), writes ``stderr`` and
        exits with ``exit_code``. Returns the script's path.
        """
        if output is None:
            output = {
                "Version": 1,
                "AccessKeyId": "ASIAFAKEPROC0EXAMPLE",
                "SecretAccessKey": "FAKE-PROCESS-SECRET-KEY-NEVER-PRINTED",
                "SessionToken": "FAKE-PROCESS-SESSION-TOKEN-NEVER-PRINTED",
                "Expiration": _timestamp(3600),
            }
        stdout = output if isinstance(output, str) else json.dumps(output)
        bin_dir = self.root / "bin"
        bin_dir.mkdir(exist_ok=True)
        script = bin_dir / f"credential-process-{hashlib.sha1(profile.encode()).hexdigest()[:8]}.py"  # noqa: S324
        script.write_text(
            f"#!{sys.executable}\nimport sys\n"
            f"sys.stdout.write({stdout!r})\nsys.stderr.write({stderr!r})\nsys.exit({int(exit_code)})\n"
        )
        script.chmod(0o755)
        argv = [sys.executable, str(script)]
        command = subprocess.list2cmdline(argv) if os.name == "nt" else shlex.join(argv)
        self.write_config(profile, credential_process=command)
        return script

    def _write_ini(self, path: Path, section: str, keys: Mapping[str, str | int]) -> Path:
        parser = configparser.RawConfigParser(default_section="credchain:no-defaults")
        parser.optionxform = str  # type: ignore[assignment, method-assign]  # keep key case
        parser.read(path)
        if not parser.has_section(section):
            parser.add_section(section)
        for key, value in keys.items():
            parser.set(section, key, str(value))
        with path.open("w") as f:
            parser.write(f)
        return path

    # -- environment ---------------------------------------------------------

    def set_env(self, **variables: str) -> None:
        """Set variables in ``env`` (and in ``os.environ`` while applied)."""
        self._update(variables)

    def unset_env(self, *names: str) -> None:
        """Remove variables from ``env`` (and from ``os.environ`` while applied)."""
        self._update(dict.fromkeys(names))

    def use_imds(self, fake: FakeIMDS) -> None:
        """Point the instance metadata provider at a started :class:`FakeIMDS`."""
        self._update(fake._env_changes())

    def use_container(self, fake: FakeContainerCredentials, *, token_file: bool = False) -> None:
        """Point the container provider at a started :class:`FakeContainerCredentials`.

        ``token_file=True`` passes its auth token through a file in the sandbox
        (``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``) instead of the variable.
        """
        path = self.root / "container-authorization-token" if token_file else None
        self._update(fake._env_changes(path))

    def use_sts(self, url: str) -> None:
        """Send STS calls to a local server (e.g. moto's ``ThreadedMotoServer``).

        Only loopback URLs are accepted: a sandbox never reaches AWS. With a
        local STS, the pytest plugin's ``aws_role`` marker verifies identities
        with ``sts:GetCallerIdentity`` instead of deciding offline.
        """
        if not _is_loopback(url):
            raise ValueError(
                f"use_sts() takes a loopback URL such as http://127.0.0.1:PORT/, got {url!r}"
            )
        self.sts_endpoint = url
        self._update({"AWS_ENDPOINT_URL_STS": url})

    @property
    def has_local_sts(self) -> bool:
        """Whether :meth:`use_sts` gave the sandbox an STS to verify against."""
        url = self.env.get("AWS_ENDPOINT_URL_STS")
        return url is not None and url == self.sts_endpoint

    def _update(self, changes: _EnvChanges) -> None:
        self.env = _changed(self.env, changes)
        if self.applied:
            for name, value in changes.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    # -- applying ------------------------------------------------------------

    @property
    def applied(self) -> bool:
        """Whether ``os.environ`` is currently this sandbox's environment."""
        return self._saved_environ is not None

    @classmethod
    def current(cls) -> Sandbox | None:
        """The sandbox most recently applied to ``os.environ`` and not yet restored."""
        return cls._applied[-1] if cls._applied else None

    def apply(self) -> Self:
        """Replace ``os.environ`` with ``env``; :meth:`restore` puts the original back."""
        if self.applied:
            raise RuntimeError("this Sandbox is already applied")
        self._saved_environ = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        self._applied.append(self)
        return self

    def restore(self) -> None:
        """Put back exactly the ``os.environ`` that :meth:`apply` replaced."""
        if self._saved_environ is None:
            return
        if self.current() is not self:
            raise RuntimeError("restore nested sandboxes in the reverse order of apply()")
        os.environ.clear()
        os.environ.update(self._saved_environ)
        self._saved_environ = None
        self._applied.pop()

    def close(self) -> None:
        """Restore ``os.environ`` and delete the root if the sandbox created it."""
        self.restore()
        if self._owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.apply()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_ENVIRON_LOCK = threading.RLock()


@contextlib.contextmanager
def patched_environ(env: Mapping[str, str] | None) -> Iterator[None]:
    """For tests: make ``os.environ`` exactly ``env`` for the block, under a lock.

    Every thread of the process sees the swapped environment while the block
    runs; nothing happens when ``env`` is None. credchain's own functions never
    do this (``explain(env=...)`` and ``identify(env=...)`` leave ``os.environ``
    alone); it is here for tests that run botocore itself in a given environment.
    """
    if env is None:
        yield
        return
    with _ENVIRON_LOCK:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)
