"""The chain: the only place credchain's provider order comes from.

The order is the installed botocore's own: read from a resolver that botocore's
``create_credential_resolver`` builds (never loads) whenever
``botocore.credentials`` is loaded in this process or the installed botocore is
not a version credchain verified, else the chain credchain knows for it. Building the chain mirrors
``create_credential_resolver`` step by step, so a setting botocore rejects
while building (a bad metadata timeout, a missing named profile, an invalid
metadata endpoint) is reported as botocore raises it: before any provider.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from credchain import _botocore
from credchain._context import Context
from credchain._record import record
from credchain._status import Status
from credchain.providers import Finding, Provider, registry
from credchain.providers.instance_metadata import IMDSSettings, imds_settings


@record
class Chain:
    """Providers in order (``None`` for one botocore leaves out), and what went wrong."""

    providers: tuple[tuple[str, Any], ...]
    build_error: BaseException | None = None
    warnings: tuple[str, ...] = ()


@record
class Foreign:
    """A provider a botocore plugin inserted: credchain can't inspect it."""

    METHOD: str

    def inspect(self, ctx: Context, profile: str) -> Finding:
        return Finding(
            Status.UNKNOWN,
            None,
            f"{self.METHOD!r} is not a botocore provider credchain knows; it was not inspected.",
        )


@record
class _Unbuilt:
    """Stands in for the metadata provider when botocore fails before building it."""

    METHOD: str = "iam-role"

    def inspect(self, ctx: Context, profile: str) -> Finding:
        return Finding(Status.UNKNOWN, None, "not inspected: botocore fails before building it.")


def order(explicit: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(METHOD order botocore uses, warnings about drift from what credchain knows)."""
    known = _botocore.known_chain()
    actual = _botocore.botocore_chain(explicit)
    warnings: tuple[str, ...] = ()
    expected = tuple(m for m in known if not (explicit and m == "env"))
    if actual is None:
        actual = expected
    elif actual != expected:
        warnings = (
            f"botocore {_botocore.version()} builds the chain {', '.join(actual)}, which "
            f"differs from the one credchain knows ({', '.join(expected)}); providers "
            "credchain does not know are reported as unknown.",
        )
    if explicit and "env" not in actual:
        actual = ("env", *actual)  # shown as disabled, where botocore removed it
    return actual, warnings


def build_chain(ctx: Context, explicit: bool, entries: Sequence[Any] | None = None) -> Chain:
    """Mirror ``create_credential_resolver``: settings first (they may raise), then providers.

    ``entries`` replaces botocore's default order: built-in METHOD names and
    custom inspectors, as :func:`credchain._pluggable.resolve_entries` returns them.

    The settings depend on the profile only through its values for
    :data:`CHAIN_VARIABLES`' config keys: profiles that set the same values (most
    set none) share one chain per inspection (``credchain profiles``).
    """
    shared = _settings_key(ctx) if entries is None else None
    if shared is not None:
        built: Chain | None = ctx.memo.get((explicit, shared))
        if built is not None:
            return built
    if entries is None:
        methods: tuple[Any, ...]
        methods, warnings = order(explicit)
    else:
        methods, warnings = tuple(entries), ()
        if explicit and "env" not in methods:
            methods = ("env", *methods)
    settings: IMDSSettings | None = None
    build_error: BaseException | None = None
    try:
        settings = imds_settings(ctx)
        ctx.var("credentials_file")
        ctx.var("config_file")
    except Exception as e:
        build_error = e
    if settings is not None and ctx.network and not build_error and "iam-role" in methods:
        _prefetch_imds(ctx, settings)
    # Inspectors are stateless: one set per (order, settings) serves every profile.
    key = (methods, settings, explicit)
    if key not in ctx.inspectors:
        ctx.inspectors[key] = tuple(make_providers(methods, settings, explicit))
    chain = Chain(ctx.inspectors[key], build_error, warnings)
    if shared is not None:
        ctx.memo[explicit, shared] = chain
    return chain


#: The session variables ``create_credential_resolver`` reads while building the chain.
CHAIN_VARIABLES = (
    "metadata_service_timeout",
    "metadata_service_num_attempts",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "imds_use_ipv6",
    "ec2_metadata_v1_disabled",
    "credentials_file",
    "config_file",
)


def _settings_key(ctx: Context) -> tuple[Any, ...] | None:
    """The profile's values for the chain's settings (None: its chain is not shared)."""
    keys = _config_keys()
    if keys is None or not ctx.instance_vars.keys().isdisjoint(CHAIN_VARIABLES):
        return None
    try:
        scoped = ctx.scoped_config()
    except Exception:  # botocore raises resolving them: each profile says so itself
        return None
    if scoped.keys().isdisjoint(keys):  # most profiles set none of them
        return _unset_key(len(keys))
    key = ("chain", *[scoped.get(k) for k in keys])
    try:
        hash(key)
    except TypeError:  # a nested section where a value belongs
        return None
    return key


@cache
def _unset_key(count: int) -> tuple[Any, ...]:
    return ("chain", *[None] * count)


@cache
def _config_keys() -> tuple[str, ...] | None:
    """The config keys of :data:`CHAIN_VARIABLES` (None: one is not a plain key)."""
    keys = []
    for name in CHAIN_VARIABLES:
        config_name = _botocore.session_variable(name)[0]
        if config_name is not None and not isinstance(config_name, str):
            return None
        if config_name is not None:
            keys.append(config_name)
    return tuple(keys)


def make_providers(
    methods: tuple[Any, ...], settings: IMDSSettings | None, explicit: bool
) -> list[tuple[str, Any]]:
    from credchain.providers.assume_role import AssumeRoleProvider
    from credchain.providers.container import ContainerProvider
    from credchain.providers.env import EnvProvider
    from credchain.providers.instance_metadata import InstanceMetadataProvider
    from credchain.providers.web_identity import AssumeRoleWithWebIdentityProvider

    imds: Any = InstanceMetadataProvider(settings) if settings is not None else _Unbuilt()
    classes = registry()

    def profile_chain(disable_env_vars: bool) -> list[Provider]:
        # ProfileProviderBuilder.providers, in botocore's order.
        names = [m for m in _botocore.known_chain() if m in _botocore.PROFILE_METHODS]
        out: list[Provider] = []
        for m in names:
            if m == "assume-role-with-web-identity":
                out.append(AssumeRoleWithWebIdentityProvider(disable_env_vars=disable_env_vars))
            else:
                out.append(classes[m]())
        return out

    sources = (EnvProvider(), ContainerProvider(), imds)
    built: list[tuple[str, Any]] = []
    for m in methods:
        if not isinstance(m, str):  # a custom inspector
            built.append((str(m.METHOD), m))
        elif m == "env" and explicit:
            built.append((m, None))
        elif m == "iam-role":
            built.append((m, imds))
        elif m == "assume-role":
            built.append(
                (m, AssumeRoleProvider(sources=sources, profile_chain=lambda: profile_chain(True)))
            )
        elif m == "assume-role-with-web-identity":
            built.append((m, AssumeRoleWithWebIdentityProvider(disable_env_vars=explicit)))
        elif m in classes:
            built.append((m, classes[m]()))
        else:
            built.append((m, Foreign(m)))
    return built


def _prefetch_imds(ctx: Context, settings: IMDSSettings) -> None:
    """Start the metadata probe now, so it overlaps everything else (only for a chain
    that has ``iam-role``: a ``credential_source`` of a chain without it probes when asked)."""
    from credchain._imds import prefetch

    prefetch(ctx, settings)


# A finding with either status decides the chain (read once: each ``Status.X`` is a lookup).
_DECIDING = (Status.FOUND, Status.ERROR)


def inspect_chain(
    ctx: Context, chain: Chain, profile: str, decided: bool = False
) -> Iterator[tuple[str, Any, Finding | None, bool]]:
    """Inspect each provider in order: ``(method, inspector, finding, decided before it)``.

    The finding is None for a provider botocore leaves out. Below the first
    ``found`` or ``error`` (``decided``), ``ctx.reached`` is False, so nothing
    is run there.
    """
    for method, inspector, _, free in _plan(ctx, chain):
        if inspector is None:
            yield method, None, None, decided
            continue
        finding = _step(ctx, inspector, free, profile, decided)
        yield method, inspector, finding, decided
        decided = decided or finding.status in _DECIDING


def present_findings(
    ctx: Context, chain: Chain, profile: str, decided: bool = False
) -> list[tuple[str, Finding]]:
    """``(method, finding)`` of the providers :func:`inspect_chain` would inspect, less
    those whose ``absent(ctx, profile)`` says nothing is configured: their finding would
    be ``not-found``, which decides nothing (``credchain profiles`` shows none).

    A provider declaring ``absent_without`` (keys without any of which it is absent)
    is not even tested for a profile holding none of them. The profile-free providers
    that end the chain give every profile the same findings, given whether the chain
    is decided before them: those are worked out once for each.
    """
    steps, tail = _present_steps(ctx, chain, profile)
    found, decided = _run(ctx, steps, profile, decided)
    if tail.steps:
        done = tail.done.get(decided)
        if done is None:
            done = tail.done[decided] = (_run(ctx, tail.steps, profile, decided)[0], ctx.reached)
        found += done[0]
        ctx.reached = done[1]
    return found


def _run(
    ctx: Context, steps: _Steps, profile: str, decided: bool
) -> tuple[list[tuple[str, Finding]], bool]:
    """The findings of ``steps`` whose absent test does not say absent, and whether the
    chain is decided after them."""
    found = []
    for method, inspector, absent, free in steps:
        if absent is not None and absent(ctx, profile):
            continue
        finding = _step(ctx, inspector, free, profile, decided)
        found.append((method, finding))
        decided = decided or finding.status in _DECIDING
    return found, decided


_Steps = tuple[tuple[str, Any, Any, Any], ...]


@record(frozen=False)
class _Tail:
    """The profile-free steps that end a plan (no absent test), and their findings per
    whether the chain is decided before them: (findings, ``ctx.reached`` after them)."""

    steps: _Steps
    done: dict[bool, tuple[list[tuple[str, Finding]], bool]]


def _present_steps(ctx: Context, chain: Chain, profile: str) -> tuple[_Steps, _Tail]:
    """The steps of :func:`_plan` that may be present for ``profile`` (those whose
    ``absent_without`` keys meet the profile's, worked out once per set of keys met)
    before the chain's profile-free tail, and that tail."""
    memo = ctx.memo.get(("present", id(chain.providers)))
    if memo is None or memo[0] is not chain.providers:
        plan = _plan(ctx, chain)
        keys: set[str] = set()
        for _, inspector, _, _ in plan:
            keys.update(getattr(inspector, "absent_without", None) or ())
        cut = len(plan)
        while cut and (plan[cut - 1][1] is None or _free_step(plan[cut - 1])):
            cut -= 1
        tail = _Tail(tuple(step for step in plan[cut:] if step[1] is not None), {})
        by_met: dict[frozenset[str] | None, _Steps] = {}
        memo = ctx.memo["present", id(chain.providers)] = (
            chain.providers,
            plan[:cut],
            tail,
            frozenset(keys),
            by_met,
        )
    _, head, tail, triggers, by_met = memo
    try:
        section = ctx.profiles().get(profile, {})
        met: frozenset[str] | None = frozenset(triggers.intersection(section))
    except Exception:  # botocore raises loading the files: every provider says so
        met = None
    steps: _Steps | None = by_met.get(met)
    if steps is None:
        steps = by_met[met] = tuple(
            step
            for step in head
            if step[1] is not None
            and (
                met is None
                or (without := getattr(step[1], "absent_without", None)) is None
                or not without.isdisjoint(met)
            )
        )
    return steps, tail


def _free_step(step: tuple[str, Any, Any, Any]) -> bool:
    """A profile-free step without an absent test."""
    return step[3] is not None and step[2] is None


def _step(
    ctx: Context, inspector: Any, free: dict[bool, Finding] | None, profile: str, decided: bool
) -> Finding:
    """One provider's finding; a profile-free one's (``free``) is shared by every profile."""
    ctx.reached = reached = not decided
    if free is None:
        return _inspect(ctx, inspector, profile)
    finding = free.get(reached)
    if finding is None:
        finding = free[reached] = _inspect(ctx, inspector, profile)
    return finding


def _plan(ctx: Context, chain: Chain) -> tuple[tuple[str, Any, Any, Any], ...]:
    """``(method, inspector, its absent test or None, its shared findings or None)`` for
    each provider, worked out once per chain and inspection.

    A profile-free inspector's findings are kept per inspection in one dict per
    inspector (the context keeps the inspectors: their ids are stable), keyed by
    whether it is reached.
    """
    key = ("plan", id(chain.providers))
    plan = ctx.memo.get(key)
    if plan is None or plan[0] is not chain.providers:
        free = _profile_free()
        steps = tuple(
            (
                method,
                inspector,
                getattr(inspector, "absent", None),
                ctx.memo.setdefault(("profile-free", id(inspector)), {})
                if type(inspector) in free
                else None,
            )
            for method, inspector in chain.providers
        )
        plan = ctx.memo[key] = (chain.providers, steps)
    return plan[1]


def _inspect(ctx: Context, inspector: Any, profile: str) -> Finding:
    try:
        finding: Finding = inspector.inspect(ctx, profile)
    except Exception as e:  # a provider bug must not become a traceback
        finding = Finding(Status.UNKNOWN, None, f"credchain could not inspect this provider: {e!r}")
    return finding


@cache
def _profile_free() -> frozenset[type]:
    """Inspectors whose finding never depends on the profile, only on their own settings,
    the environment and whether they are reached: once per inspection serves every profile
    (``credchain profiles``). The profile's own providers are not among them."""
    from credchain.providers.boto_config import BotoProvider
    from credchain.providers.container import ContainerProvider
    from credchain.providers.ec2_credentials_file import OriginalEC2Provider
    from credchain.providers.env import EnvProvider
    from credchain.providers.instance_metadata import InstanceMetadataProvider

    free = (BotoProvider, ContainerProvider, OriginalEC2Provider, EnvProvider)
    return frozenset((*free, InstanceMetadataProvider))
