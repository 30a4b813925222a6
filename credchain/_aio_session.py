"""aiobotocore and aioboto3 sessions: their own resolver, read in place, and their STS client.

aiobotocore ports botocore's providers to asyncio (``AioEnvProvider``,
``AioInstanceMetadataProvider``, … in ``aiobotocore.credentials``) and builds its
chain in its own ``create_credential_resolver``, pinned to a narrow botocore
range. ``explain(session=AioSession())`` reads the resolver the session builds
(building it reads configuration only; no provider's ``load()`` is awaited),
maps each port to credchain's inspector by METHOD, reports any other provider
as ``unknown``, and warns when aiobotocore's order differs from botocore's own
chain or from the one credchain knows. An aioboto3 ``Session`` wraps an
``AioSession`` (``._session``). Nothing here imports aiobotocore unless a
session of it was given (which proves it is loaded) or an async STS call needs it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Awaitable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from credchain._identity import Identity
    from credchain._pluggable import Chain
    from credchain._report import Report

#: botocore and aiobotocore DEBUG records that carry secrets while credentials load and
#: requests are signed (canonical requests, prepared headers, response bodies).
_SECRET_LOGGERS = (
    "botocore.auth",
    "botocore.endpoint",
    "botocore.parsers",
    "aiobotocore.endpoint",
    "aiobotocore.parsers",
    "aiobotocore.httpsession",
)


def _from_aiobotocore(obj: object) -> bool:
    return any(c.__module__.partition(".")[0] == "aiobotocore" for c in type(obj).__mro__)


def aio_session(session: object | None) -> Any:
    """The ``AioSession`` behind ``session`` (itself, or an aioboto3 Session's), else None."""
    if session is None:
        return None
    inner = getattr(session, "_session", session)
    return inner if _from_aiobotocore(inner) else None


def aiobotocore_version() -> str | None:
    module = sys.modules.get("aiobotocore")
    return None if module is None else str(getattr(module, "__version__", "") or "") or None


def port_method(provider: object) -> str | None:
    """The METHOD of one of aiobotocore's ports of a botocore provider credchain mirrors.

    A port is ``aiobotocore.credentials.Aio<botocore class>`` (or ``Anyio…``, the
    variant aiobotocore builds for an anyio HTTP session) with the same METHOD.
    """
    from credchain._pluggable import _BOTOCORE_CLASSES

    method = getattr(provider, "METHOD", None)
    cls = type(provider)
    name = _BOTOCORE_CLASSES.get(method) if isinstance(method, str) else None
    if name is None or cls.__module__ != "aiobotocore.credentials":
        return None
    return method if cls.__name__ in (f"Aio{name}", f"Anyio{name}") else None


def chain_from_session(session: Any, *, load_foreign: bool = False) -> Chain:
    """The chain an ``AioSession``'s ``AioCredentialResolver`` holds, by METHOD."""
    from credchain import _botocore
    from credchain._pluggable import BotocoreProvider, Chain, Entry, plugin_inspector

    entries: list[Entry] = []
    for provider in _botocore.resolver_providers(session):
        method = port_method(provider)
        if method is not None:
            entries.append(method)
            continue
        inspector = plugin_inspector(provider)
        entries.append(inspector or BotocoreProvider(provider, load=load_foreign))
    explicit = getattr(session, "_credentials", None) is not None
    return Chain(entries, from_session_resolver=True, explicit_credentials=explicit)


def drift_warnings(methods: list[str], explicit_profile: bool) -> tuple[str, ...]:
    """Where aiobotocore's chain differs from botocore's own, or from what credchain knows."""
    from credchain import _botocore

    ours = tuple(methods)
    label = f"aiobotocore {aiobotocore_version() or '?'}"
    botocores = _botocore.botocore_chain(explicit_profile)
    if botocores is not None and ours != botocores:
        return (
            f"{label} builds the chain {', '.join(ours)}, which differs from botocore "
            f"{_botocore.version()}'s own ({', '.join(botocores)}): "
            "await session.get_credentials() follows aiobotocore's, and so does this report.",
        )
    known = tuple(m for m in _botocore.known_chain() if not (explicit_profile and m == "env"))
    if ours != known:
        return (
            f"{label} builds the chain {', '.join(ours)}, which differs from the one "
            f"credchain knows for botocore {_botocore.version()} ({', '.join(known)}); "
            "providers credchain does not know are reported as unknown.",
        )
    return ()


#: Where an aiobotocore port raises another exception than botocore's class for the same
#: input: (METHOD, botocore's exception) -> (aiobotocore's, why).
PORT_EXCEPTIONS = {
    ("custom-process", "IndexError"): (
        "TypeError",
        "aiobotocore starts credential_process with create_subprocess_exec(*command), "
        "which raises TypeError for an empty command (botocore's Popen raises IndexError)",
    ),
    ("iam-role", "InvalidIMDSEndpointError"): (
        "HTTPClientError",
        "aiobotocore's aiohttp session raises HTTPClientError for a metadata endpoint URL it "
        "cannot use (botocore's urllib3 session reports it as InvalidIMDSEndpointError)",
    ),
}


def _port_exception(report: Report) -> Report:
    """Report the exception aiobotocore's port raises where it differs from botocore's."""
    from credchain._record import evolve

    error = report.error
    if error is None or report.raises is None:
        return report
    swap = PORT_EXCEPTIONS.get((error.method, report.raises))
    if swap is None:
        return report
    raises, why = swap
    fixed = evolve(error, raises=raises, reason=f"{error.reason} ({why}.)")
    providers = tuple(fixed if p is error else p for p in report.providers)
    return evolve(report, providers=providers, error=fixed, raises=raises, message=why)


def annotate(report: Report, session: Any, chain: Chain | None) -> Report:
    """Add aiobotocore's version and its drift warnings to a report of an ``AioSession``."""
    from credchain._record import evolve

    warnings: tuple[str, ...] = ()
    if chain is not None and chain.from_session_resolver:
        explicit = session.instance_variables().get("profile") is not None
        warnings = drift_warnings(chain.methods, explicit)
        failed = report.error.method if report.error is not None else None
        # Only where the provider is aiobotocore's own port, not a custom inspector.
        if failed in chain.methods and isinstance(chain.get(str(failed)), str):
            report = _port_exception(report)
    return evolve(
        report,
        aiobotocore_version=aiobotocore_version(),
        warnings=report.warnings + tuple(w for w in warnings if w not in report.warnings),
    )


def run_coroutine(awaitable: Awaitable[Any]) -> Any:
    """Run ``awaitable`` to completion in a new event loop on a thread of its own.

    For callers that are synchronous (and may sit in a thread whose loop runs):
    a foreign aiobotocore provider's ``load()``, the sync ``identify()`` of an
    ``AioSession``.
    """
    import asyncio

    box: dict[str, Any] = {}

    async def main() -> Any:
        return await awaitable

    def work() -> None:
        try:
            box["value"] = asyncio.run(main())
        except BaseException as e:  # handed to the caller's thread
            box["error"] = e

    thread = threading.Thread(target=work, name="credchain-aio-loop", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


class _DropThreadDebug(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.thread = threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG or record.thread != self.thread


@contextlib.contextmanager
def _quiet_secret_loggers() -> Iterator[None]:
    """Keep this thread's secret-bearing DEBUG records of botocore and aiobotocore out of logs."""
    quiet = _DropThreadDebug()
    loggers = [logging.getLogger(name) for name in _SECRET_LOGGERS]
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


async def identify_async(
    session: Any, *, timeout: float | None, report: Report | None = None
) -> Identity:
    """``sts:GetCallerIdentity`` through the ``AioSession``'s own STS client.

    Loading the credentials is aiobotocore's (``await session.get_credentials()``
    while the client is created), so its providers run exactly as the
    application's will; the client and its connections close on return and on
    cancellation.
    """
    from aiobotocore.config import AioConfig

    from credchain._identity import MAX_RETRIES, _identity_error, identity_from
    from credchain._mask import safe_url

    config_kwargs: dict[str, Any] = {"retries": {"max_attempts": MAX_RETRIES, "mode": "standard"}}
    if timeout is not None:
        config_kwargs.update(connect_timeout=timeout, read_timeout=timeout)
    endpoint = provider = None
    loading = True
    with _quiet_secret_loggers():
        try:
            async with session.create_client("sts", config=AioConfig(**config_kwargs)) as client:
                endpoint = safe_url(client.meta.endpoint_url)
                credentials = await session.get_credentials()
                if credentials is not None:
                    provider = getattr(credentials, "method", None)
                    # Deferred credentials (assume-role, sso) are fetched here, so their
                    # failures are told apart from STS refusing the call.
                    await credentials.get_frozen_credentials()
                loading = False
                response = await client.get_caller_identity()
        except Exception as exc:
            raise _identity_error(exc, endpoint, provider, loading=loading) from None
    return identity_from(response, provider, report)


def identify_blocking(
    session: Any,
    *,
    env: Mapping[str, str] | None,
    timeout: float | None,
    report: Report | None = None,
) -> Identity:
    """:func:`identify_async` for synchronous callers, in its own loop and thread.

    ``env`` must be None: ``identify(env=...)`` runs botocore in a child
    interpreter with that environment instead (``os.environ`` is never swapped).
    """
    if env is not None:
        raise ValueError("identify_blocking() takes no env=; identify(env=...) runs in a child")

    async def call() -> Identity:
        return await identify_async(session, timeout=timeout, report=report)

    result: Identity = run_coroutine(call())
    return result
