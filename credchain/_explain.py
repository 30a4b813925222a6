"""explain(): build the context, walk botocore's chain, place each finding in it."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Mapping
from typing import Any

from credchain import _botocore
from credchain._chain import build_chain, inspect_chain
from credchain._context import Context
from credchain._io.files import Refused
from credchain._mask import known_secrets, mask_key, scrub_foreign
from credchain._next_steps import next_steps
from credchain._pluggable import Chain, resolve_entries
from credchain._record import evolve
from credchain._report import ProviderResult, Report, Status
from credchain.providers import Finding


def explain(
    *,
    profile: str | None = None,
    session: object | None = None,
    env: Mapping[str, str] | None = None,
    network: bool = True,
    run_process: bool = False,
    timeout: float | None = None,
    chain: Chain | None = None,
    load_foreign: bool = False,
    clock: Callable[[], datetime.datetime] | None = None,
    _progress: Callable[[str], Callable[[], None]] | None = None,
    _context: Context | None = None,
) -> Report:
    """Say which credentials botocore would use here, why, and what they shadow.

    Mirrors ``botocore.session.Session(profile=profile).get_credentials()``
    without its side effects: no file is written, no token refreshed, no STS
    call made, no process run unless ``run_process``, no socket opened unless
    ``network``. Whatever botocore would raise is reported, never raised.

    Args:
        profile: an explicit profile, like ``boto3.Session(profile_name=...)``
            (removes the ``env`` provider from the chain, as botocore does).
        session: a ``botocore.session.Session`` or ``boto3.session.Session``
            whose profile and settings to inspect.
        env: replaces ``os.environ`` for this inspection (its HOME drives ``~``).
        network: allow probing the instance metadata and container endpoints.
        run_process: actually run ``credential_process`` commands, as botocore does.
        timeout: bound for each network probe (seconds); None: botocore's
            ``metadata_service_timeout``.
        chain: the providers to walk, instead of botocore's default chain (a
            :class:`credchain.Chain`); with ``session`` and no ``chain``, the
            session's own resolver is read, so providers an application
            inserted appear in their place.
        load_foreign: call ``load()`` on providers credchain has no inspector
            for (only with a session's resolver); the report marks them.
        clock: returns the aware "now" against which expiries are judged
            (read once per inspection); default ``datetime.now(timezone.utc)``.

    Returns:
        A :class:`Report`.

    .. versionadded:: 0.1.0
    """
    instance_vars: dict[str, Any] = {}
    explicit_key: str | None = None
    if session is not None:
        botocore_session: Any = getattr(session, "_session", session)
        instance_vars.update(botocore_session.instance_variables())
        if chain is None:
            try:
                chain = Chain.from_session(botocore_session, load_foreign=load_foreign)
            except Exception:  # botocore fails building it: the walk below says how
                chain = None
        explicit = getattr(botocore_session, "_credentials", None)
        if explicit is not None and getattr(explicit, "method", None) == "explicit":
            explicit_key = str(vars(explicit).get("access_key") or "")
    if profile is not None:
        instance_vars["profile"] = profile
    if _context is not None:  # built by the command line from these arguments, its probe started
        ctx = _context
    else:
        ctx = Context(
            os.environ if env is None else dict(env),
            instance_vars=instance_vars,
            network=network,
            run_process=run_process,
            timeout=timeout,
            is_process_env=env is None,
            clock=clock,
        )
        ctx.on_wait = _progress  # the command line's progress line; None prints nothing
    try:
        report = _walk(ctx, chain, explicit_key)
        from credchain._settings import settings_of

        arguments = frozenset({"profile"} if profile is not None else ())
        settings = settings_of(ctx, arguments)
        if ctx.is_process_env:  # endpoints() later must see this moment's environment
            ctx.env = dict(os.environ)
        report = evolve(report, settings=settings, context=ctx)
    finally:
        ctx.close()
    if session is not None:
        from credchain import _aio_session

        aio_session = _aio_session.aio_session(session)
        if aio_session is not None:  # aiobotocore's version and its chain's drift
            report = _aio_session.annotate(report, aio_session, chain)
    return report


def _profile_source(ctx: Context) -> str | None:
    if ctx.instance_vars.get("profile") is not None:
        return "explicit"
    for name in ("AWS_DEFAULT_PROFILE", "AWS_PROFILE"):  # botocore's precedence
        if name in ctx.env:
            return name
    return None


def _walk(ctx: Context, entries: Chain | None, explicit_key: str | None) -> Report:
    profile_name = ctx.var("profile") or "default"
    explicit = ctx.instance_vars.get("profile") is not None
    chain = build_chain(ctx, explicit, None if entries is None else resolve_entries(entries))
    raises = message = None
    found: list[tuple[str, Finding, Status, object]] = []
    winner_at = failed_at = undetermined_at = None
    warnings = chain.warnings
    undecided = False
    if explicit_key is not None:
        # Session(aws_access_key_id=...): botocore returns these without walking its chain.
        ctx.key_ids.add(explicit_key)
        found.append(("explicit", _explicit(explicit_key), Status.FOUND, None))
        winner_at = 0
    elif isinstance(chain.build_error, Refused):
        # botocore reads the config files before any provider: not read, nothing is known.
        warnings += (
            f"{chain.build_error.reason} botocore reads it before any provider, so "
            "credchain cannot tell what it will do.",
        )
        undecided = True
    elif chain.build_error is not None:
        raises = type(chain.build_error).__name__
        message = str(chain.build_error)
    decided = raises is not None or winner_at is not None or undecided
    for method, inspector, seen, _ in inspect_chain(ctx, chain, profile_name, decided):
        finding = _disabled(method, ctx) if seen is None else seen
        status = finding.status
        if undecided:
            status = Status.UNKNOWN  # placed in a chain credchain could not read
        elif status is Status.FOUND and decided:
            status = Status.SHADOWED
        if not decided and undetermined_at is None and _blocks(ctx, method, status):
            undetermined_at = len(found)
        if not decided and status is Status.FOUND:
            winner_at, decided = len(found), True
        elif not decided and status is Status.ERROR:
            failed_at, decided = len(found), True
            raises, message = finding.raises, finding.message
        found.append((method, finding, status, inspector))
    # Results are built once every secret of the inspection is known: a value read by a
    # later provider is hidden in an earlier provider's text too.
    with known_secrets(ctx.secrets, ctx.key_ids):
        results = [_result(method, f, status, inspector) for method, f, status, inspector in found]
        winner = None if winner_at is None else results[winner_at]
        failed = None if failed_at is None else results[failed_at]
        undetermined = None if undetermined_at is None else results[undetermined_at]
        if undetermined is not None:
            # botocore's answer is that provider's, or (if it supplies nothing) what follows.
            winner = failed = None
            raises = message = None
            warnings += (_undetermined_warning(undetermined),)
        report = Report(
            providers=tuple(results),
            winner=winner,
            raises=raises,
            error=failed,
            profile=str(profile_name),
            botocore_version=_botocore.version(),
            profile_source=_profile_source(ctx),
            message=scrub_foreign(message) if message else None,
            warnings=warnings,
            network=ctx.network,
            run_process=ctx.run_process,
            explicit_credentials=explicit_key is not None,
            undetermined=undetermined,
            checked_at=ctx.now(),
        )
        return evolve(report, next_steps=next_steps(ctx, report, chain.build_error))


def _blocks(ctx: Context, method: str, status: Status) -> bool:
    """Does an ``unknown`` here leave botocore's answer open?

    Every ``unknown`` met before the chain is decided does (a plugin provider
    without an inspector, a process that did not finish, an inspector that
    failed): botocore takes its answer from it if it has one. The instance
    metadata service with ``network=False`` is the exception: not asking it was
    the caller's choice, and the report says so where it stands.
    """
    return status is Status.UNKNOWN and not (method == "iam-role" and not ctx.network)


def _undetermined_warning(p: ProviderResult) -> str:
    what = f"{p.method} ({p.source})" if p.source else p.method
    return (
        f"credchain cannot tell what {what} supplies, and botocore asks it before any "
        f"provider credchain found credentials in: botocore's answer depends on it. {hint(p)}"
    )


def hint(p: ProviderResult) -> str:
    """What would let credchain decide an ``undetermined`` provider."""
    if p.provider_class == "BotocoreProvider":
        return (
            "Pass load_foreign=True to explain() to call its load(), or register an "
            "inspector for it."
        )
    if p.method == "custom-process":
        return "Give the process more time (timeout=, --timeout) or run it yourself."
    return "Register an inspector for it (see the plugins page)."


def _explicit(access_key: str) -> Finding:
    return Finding(
        Status.FOUND,
        "the session's own credentials",
        "the session was given credentials explicitly (aws_access_key_id=...): botocore "
        "uses them and never walks its provider chain.",
        access_key=access_key,
        fix="create the session without explicit credentials",
        usable=True,
    )


def _disabled(method: str, ctx: Context) -> Finding:
    if method == "env":
        return Finding(
            Status.DISABLED,
            "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY",
            "an explicit profile removes the environment provider from botocore's chain.",
        )
    return Finding(Status.DISABLED, None, "not in the installed botocore's chain.")


def _result(method: str, f: Finding, status: Status, inspector: object) -> ProviderResult:
    # ProviderResult scrubs every text field as it is built (see credchain._mask).
    return ProviderResult(
        method=method,
        status=status,
        source=f.source,
        reason=f.reason,
        access_key=mask_key(f.access_key),
        role_arn=f.role_arn,
        raises=f.raises if status is Status.ERROR else None,
        details=tuple(f.details),
        fix=f.fix,
        provider_class=type(inspector).__name__ if inspector is not None else None,
        expires_at=f.expires_at,
        usable=f.usable,
        usable_reason=f.usable_reason,
        role_name=f.role_name,
        account=f.account,
        partition=f.partition,
        stop=f.stop,
    )
