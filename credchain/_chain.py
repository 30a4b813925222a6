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
    """
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
    return Chain(ctx.inspectors[key], build_error, warnings)


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


def inspect_chain(
    ctx: Context, chain: Chain, profile: str, decided: bool = False
) -> Iterator[tuple[str, Any, Finding | None, bool]]:
    """Inspect each provider in order: ``(method, inspector, finding, decided before it)``.

    The finding is None for a provider botocore leaves out. Below the first
    ``found`` or ``error`` (``decided``), ``ctx.reached`` is False, so nothing
    is run there.
    """
    for method, inspector in chain.providers:
        if inspector is None:
            yield method, None, None, decided
            continue
        ctx.reached = not decided
        try:
            finding = inspector.inspect(ctx, profile)
        except Exception as e:  # a provider bug must not become a traceback
            finding = Finding(
                Status.UNKNOWN, None, f"credchain could not inspect this provider: {e!r}"
            )
        yield method, inspector, finding, decided
        decided = decided or finding.status in (Status.FOUND, Status.ERROR)
