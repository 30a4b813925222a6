"""Who the credentials botocore would use belong to: ``sts:GetCallerIdentity``.

:func:`identify` makes exactly one API call, through a client created the
ordinary way from a botocore session, so everything botocore honours for that
client applies: region, ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_STS`` /
``endpoint_url`` in the profile, regional STS endpoints, proxies and the CA
bundle. The call is bounded by ``timeout`` and one retry.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from credchain._arn import ArnKind, parse_arn
from credchain.exceptions import IdentityError

if TYPE_CHECKING:
    from credchain._report import Report

__all__ = ["Identity", "identify", "patched_environ"]

#: botocore's ``retries["max_attempts"]`` counts retries: one call and one retry.
MAX_RETRIES = 1

# botocore's DEBUG records that carry secrets: the canonical request (session token),
# the prepared request (Authorization, X-Amz-Security-Token) and response bodies
# (AssumeRole, GetRoleCredentials return secret keys while credentials load).
_SECRET_LOGGERS = ("botocore.auth", "botocore.endpoint", "botocore.parsers")

_ENVIRON_LOCK = threading.RLock()

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


@attrs.frozen
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
    report: Report | None = attrs.field(default=None, eq=False, repr=False)

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


@contextlib.contextmanager
def patched_environ(env: Mapping[str, str] | None) -> Iterator[None]:
    """Make ``os.environ`` exactly ``env`` for the duration, under a process-wide lock.

    botocore reads the environment in many places (session variables, the
    ``env`` provider, ``~`` expansion, endpoint and proxy settings), so the only
    faithful way to make a real botocore session see another environment is to
    swap it. Other threads of the process see the swapped environment while the
    block runs; nothing happens when ``env`` is None.
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


class _DropThreadDebug(logging.Filter):
    """Drop DEBUG records made by one thread (the one calling STS)."""

    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG or record.thread != self.thread


@contextlib.contextmanager
def _quiet_secret_loggers() -> Iterator[None]:
    """Keep botocore's secret-bearing DEBUG records of this call out of every log.

    Filters sit on the loggers that make the records (a filter on a parent or on
    the root logger would not see them); other threads' records are untouched.
    """
    quiet = _DropThreadDebug()
    loggers = [logging.getLogger(name) for name in _SECRET_LOGGERS]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


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


def _safe_url(url: str | None) -> str | None:
    """The endpoint without user info (``https://user:pass@host`` would leak a password)."""
    if not url:
        return None
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _identity_error(
    exc: Exception, endpoint: str | None, provider: str | None, *, loading: bool
) -> IdentityError:
    """Wrap what botocore raised; ``loading``: while fetching credentials, before the call."""
    from botocore.exceptions import ClientError, NoCredentialsError

    from credchain._mask import scrub

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
    ``botocore.endpoint``, ``botocore.parsers``) are dropped for this call.

    Args:
        profile: a profile name, like ``boto3.Session(profile_name=...)``.
        session: a ``botocore.session.Session`` or ``boto3.session.Session`` to
            use instead (not together with ``profile``).
        env: the environment to use instead of ``os.environ``; it is swapped into
            ``os.environ`` for the duration of the call (see :func:`patched_environ`).
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
    from botocore.config import Config

    from credchain._aio_session import aio_session, identify_blocking

    if aio_session(session) is not None:  # aiobotocore's own STS client, in a loop of its own
        if profile is not None:
            raise ValueError("pass either profile= or session=, not both")
        return identify_blocking(aio_session(session), env=env, timeout=timeout, report=report)
    config_kwargs: dict[str, Any] = {"retries": {"max_attempts": MAX_RETRIES, "mode": "standard"}}
    if timeout is not None:
        config_kwargs.update(connect_timeout=timeout, read_timeout=timeout)
    endpoint = provider = None
    with patched_environ(env), _quiet_secret_loggers():
        bc_session = _botocore_session(profile, session)
        loading = True
        try:
            client = bc_session.create_client("sts", config=Config(**config_kwargs))
            endpoint = _safe_url(client.meta.endpoint_url)
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
