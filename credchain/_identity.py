"""Who the credentials botocore would use belong to: ``sts:GetCallerIdentity``.

:func:`identify` makes exactly one API call, through a client created the
ordinary way from a botocore session, so everything botocore honours for that
client applies: region, ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_STS`` /
``endpoint_url`` in the profile, regional STS endpoints, proxies and the CA
bundle. The call is bounded by ``timeout`` and one retry.

With ``env=``, botocore must see that environment everywhere it reads one
(session variables, ``~`` in file paths, SSO and login caches, the environment
a ``credential_process`` inherits, proxies): the session and the call are made
in a child interpreter started with exactly ``env``, and ``os.environ`` of this
process is never touched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from credchain._arn import ArnKind, parse_arn
from credchain._mask import known_secrets, safe_url, scrub, sensitive_name
from credchain._record import field, record
from credchain.exceptions import IdentityError

if TYPE_CHECKING:
    from credchain._report import Report

__all__ = ["Identity", "identify"]

#: botocore's ``retries["max_attempts"]`` counts retries: one call and one retry.
MAX_RETRIES = 1

# botocore's DEBUG records that carry secrets: the canonical request (session token),
# the prepared request (Authorization, X-Amz-Security-Token) and response bodies
# (AssumeRole, GetRoleCredentials return secret keys while credentials load).
_SECRET_LOGGERS = ("botocore.auth", "botocore.endpoint", "botocore.parsers")

_KEY_VAR = "AWS_ACCESS_KEY_ID"

_UNREACHABLE = frozenset(
    {
        "EndpointConnectionError",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "ConnectionClosedError",
        "ProxyConnectionError",
        "SSLError",
        "HTTPClientError",
    }
)


@record
class Identity:
    """Who botocore's credentials belong to.

    Attributes:
        arn: the caller ARN from STS when ``verified``; offline, the configured
            role ARN when it is a full ARN, else None.
        account: the 12-digit account id, None when not known offline.
        role_name: the role name for role credentials, None for users, root and
            federated users. Offline, for IAM Identity Center it is the
            ``sso_role_name`` (permission set), since STS's suffix is unknown.
        session_name: the role session name (assumed roles only, verified only).
        provider: the winning botocore METHOD (``"iam-role"``, ``"env"``, …).
        verified: True when it comes from ``sts:GetCallerIdentity``.
        user_id: STS's ``UserId`` (``AROA…:session`` for roles), when verified.
        report: the :func:`credchain.explain` report it was decided with, if any.

    .. versionadded:: 0.1.0
    """

    arn: str | None
    account: str | None
    role_name: str | None
    provider: str | None
    verified: bool
    session_name: str | None = None
    user_id: str | None = None
    report: Report | None = field(default=None, eq=False, repr=False)

    @property
    def kind(self) -> str:
        """The ARN's kind: ``"assumed-role"``, ``"user"``, ``"root"``, ``"federated-user"``…

        ``"role"`` for an offline identity known by role name, else ``"unknown"``.
        """
        if self.arn:
            try:
                return parse_arn(self.arn).kind.value
            except ValueError:
                return "unknown"
        return ArnKind.ROLE.value if self.role_name else "unknown"

    @property
    def is_role(self) -> bool:
        """True for role credentials."""
        return self.role_name is not None

    def __str__(self) -> str:
        who = self.arn or (f"role {self.role_name}" if self.role_name else "unknown identity")
        facts = [f"account {self.account or 'unknown'}"]
        if self.provider:
            facts.append(f"via {self.provider}")
        facts.append("verified by STS" if self.verified else "not verified")
        return f"{who} ({', '.join(facts)})"


class _ThisThreadsRecords(logging.Filter):
    """For records made by one thread (the one calling STS): drop DEBUG records of the
    secret-bearing loggers, scrub every other (message and traceback alike)."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread != self.thread:
            return True
        if record.levelno <= logging.DEBUG and record.name in _SECRET_LOGGERS:
            return False
        if record.exc_info:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        record.msg, record.args = scrub(record.getMessage()), None
        return True


@contextlib.contextmanager
def _scrubbed_botocore_logs() -> Iterator[None]:
    """Keep secrets out of the records botocore and urllib3 make during this call.

    Filters sit on the loggers that make the records (a filter on a parent or on
    the root logger would not see them) and are removed afterwards; other
    threads' records are untouched.
    """
    import botocore.session  # noqa: F401  (its modules' loggers exist from here on)

    here = _ThisThreadsRecords()
    names = [
        name
        for name in list(logging.root.manager.loggerDict)
        if name.split(".")[0] in ("botocore", "urllib3")
    ]
    loggers = [logging.getLogger(name) for name in {*names, *_SECRET_LOGGERS}]
    for logger in loggers:
        logger.addFilter(here)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(here)


def _botocore_session(profile: str | None, session: object | None) -> Any:
    import botocore.session

    if session is None:
        return botocore.session.Session(profile=profile)
    if profile is not None:
        raise ValueError("pass either profile= or session=, not both")
    inner = getattr(session, "_session", None)  # a boto3.session.Session wraps one
    if isinstance(inner, botocore.session.Session):
        return inner
    if isinstance(session, botocore.session.Session):
        return session
    raise TypeError(f"session must be a botocore or boto3 Session, not {type(session).__name__}")


def _identity_error(
    exc: Exception, endpoint: str | None, provider: str | None, *, loading: bool
) -> IdentityError:
    """Wrap what botocore raised; ``loading``: while fetching credentials, before the call."""
    from botocore.exceptions import ClientError, NoCredentialsError

    name = type(exc).__name__
    if isinstance(exc, ClientError) and loading:  # AssumeRole, GetRoleCredentials…
        error = exc.response.get("Error", {})
        code, detail, kind = (
            str(error.get("Code") or name),
            str(error.get("Message") or ""),
            "credentials",
        )
    elif isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, detail, kind = (
            str(error.get("Code") or name),
            str(error.get("Message") or ""),
            "refused",
        )
    elif isinstance(exc, NoCredentialsError):
        code, detail, kind = name, "", "no-credentials"
    elif name in _UNREACHABLE or any(c.__name__ in _UNREACHABLE for c in type(exc).__mro__):
        code, detail, kind = name, "", "unreachable"
    else:
        code, detail, kind = name, str(exc), "credentials"
    return IdentityError(code, scrub(detail), kind=kind, endpoint=endpoint, provider=provider)


def identify(
    *,
    profile: str | None = None,
    session: object | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = 5.0,
    report: Report | None = None,
) -> Identity:
    """Ask STS who the credentials botocore would use belong to.

    Makes one ``sts:GetCallerIdentity`` call (retried once on a transient
    error) with the credentials of ``botocore.session.Session(profile=profile)``
    or of ``session``, and nothing else: no ``explain()``, no file written.
    Loading the credentials is botocore's own, so a ``credential_process`` runs
    and instance metadata is queried exactly as your application would.
    botocore's DEBUG records that would show secrets (``botocore.auth``,
    ``botocore.endpoint``, ``botocore.parsers``) are dropped for this call, and
    the other records botocore and urllib3 make meanwhile are scrubbed.

    Args:
        profile: a profile name, like ``boto3.Session(profile_name=...)``.
        session: a ``botocore.session.Session`` or ``boto3.session.Session`` to
            use instead (not together with ``profile``).
        env: the environment to use instead of ``os.environ``: botocore runs in a
            child interpreter started with exactly this environment (``os.environ``
            is never changed); a passed ``session`` carries its set variables and
            explicit credentials over, not providers inserted into its resolver.
        timeout: connect and read timeout of the STS call in seconds (None:
            botocore's defaults).
        report: an :func:`credchain.explain` report to attach to the result.

    Returns:
        A verified :class:`Identity`.

    Raises:
        IdentityError: botocore could not load credentials, or STS refused them
            or could not be reached; the message holds no secret.
        ValueError: both ``profile`` and ``session`` were given.
        TypeError: ``session`` is not a botocore or boto3 session.

    .. versionadded:: 0.1.0
    """
    if env is not None:
        return _identify_in_child(profile, session, env, timeout, report)
    return _identify_here(profile, session, timeout, report)


def _identify_here(
    profile: str | None,
    session: object | None,
    timeout: float | None,
    report: Report | None,
    state: Mapping[str, Any] | None = None,
) -> Identity:
    """``identify()`` in this process, with the process environment."""
    from botocore.config import Config

    from credchain._aio_session import aio_session, identify_blocking

    if aio_session(session) is not None:  # aiobotocore's own STS client, in a loop of its own
        if profile is not None:
            raise ValueError("pass either profile= or session=, not both")
        return identify_blocking(aio_session(session), env=None, timeout=timeout, report=report)
    config_kwargs: dict[str, Any] = {"retries": {"max_attempts": MAX_RETRIES, "mode": "standard"}}
    if timeout is not None:
        config_kwargs.update(connect_timeout=timeout, read_timeout=timeout)
    endpoint = provider = None
    known = known_secrets(_secret_values(os.environ), [os.environ.get(_KEY_VAR)])
    with _scrubbed_botocore_logs(), known:
        bc_session = _botocore_session(profile, session)
        if state is not None:
            _restore_session(bc_session, state)
        loading = True
        client = None
        try:
            client = bc_session.create_client("sts", config=Config(**config_kwargs))
            endpoint = safe_url(client.meta.endpoint_url)
            credentials = bc_session.get_credentials()
            if credentials is not None:
                provider = getattr(credentials, "method", None)
                # Deferred credentials (assume-role, sso) are fetched here, not while signing,
                # so their failures are told apart from STS refusing the call.
                credentials.get_frozen_credentials()
            loading = False
            response = client.get_caller_identity()
        except Exception as exc:
            raise _identity_error(exc, endpoint, provider, loading=loading) from None
        finally:
            if client is not None:
                client.close()  # its connection pool: no socket outlives the call
    return identity_from(response, provider, report)


def identity_from(response: Mapping[str, Any], provider: str | None, report: Any) -> Identity:
    """The :class:`Identity` of a ``GetCallerIdentity`` response (verified by STS)."""
    arn = str(response["Arn"])
    try:
        parsed = parse_arn(arn)
        role_name, session_name = parsed.role_name, parsed.session_name
    except ValueError:
        role_name = session_name = None
    return Identity(
        arn=arn,
        account=str(response.get("Account") or "") or None,
        role_name=role_name,
        session_name=session_name,
        provider=provider,
        verified=True,
        user_id=response.get("UserId"),
        report=report,
    )


# -- env=: a child interpreter ---------------------------------------------------------------

#: Time the child interpreter gets on top of the STS call's own bound (start-up,
#: importing botocore, loading credentials: a credential_process, instance metadata).
CHILD_GRACE = 60.0

_CHILD = """\
import json, sys
request = json.loads(sys.stdin.read())
sys.path[:] = request["path"]
from credchain._identity import _child_main
sys.stdout.write(json.dumps(_child_main(request)) + "\\n")
"""


def _secret_values(env: Mapping[str, str]) -> list[str]:
    """The values of secret-looking variables (AWS_SECRET_ACCESS_KEY, tokens, passwords)."""
    return [value for name, value in env.items() if sensitive_name(name)]


def _session_state(session: object | None) -> dict[str, Any]:
    """What of a passed session a child interpreter can rebuild: its set variables
    (profile, region, file paths…) and credentials given explicitly."""
    if session is None:
        return {}
    bc_session = _botocore_session(None, session)
    variables = {
        name: value
        for name, value in bc_session.instance_variables().items()
        if isinstance(value, (str, int, float, bool))
    }
    state: dict[str, Any] = {"variables": variables}
    explicit = getattr(bc_session, "_credentials", None)
    if explicit is not None and getattr(explicit, "method", None) == "explicit":
        # The attributes, not get_frozen_credentials(): aiobotocore's is a coroutine.
        state["credentials"] = [explicit.access_key, explicit.secret_key, explicit.token]
    return state


def _restore_session(bc_session: Any, state: Mapping[str, Any]) -> None:
    for name, value in state.get("variables", {}).items():
        bc_session.set_config_variable(name, value)
    if state.get("credentials"):
        bc_session.set_credentials(*state["credentials"])


def _child_main(request: Mapping[str, Any]) -> dict[str, Any]:
    """The child interpreter's side of :func:`_identify_in_child`: a JSON-ready answer."""
    state = request.get("session") or None
    profile = request.get("profile")
    if state is not None and state.get("variables", {}).get("profile") is not None:
        profile = None  # set_config_variable("profile") below, as the session had it
    try:
        who = _identify_here(profile, None, request.get("timeout"), None, state)
    except IdentityError as e:
        return {"error": dict(e.__reduce__()[1][1])}
    fields = ("arn", "account", "role_name", "session_name", "provider", "verified", "user_id")
    return {"identity": {name: getattr(who, name) for name in fields}}


def _identify_in_child(
    profile: str | None,
    session: object | None,
    env: Mapping[str, str],
    timeout: float | None,
    report: Report | None,
) -> Identity:
    """``identify()`` in a child interpreter whose environment is exactly ``env``."""
    import json
    import subprocess
    import sys

    if session is not None and profile is not None:
        raise ValueError("pass either profile= or session=, not both")
    request = {
        "path": sys.path,
        "profile": profile,
        "timeout": timeout,
        "session": _session_state(session),
    }
    limit = None if timeout is None else CHILD_GRACE + 4 * timeout
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD],
            input=json.dumps(request),
            env={str(k): str(v) for k, v in env.items()},
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise IdentityError(
            "TimeoutError", f"no answer within {limit:g} s", kind="unreachable"
        ) from None
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        # Its stderr may hold anything (a traceback with a credential_process's output):
        # only the exception's class name is shown.
        last = (done.stderr.strip().splitlines() or [""])[-1]
        name = last.split(":", 1)[0] if last[:1].isalpha() else ""
        detail = f"the child interpreter exited with status {done.returncode}"
        raise IdentityError(
            name if name.isidentifier() else "ChildProcessError", detail, kind="credentials"
        ) from None
    if "error" in answer:
        with known_secrets(_secret_values(env), [env.get(_KEY_VAR)]):
            raise IdentityError(**answer["error"])
    return Identity(**answer["identity"], report=report)
