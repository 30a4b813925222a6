"""Awaitable checks for asyncio: ``explain``, ``identify``, ``assert_role``, ``require_role``.

Same signatures, results and errors as the synchronous API; the event loop is
never blocked:

- inspection (files, the metadata and container probes) runs the synchronous
  :func:`credchain.explain` on a worker thread of its own, named
  ``credchain-aio-explain``, not on the loop's default executor (a slow probe
  then never holds one of the application's executor slots);
- ``identify`` (and ``assert_role``'s verification) with an aiobotocore
  ``AioSession`` or aioboto3 ``Session`` awaits aiobotocore's own STS client on
  the caller's loop; without one, the synchronous botocore call runs on a worker
  thread (``credchain-aio-identify``). With ``env=`` the environment is swapped
  for the call, which cannot be scoped to one coroutine: the call then runs in
  its own loop on a worker thread.

Cancelling the awaiting task cancels the await at once. A thread cannot be
interrupted: a worker that is inside a probe finishes it — every probe is
bounded by ``timeout`` (or botocore's metadata timeout and attempts), the STS
call by ``timeout`` and one retry — and then ends, its result dropped. No
process is started (``run_process`` defaults to False), and native aiobotocore
calls close their client and connections when cancelled.

Only asyncio event loops are supported (anyio's asyncio backend included).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime
import importlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from credchain._identity import Identity
    from credchain._pluggable import Chain
    from credchain._report import Report

__all__ = ["assert_role", "explain", "identify", "require_role"]

_T = TypeVar("_T")

#: Prefix of the names of the worker threads this module starts.
THREAD_PREFIX = "credchain-aio-"


async def _off_loop(what: str, fn: Callable[..., _T], /, **kwargs: Any) -> _T:
    """``fn(**kwargs)`` on a worker thread of its own; the loop awaits a future.

    Cancelled, the future is dropped and the thread runs to its bound, then ends.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_T] = loop.create_future()
    context = contextvars.copy_context()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():  # cancelled meanwhile: nobody waits for the result
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = context.run(fn, **kwargs)
        except BaseException as e:  # handed to the awaiting task
            error = e
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody to tell
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name=THREAD_PREFIX + what, daemon=True).start()
    return await future


async def _module(name: str) -> Any:
    """Import ``name`` on a worker thread: a first import (botocore's) would hold the loop."""
    module = sys.modules.get(name)
    if module is None:
        module = await _off_loop("import", importlib.import_module, name=name)
    return module


async def explain(
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
) -> Report:
    """:func:`credchain.explain`, awaited: the inspection runs off the event loop.

    With an aiobotocore ``AioSession`` or aioboto3 ``Session`` the report
    describes ``await session.get_credentials()``: aiobotocore's own resolver,
    its version (``report.aiobotocore_version``) and any drift of its chain.

    Args:
        profile: as for :func:`credchain.explain`.
        session: a botocore, boto3, aiobotocore or aioboto3 session.
        env: as for :func:`credchain.explain`.
        network: as for :func:`credchain.explain`.
        run_process: as for :func:`credchain.explain`.
        timeout: as for :func:`credchain.explain`; also how long a cancelled
            inspection's worker thread may still run.
        chain: as for :func:`credchain.explain`.
        load_foreign: as for :func:`credchain.explain`.
        clock: as for :func:`credchain.explain`.

    Returns:
        A :class:`credchain.Report`.

    .. versionadded:: 0.2.0
    """
    explain_sync = (await _module("credchain._explain")).explain
    return await _off_loop(
        "explain",
        explain_sync,
        profile=profile,
        session=session,
        env=env,
        network=network,
        run_process=run_process,
        timeout=timeout,
        chain=chain,
        load_foreign=load_foreign,
        clock=clock,
    )


async def identify(
    *,
    profile: str | None = None,
    session: object | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = 5.0,
    report: Report | None = None,
) -> Identity:
    """:func:`credchain.identify`, awaited: one ``sts:GetCallerIdentity``.

    With an aiobotocore or aioboto3 session it uses aiobotocore's own STS client
    on this loop (credentials loaded by ``await session.get_credentials()``);
    otherwise botocore's, on a worker thread.

    Args:
        profile: as for :func:`credchain.identify`.
        session: a botocore, boto3, aiobotocore or aioboto3 session.
        env: as for :func:`credchain.identify`.
        timeout: as for :func:`credchain.identify`.
        report: as for :func:`credchain.identify`.

    Returns:
        A verified :class:`credchain.Identity`.

    Raises:
        IdentityError: as :func:`credchain.identify`.
        ValueError: both ``profile`` and ``session`` were given.
        TypeError: ``session`` is not a session credchain knows.

    .. versionadded:: 0.2.0
    """
    from credchain import _aio_session

    aio = _aio_session.aio_session(session)
    if aio is not None and env is None:
        if profile is not None:
            raise ValueError("pass either profile= or session=, not both")
        await _module("credchain._identity")
        return await _aio_session.identify_async(aio, timeout=timeout, report=report)
    identify_sync = (await _module("credchain._identity")).identify
    return await _off_loop(
        "identify",
        identify_sync,
        profile=profile,
        session=session,
        env=env,
        timeout=timeout,
        report=report,
    )


async def assert_role(
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
    """:func:`credchain.assert_role`, awaited.

    The inspection runs off the loop (:func:`explain`); with ``verify=True``
    STS is asked through :func:`identify` — aiobotocore's client for an
    aiobotocore or aioboto3 session.

    Args:
        role: as for :func:`credchain.assert_role`.
        account: as for :func:`credchain.assert_role`.
        verify: as for :func:`credchain.assert_role`.
        profile: as for :func:`credchain.assert_role`.
        session: a botocore, boto3, aiobotocore or aioboto3 session.
        env: as for :func:`credchain.assert_role`.
        timeout: as for :func:`credchain.assert_role`.
        min_validity: as for :func:`credchain.assert_role`.
        clock: as for :func:`credchain.assert_role`.
        region: as for :func:`credchain.assert_role`.

    Returns:
        The :class:`credchain.Identity`: verified when ``verify=True``.

    Raises:
        RoleAssertionError: as :func:`credchain.assert_role`.
        ValueError: as :func:`credchain.assert_role`.

    .. versionadded:: 0.2.0
    """
    await _module("credchain._assert_role")
    from credchain._assert_role import (
        _check_chain,
        _check_region,
        _check_validity,
        _Expected,
        _sts_error,
        check_report,
    )
    from credchain.exceptions import IdentityError

    expected = _Expected(role, account)
    if verify and profile is not None and session is not None:
        raise ValueError("pass either profile= or session=, not both, with verify=True")
    # As the sync check: botocore's own metadata timeout for the probes.
    report = await explain(
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
        identity = await identify(
            profile=profile, session=session, env=env, timeout=timeout, report=report
        )
    except IdentityError as exc:
        raise _sts_error(expected, report, exc) from exc
    return check_report(report, role, account=account, identity=identity)


async def require_role(
    role: str | None = None,
    *,
    account: str | None = None,
    verify: bool = True,
    logger: logging.Logger | logging.LoggerAdapter[Any] | None = None,
    exit: bool = False,
    profile: str | None = None,
    session: object | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = 5.0,
    min_validity: datetime.timedelta | None = None,
) -> Identity | None:
    """:func:`credchain.require_role`, awaited: a start-up check for an async application.

    Logs the chain, then :func:`assert_role`; does nothing when neither
    ``role``/``account`` nor ``CREDCHAIN_REQUIRE_ROLE``/``CREDCHAIN_REQUIRE_ACCOUNT``
    is given.

    Args:
        role: as for :func:`credchain.require_role`.
        account: as for :func:`credchain.require_role`.
        verify: as for :func:`credchain.require_role`.
        logger: as for :func:`credchain.require_role`.
        exit: as for :func:`credchain.require_role`.
        profile: as for :func:`credchain.require_role`.
        session: a botocore, boto3, aiobotocore or aioboto3 session.
        env: as for :func:`credchain.require_role`.
        timeout: as for :func:`credchain.require_role`.
        min_validity: as for :func:`credchain.require_role`.

    Returns:
        The :class:`credchain.Identity`, or None when no role is required.

    Raises:
        RoleAssertionError: as :func:`credchain.require_role`.
        ValueError: as :func:`credchain.require_role`.
        SystemExit: as :func:`credchain.require_role`.

    .. versionadded:: 0.2.0
    """
    await _module("credchain._assert_role")
    from credchain._assert_role import REQUIRE_ACCOUNT_VAR, REQUIRE_ROLE_VAR, _log_report
    from credchain.exceptions import RoleAssertionError

    log = logger or logging.getLogger("credchain")
    environ = os.environ if env is None else env
    role = role or environ.get(REQUIRE_ROLE_VAR) or None
    account = account or environ.get(REQUIRE_ACCOUNT_VAR) or None
    if role is None and account is None:
        log.debug("credchain: no role required (%s is not set)", REQUIRE_ROLE_VAR)
        return None
    try:
        identity = await assert_role(
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
        log.error("credchain: %s", err)
        if exit:
            raise SystemExit(1) from None
        raise
    _log_report(log, identity.report)
    log.info("credchain: running as %s", identity)
    return identity
