"""The metadata service settings botocore resolves while building its chain, and the probe.

Kept apart from the ``iam-role`` inspector (:mod:`credchain.providers.instance_metadata`)
so that the probe can start before the providers, the report classes and the
renderer are loaded: this module needs only the context, and the probe only
:mod:`credchain._io.http` and botocore's HTTP stack. A silent service costs
``credchain explain`` one timeout from the moment its first request goes out,
so the command line starts the probe first (:func:`start_early`) and loads
the rest while it waits.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from credchain import _botocore
from credchain._record import record

if TYPE_CHECKING:
    from credchain._context import Context
    from credchain._io.http import IMDSResult, Pending

DISABLED = "AWS_EC2_METADATA_DISABLED"
#: How long, after the probe's first request went out, to let it reach the wire alone.
SETTLE = 0.05


@record
class IMDSSettings:
    """The fetcher settings botocore resolves while building its chain."""

    base_url: str
    timeout: float
    attempts: int
    v1_disabled: bool


def imds_settings(ctx: Context) -> IMDSSettings:
    """What ``create_credential_resolver`` computes for ``InstanceMetadataFetcher``."""
    timeout = ctx.var("metadata_service_timeout")
    attempts = ctx.var("metadata_service_num_attempts")
    endpoint = ctx.var("ec2_metadata_service_endpoint")
    mode = ctx.var("ec2_metadata_service_endpoint_mode")
    if mode is not None:
        from botocore.exceptions import InvalidIMDSEndpointModeError

        lmode = mode.lower()
        if lmode not in ("ipv4", "ipv6"):
            raise InvalidIMDSEndpointModeError(mode=mode, valid_modes=("ipv4", "ipv6"))
        mode = lmode
    elif ctx.var("imds_use_ipv6"):
        mode = "ipv6"
    else:
        mode = "ipv4"
    v1_disabled = ctx.var("ec2_metadata_v1_disabled")
    if endpoint:
        base = endpoint
    elif mode == "ipv6":
        base = "http://[fd00:ec2::254]/"
    else:
        base = "http://169.254.169.254/"
    if endpoint:
        from botocore.exceptions import InvalidIMDSEndpointError

        if not _botocore.from_utils("is_valid_uri")(base):
            raise InvalidIMDSEndpointError(endpoint=base)
    return IMDSSettings(base, timeout, attempts, bool(v1_disabled))


def disabled(ctx: Context) -> bool:
    """botocore's IMDSFetcher test: only the (case-insensitive) value "true" disables."""
    return ctx.env.get(DISABLED, "false").lower() == "true"


def bound(ctx: Context, settings: IMDSSettings) -> float:
    """How long the whole probe may take: ``timeout=``, else botocore's metadata timeout."""
    return ctx.timeout if ctx.timeout is not None else float(settings.timeout)


def probe(ctx: Context, settings: IMDSSettings) -> Pending[IMDSResult]:
    """The metadata fetch, started once per inspection (in the background)."""
    from credchain._io.http import environ_proxies, probe_imds

    s, limit = settings, bound(ctx, settings)
    if ctx.is_process_env:
        from botocore.utils import get_environ_proxies

        proxies = get_environ_proxies(s.base_url)
    else:  # botocore's fetcher takes its proxies from the environment it runs in
        proxies = environ_proxies(s.base_url, ctx.env)
    return ctx.probe(
        "imds",
        lambda p: probe_imds(p, s.base_url, s.attempts, s.v1_disabled, "credchain"),
        bound=limit,
        request_timeout=float(s.timeout),
        proxies=proxies,
        waits_for=f"the instance metadata service at {s.base_url} (up to {limit:g} s)",
    )


def prefetch(ctx: Context, settings: IMDSSettings) -> None:
    """Start the probe now (unless disabled), and return once its first request is out."""
    if not disabled(ctx):
        until_dispatched(probe(ctx, settings))


def until_dispatched(pending: Pending[Any], limit: float = 2.0) -> None:
    """Let the probe's thread import botocore's HTTP stack and send its first request
    before this one competes with it for the interpreter: the probe's wait then
    overlaps all the rest of the inspection, instead of starting after part of it.

    Waits until the request is written (a connection that hangs: a moment longer).
    """
    import time

    deadline = time.monotonic() + limit
    while not pending.probe.dispatched.wait(0.002):
        if pending.future.done() or time.monotonic() > deadline:
            return
    deadline = min(deadline, time.monotonic() + SETTLE)
    while not pending.probe.sent.wait(0.002):
        if pending.future.done() or time.monotonic() > deadline:
            return


def start_early(ctx: Context) -> None:
    """Start the probe the walk of botocore's default chain would start, before the walk.

    For ``explain()`` of ``ctx`` with botocore's default chain: when the walk
    will probe (the network allowed, the chain's settings resolve, ``iam-role``
    in the chain, not disabled), the same probe is started now, in ``ctx``,
    where the walk finds it. Whenever the chain's order has to be read from
    botocore itself (``botocore.credentials`` loaded, or a botocore version
    credchain has not verified), nothing is started here: the walk decides.
    """
    if not ctx.network or "botocore.credentials" in sys.modules or not _botocore.verified():
        return
    if "iam-role" not in _botocore.known_chain() or disabled(ctx):
        return
    # Loaded here, before the settings: the probe needs it anyway, and botocore.utils with
    # it (the endpoint's validation and the proxies take botocore's own functions from it,
    # and the session variable table then costs less from its module than from its source).
    import botocore.configprovider
    import botocore.httpsession  # noqa: F401

    try:  # as _chain.build_chain, which reports what these raise
        settings = imds_settings(ctx)
        ctx.var("credentials_file")
        ctx.var("config_file")
    except Exception:
        return
    prefetch(ctx, settings)
