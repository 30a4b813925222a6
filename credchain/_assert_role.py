"""assert_role() and require_role(): demand that botocore's credentials are a given role.

Both first run :func:`credchain.explain` (network allowed, so the instance
metadata and container endpoints are asked read-only; ``credential_process``
never run by it) and then either ask STS who the winning credentials are
(``verify=True``: one ``sts:GetCallerIdentity``, through botocore, which loads
the credentials — and runs a ``credential_process`` — exactly once) or decide
from the report alone (``verify=False``). A failure is a
:class:`~credchain.RoleAssertionError` built from the report: what botocore
uses instead and from where, what it shadows, and the fix.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, Union

from credchain._arn import Match, RoleRef, match_role, parse_arn, sso_permission_set
from credchain._identity import Identity, identify
from credchain._mask import scrub
from credchain._record import record
from credchain.exceptions import IdentityError, RoleAssertionError

if TYPE_CHECKING:
    from credchain._report import ProviderResult, Report

__all__ = ["REQUIRE_ACCOUNT_VAR", "REQUIRE_ROLE_VAR", "assert_role", "check_report", "require_role"]

#: The role :func:`require_role` demands when its ``role`` argument is not given.
REQUIRE_ROLE_VAR = "CREDCHAIN_REQUIRE_ROLE"
#: The account :func:`require_role` demands when its ``account`` argument is not given.
REQUIRE_ACCOUNT_VAR = "CREDCHAIN_REQUIRE_ACCOUNT"

_ACCOUNT = re.compile(r"[0-9]{12}")
_VERIFY_HINT = "run with verify=True to ask STS"
_NO_CREDENTIALS_FIX = (
    "give this environment role credentials: an instance profile (EC2), a task role "
    "(ECS/EKS), AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, or a profile with role_arn "
    "or sso_role_name"
)
_Logger = Union[logging.Logger, "logging.LoggerAdapter[Any]"]


@record
class _Expected:
    role: str | None
    account: str | None

    def __post_init__(self) -> None:
        if self.role is not None:
            match_role(self.role, RoleRef(None))  # raises ValueError for a malformed role
        if self.account is not None and not _ACCOUNT.fullmatch(self.account):
            raise ValueError(f"account must be a 12-digit AWS account id, got {self.account!r}")

    def match(self, ref: RoleRef) -> Match:
        role = Match.YES if self.role is None else match_role(self.role, ref)
        if self.account is None or role is Match.NO:
            return role
        if ref.account is None:
            return Match.UNKNOWN
        return role if ref.account == self.account else Match.NO


def _describe(p: ProviderResult) -> str:
    """One line for a provider in a failure message: method, source, role or masked key."""
    text = p.method + (f" at {p.source}" if p.source else "")
    ref = _ref(p)
    name = ref and (ref.name or ref.sso_permission_set)
    if name and name not in text:
        text += f" (role {name})"
    elif not name and p.access_key:
        text += f" (access key {p.access_key})"
    return text


def _shadowed(expected: _Expected, report: Report) -> tuple[list[str], ProviderResult | None]:
    """Lines for the shadowed providers, and the first one that has the expected role."""
    lines, hit = [], None
    for p in report.shadowed:
        line = _describe(p)
        ref = _ref(p)
        if ref is not None and expected.match(ref) is not Match.NO:
            line += " <- the expected role"
            hit = hit or p
        lines.append(line)
    return lines, hit


def _ref(p: ProviderResult) -> RoleRef | None:
    if not p.role_arn and p.method == "sso" and p.role_name:
        # No ARN for an IAM Identity Center role offline: its permission set and account.
        permission_set = sso_permission_set(p.role_name) or p.role_name
        return RoleRef(None, p.account, p.partition, sso_permission_set=permission_set)
    if not p.role_arn:
        return None
    try:
        return RoleRef.from_config(p.role_arn, sso=p.method == "sso")
    except ValueError:
        return None


def _fix(p: ProviderResult | None, hit: ProviderResult | None) -> str | None:
    """How to stop ``p`` from winning (so that ``hit``, which has the role, is reached)."""
    if p is None:
        return None
    fix = (p.stop or p.fix) if hit is not None else p.fix
    if fix is None and p.method == "env":
        fix = f"unset {p.source or 'the AWS_* credential variables'}"
    elif fix is None:
        fix = f"remove or change the {p.method} credentials" + (
            f" in {p.source}" if p.source else ""
        )
    if hit is not None:
        fix += f", so that botocore reaches {hit.method}"
    return fix


_ROLE_FIXES = {
    "iam-role": "attach an instance profile with the expected role to this instance",
    "container-role": "give the ECS task role or EKS Pod Identity association the expected role",
    "assume-role": "set role_arn of the profile to the expected role",
    "assume-role-with-web-identity": "set AWS_ROLE_ARN (or role_arn) to the expected role",
    "sso": "set sso_role_name / sso_account_id of the profile to the expected role",
}


def _role_fix(expected: _Expected, report: Report, p: ProviderResult | None) -> str | None:
    """The fix when ``p`` supplies a role, just not the expected one."""
    _lines, hit = _shadowed(expected, report)
    if hit is not None or p is None or p.method not in _ROLE_FIXES:
        return _fix(p, hit)
    where = f" ({p.source})" if p.source and p.method in ("assume-role", "sso") else ""
    return _ROLE_FIXES[p.method] + where


def _error(
    expected: _Expected,
    report: Report,
    problem: str,
    *,
    actual: str | None = None,
    verified: bool = False,
    provider: ProviderResult | None = None,
    fix: str | None = None,
) -> RoleAssertionError:
    p = provider or report.winner or report.error
    shadowed, hit = _shadowed(expected, report)
    return RoleAssertionError(
        problem,
        expected_role=expected.role,
        expected_account=expected.account,
        actual=actual,
        verified=verified,
        provider=p.method if p else None,
        source=p.source if p else None,
        access_key=p.access_key if p else None,
        shadowed=shadowed,
        fix=fix or _fix(p, hit),
        report=report,
    )


def _fail(expected: _Expected, report: Report, problem: str, **kw: Any) -> NoReturn:
    raise _error(expected, report, problem, **kw)


def _check_chain(
    expected: _Expected, report: Report, offline: bool = True
) -> ProviderResult | None:
    """The winner, or a failure when botocore would raise, find nothing, or fail at first use.

    ``offline=False`` (STS will be asked): an undetermined report is no failure
    yet, botocore itself will show what the uninspectable provider supplies.
    """
    if report.undetermined is not None:
        if not offline:
            return None
        u = report.undetermined
        from credchain._explain import hint

        _fail(
            expected,
            report,
            f"botocore's answer depends on {u.method}, which credchain cannot inspect",
            provider=u,
            fix=f"{hint(u)} Or ask STS (verify=True)",
        )
    if report.raises is not None:
        where = f" in {report.error.method}" if report.error else ""
        message = f": {report.message}" if report.message else ""
        _fail(expected, report, f"botocore would raise {report.raises}{where}{message}")
    if report.winner is None:
        _fail(expected, report, "botocore finds no credentials at all", fix=_NO_CREDENTIALS_FIX)
    winner = report.winner
    if winner.usable is False:
        why = winner.usable_reason or "they will fail at first use"
        _fail(
            expected,
            report,
            f"the {winner.method} credentials botocore would use are not usable: {why}",
            fix=winner.fix,
        )
    return winner


def _check_validity(
    expected: _Expected, report: Report, winner: ProviderResult, min_validity: datetime.timedelta
) -> None:
    """Fail when the winner's credentials (or the token behind them) expire too soon."""
    from credchain._expiry import iso_utc, relative, span

    if winner.expires_at is None or report.checked_at is None:
        return  # long-term keys, or an expiry botocore renews unseen (a process, STS)
    left = winner.expires_at - report.checked_at
    if left >= min_validity:
        return
    what = "the SSO token behind them" if winner.method == "sso" else "they"
    _fail(
        expected,
        report,
        f"the {winner.method} credentials botocore would use must stay valid for "
        f"{span(min_validity)}, but {what} {relative(winner.expires_at, report.checked_at)} "
        f"(at {iso_utc(winner.expires_at)})",
        fix=_renew(report, winner),
    )


def _renew(report: Report, p: ProviderResult) -> str:
    """How to get fresh credentials from this provider before the check runs again."""
    if p.usable is False and p.fix:
        return p.fix
    source = p.source or ""
    if p.method == "sso" and "sso-session " in source:
        return f"run `aws sso login --sso-session {source.rpartition('sso-session ')[2]}`"
    if p.method == "sso":
        return f"run `aws sso login --profile {report.profile}`"
    if p.method == "login":
        return "run `aws login`"
    if p.method == "assume-role":
        return "renew the source credentials of the role (for SSO: `aws sso login`)"
    return f"renew the {p.method} credentials ({source or 'see credchain explain'})"


def _offline(expected: _Expected, report: Report, winner: ProviderResult) -> Identity:
    """Decide from the report alone (``verify=False``)."""
    ref = _ref(winner)
    if ref is None:
        key = winner.access_key or ""
        if key.startswith("AKIA"):
            problem = "these are long-term IAM user keys (AKIA…), not a role"
        elif key.startswith("ASIA"):
            problem = (
                "these are temporary keys (ASIA…) whose role cannot be known from "
                f"configuration; {_VERIFY_HINT}"
            )
        else:
            problem = (
                f"the role behind the {winner.method} credentials cannot be known "
                f"from configuration; {_VERIFY_HINT}"
            )
        _lines, hit = _shadowed(expected, report)
        fix = None if hit or key.startswith("AKIA") else _VERIFY_HINT
        _fail(expected, report, problem, fix=fix)
    verdict = expected.match(ref)
    shown = ref.name or f"{ref.sso_permission_set} (IAM Identity Center)"
    if verdict is Match.NO:
        account = f" in account {ref.account}" if ref.account else ""
        _fail(
            expected,
            report,
            f"botocore would use role {shown}{account}",
            fix=_role_fix(expected, report, winner),
        )
    if verdict is Match.UNKNOWN:
        _fail(
            expected,
            report,
            f"botocore would use role {shown}, and whether that matches cannot be decided "
            f"from configuration (account, session name or SSO suffix unknown); {_VERIFY_HINT}",
            fix=_VERIFY_HINT,
        )
    arn = winner.role_arn if winner.role_arn and winner.role_arn.startswith("arn:") else None
    return Identity(
        arn=arn if winner.method != "sso" else None,
        account=ref.account,
        role_name=ref.name or ref.sso_permission_set,
        provider=winner.method,
        verified=False,
        report=report,
    )


_NOT_A_ROLE = {
    "user": "these are IAM user credentials, not a role",
    "root": "these are the account's root user credentials, not a role",
    "federated-user": "these are federated-user credentials (GetFederationToken), not a role",
}


def _verified(expected: _Expected, report: Report, identity: Identity) -> Identity:
    """Check STS's answer against the expectation."""
    winner = report.winner
    if winner is not None and identity.provider and identity.provider != winner.method:
        # The report disagrees with botocore: name botocore's provider, blame no file.
        from credchain._report import ProviderResult, Status

        winner = ProviderResult(identity.provider, Status.FOUND, None, "botocore's own choice")
    arn = identity.arn or ""
    try:
        ref: RoleRef | None = RoleRef.from_arn(parse_arn(arn))
    except ValueError:
        ref = None
    if ref is None:
        problem = _NOT_A_ROLE.get(identity.kind, "these credentials are not role credentials")
        if identity.kind == "user" and (winner and (winner.access_key or "").startswith("AKIA")):
            problem = "these are long-term IAM user keys, not a role"
        _fail(expected, report, problem, actual=arn, verified=True, provider=winner)
    if expected.match(ref) is not Match.YES:
        what = f"role {ref.name}" + (f" in account {ref.account}" if expected.account else "")
        _fail(
            expected,
            report,
            f"botocore would use {what}",
            actual=arn,
            verified=True,
            provider=winner,
            fix=_role_fix(expected, report, winner),
        )
    return identity


def _sts_error(expected: _Expected, report: Report, exc: IdentityError) -> RoleAssertionError:
    if exc.kind == "unreachable":
        fix: str | None = (
            "let this host reach STS (region, AWS_ENDPOINT_URL_STS, proxy, CA bundle), "
            "or decide from configuration alone with verify=False"
        )
    elif exc.expired:
        fix = "renew the credentials (a new session token, `aws sso login`), or remove stale ones"
    elif exc.kind == "refused":
        fix = "replace the credentials: STS does not accept them (deleted, inactive or mistyped)"
    else:
        fix = _fix(report.winner, None)
    if exc.kind == "refused" and report.winner is not None and report.winner.fix:
        fix = f"{fix}; or {report.winner.fix}"
    return _error(expected, report, f"the credentials could not be verified: {exc}", fix=fix)


def check_report(
    report: Report,
    role: str | None = None,
    *,
    account: str | None = None,
    identity: Identity | None = None,
    min_validity: datetime.timedelta | None = None,
) -> Identity:
    """Judge an existing report (and, if given, STS's verified identity) against a role.

    This is :func:`assert_role` without the inspection: ``identity=None`` decides
    from the report alone, like ``verify=False``.

    Args:
        report: what :func:`credchain.explain` returned.
        role: a role name, IAM role ARN, assumed-role ARN or glob; None for any role.
        account: the 12-digit account id required, or None.
        identity: a verified :class:`Identity` from :func:`credchain.identify`.
        min_validity: fail when the credentials (or the SSO token behind them)
            expire sooner than this, as seen at the report's ``checked_at``.

    Returns:
        The identity: ``identity`` itself, or one built from the report.

    Raises:
        RoleAssertionError: the credentials are not that role, or it cannot be told.
        ValueError: ``role`` or ``account`` is malformed.

    .. versionadded:: 0.1.0
    """
    expected = _Expected(role, account)
    winner = _check_chain(expected, report, offline=identity is None)
    if min_validity is not None and winner is not None:
        _check_validity(expected, report, winner, min_validity)
    if identity is None:
        assert winner is not None
        return _offline(expected, report, winner)
    return _verified(expected, report, identity)


def assert_role(
    role: str | None = None,
    *,
    account: str | None = None,
    verify: bool = True,
    profile: str | None = None,
    session: object | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = 5.0,
    min_validity: datetime.timedelta | None = None,
    clock: Callable[[], datetime.datetime] | None = None,
    region: str | None = None,
) -> Identity:
    """Demand that the credentials botocore would use are the role ``role``.

    Runs :func:`credchain.explain` (``network=True``, ``run_process=False``,
    botocore's metadata timeout),
    then with ``verify=True`` calls ``sts:GetCallerIdentity`` once through
    botocore and passes when the caller is an assumed role matching ``role``
    and ``account``; with ``verify=False`` it decides from the report: the
    instance role name, ``role_arn``, ``AWS_ROLE_ARN`` or ``sso_role_name``.
    Static keys, and roles that cannot be known offline, fail.

    Args:
        role: a role name, a glob on the name (``"AWSReservedSSO_Admin_*"``), an
            IAM role ARN (path ignored) or an assumed-role ARN; None: any role.
        account: the 12-digit account id the role must be in.
        verify: True asks STS; False decides from configuration alone.
        profile: a profile name, like ``boto3.Session(profile_name=...)``.
        session: a ``botocore.session.Session`` or ``boto3.session.Session``.
        env: an environment to inspect instead of ``os.environ``.
        timeout: connect and read timeout of the STS call in seconds. The metadata
            probes use botocore's own ``metadata_service_timeout``, as botocore will.
        min_validity: fail when the credentials botocore would use (or the SSO
            token behind them) expire sooner than this; expiries credchain cannot
            see (long-term keys, a ``credential_process`` not run, roles botocore
            renews through STS) pass. With ``verify=True`` it uses the expiry the
            metadata or container endpoint reported.
        clock: the aware "now" to judge expiries by (default: the system clock).
        region: fail unless botocore would use this region (``settings["region"]``);
            the message names where botocore's region comes from. Checked from
            configuration before any STS call.

    Returns:
        The :class:`Identity`: verified when ``verify=True``.

    Raises:
        RoleAssertionError: the credentials are not that role, there are none,
            botocore would raise, STS refused them or could not be reached,
            they will fail at first use (an expired SSO token), they expire
            sooner than ``min_validity``, or (offline) the role cannot be known.
            The message never has a secret.
        ValueError: ``role`` or ``account`` is malformed, or ``profile`` and
            ``session`` are both given with ``verify=True``.

    .. versionadded:: 0.1.0
    """
    expected = _Expected(role, account)
    if verify and profile is not None and session is not None:
        raise ValueError("pass either profile= or session=, not both, with verify=True")
    from credchain._explain import explain

    # Probes keep botocore's own metadata timeout: a longer one could find an instance
    # role that botocore itself would give up on.
    report = explain(
        profile=profile, session=session, env=env, network=True, run_process=False, clock=clock
    )
    if region is not None:
        _check_region(expected, report, region)
    winner = _check_chain(expected, report, offline=not verify)
    if min_validity is not None and winner is not None:
        _check_validity(expected, report, winner, min_validity)
    if not verify:
        return check_report(report, role, account=account)
    try:
        identity = identify(
            profile=profile, session=session, env=env, timeout=timeout, report=report
        )
    except IdentityError as exc:
        raise _sts_error(expected, report, exc) from exc
    return check_report(report, role, account=account, identity=identity)


def _check_region(expected: _Expected, report: Report, region: str) -> None:
    """Fail unless botocore's ``region`` setting is ``region``; name where it comes from."""
    setting = report.settings.get("region")
    if setting is None or setting.value == region:
        return
    source = setting.source
    if setting.error is not None:
        problem = f"botocore's region cannot be resolved ({source}), so it is not {region}"
        fix = "fix the profile so that botocore can read it"
    elif setting.value is None:
        problem = f"botocore would use no region (none configured), not {region}"
        if setting.note and "AWS_REGION=" in setting.note:
            problem += "; AWS_REGION is set, but botocore does not read it"
        fix = f"set AWS_DEFAULT_REGION={region}, or region = {region} in the profile"
    else:
        problem = f"botocore would use region {setting.value} (from {source}), not {region}"
        if source.startswith("AWS_"):
            fix = f"set {source}={region}"
        elif source in ("session", "profile argument", "default"):
            fix = f"give the session region {region}"
        else:
            fix = f"set region = {region} in {source.split(', line')[0]}"
    raise RoleAssertionError(
        problem,
        expected_role=expected.role,
        expected_account=expected.account,
        fix=fix,
        report=report,
    )


def _log_report(log: _Logger, report: Report | None) -> None:
    if report is not None:
        for line in str(report).splitlines():  # its first line already starts "credchain: "
            log.info("credchain: %s", scrub(line.removeprefix("credchain: ")))


def require_role(
    role: str | None = None,
    *,
    account: str | None = None,
    verify: bool = True,
    logger: _Logger | None = None,
    exit: bool = False,
    profile: str | None = None,
    session: object | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = 5.0,
    min_validity: datetime.timedelta | None = None,
) -> Identity | None:
    """A one-call start-up check: log the credential chain, then :func:`assert_role`.

    ``role`` and ``account`` default to the ``CREDCHAIN_REQUIRE_ROLE`` and
    ``CREDCHAIN_REQUIRE_ACCOUNT`` environment variables (of ``env`` if given),
    so operators can demand a role without a code change. When neither is
    given nor set, it does nothing — no inspection, no network — and returns
    None. Otherwise the chain is logged at INFO (``str(report)``, no secrets),
    and a failure is logged at ERROR before it is raised.

    Args:
        role: as for :func:`assert_role`; ``"*"`` demands any role.
        account: as for :func:`assert_role`.
        verify: as for :func:`assert_role`.
        logger: where to log; default ``logging.getLogger("credchain")``.
        exit: raise ``SystemExit(1)`` instead of the error (for scripts and workers).
        profile: as for :func:`assert_role`.
        session: as for :func:`assert_role`.
        env: as for :func:`assert_role`; also where the variables are read.
        timeout: as for :func:`assert_role`.
        min_validity: as for :func:`assert_role`.

    Returns:
        The :class:`Identity`, or None when no role is required.

    Raises:
        RoleAssertionError: the check failed (``exit=False``).
        ValueError: the role or account (argument or variable) is malformed
            (``exit=False``).
        SystemExit: the check failed or was malformed, with ``exit=True``.

    .. versionadded:: 0.1.0
    """
    log = logger or logging.getLogger("credchain")
    environ = os.environ if env is None else env
    role = role or environ.get(REQUIRE_ROLE_VAR) or None
    account = account or environ.get(REQUIRE_ACCOUNT_VAR) or None
    if role is None and account is None:
        log.debug("credchain: no role required (%s is not set)", REQUIRE_ROLE_VAR)
        return None
    try:
        identity = assert_role(
            role,
            account=account,
            verify=verify,
            profile=profile,
            session=session,
            env=env,
            timeout=timeout,
            min_validity=min_validity,
        )
    except (RoleAssertionError, ValueError) as err:
        _log_report(log, getattr(err, "report", None))
        log.error("credchain: %s", scrub(str(err)))
        if exit:
            raise SystemExit(1) from None
        raise
    _log_report(log, identity.report)
    log.info("credchain: running as %s", scrub(str(identity)))
    return identity
