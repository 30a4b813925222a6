"""Every use of botocore internals, in one place.

botocore is imported lazily: ``import credchain`` stays cheap, and the heavy
modules (``botocore.credentials``, ``botocore.utils``) load only when an
inspection needs them.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any

# The chains credchain knows, by the botocore versions that build them (pre-profile,
# profile and post-profile providers as create_credential_resolver orders them).
CHAIN_WITH_LOGIN = (
    "env",
    "assume-role",
    "assume-role-with-web-identity",
    "sso",
    "shared-credentials-file",
    "login",
    "custom-process",
    "config-file",
    "ec2-credentials-file",
    "boto-config",
    "container-role",
    "iam-role",
)
CHAIN_WITHOUT_LOGIN = tuple(m for m in CHAIN_WITH_LOGIN if m != "login")
#: What ``ProfileProviderBuilder.providers`` builds (also for source profiles).
PROFILE_METHODS = (
    "assume-role-with-web-identity",
    "sso",
    "shared-credentials-file",
    "login",
    "custom-process",
    "config-file",
)
#: (first version, chain) pairs, newest first.
KNOWN_CHAINS: tuple[tuple[tuple[int, ...], tuple[str, ...]], ...] = (
    ((1, 41, 0), CHAIN_WITH_LOGIN),  # LoginProvider arrived in 1.41.0
    ((1, 40, 0), CHAIN_WITHOUT_LOGIN),
)
#: The oldest botocore credchain declares and tests (pyproject's lower bound).
OLDEST_SUPPORTED = (1, 40, 0)
#: The newest botocore whose chain credchain's suite has checked against KNOWN_CHAINS.
NEWEST_VERIFIED = (1, 44, 8)


@cache
def version() -> str:
    import botocore

    return str(botocore.__version__)


def version_tuple(v: str | None = None) -> tuple[int, ...]:
    parts = []
    for p in (v or version()).split("."):
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


@cache
def known_chain(v: str | None = None) -> tuple[str, ...]:
    """The chain credchain knows for this botocore version."""
    vt = version_tuple(v)
    for first, chain in KNOWN_CHAINS:
        if vt >= first:
            return chain
    return CHAIN_WITHOUT_LOGIN


@cache
def _session_variables() -> dict[str, tuple[Any, Any, Any, Any]]:
    from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

    return dict(BOTOCORE_DEFAUT_SESSION_VARIABLES)


def session_variable(name: str) -> tuple[Any, Any, Any, Any]:
    """(config name, env var names, default, typecast) from botocore's own table."""
    return _session_variables()[name]


class _StandInSession:
    """Just enough of a Session for create_credential_resolver to build (not load) a chain."""

    def __init__(self, explicit_profile: bool) -> None:
        self._explicit = explicit_profile

    def get_config_variable(self, name: str, methods: Any = None) -> Any:
        if name == "profile":
            return "default" if self._explicit else None
        return session_variable(name)[2] if name in _session_variables() else None

    def instance_variables(self) -> dict[str, Any]:
        return {"profile": "default"} if self._explicit else {}

    def user_agent(self) -> str:
        return "credchain"

    @property
    def full_config(self) -> dict[str, Any]:
        return {"profiles": {}}

    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("credchain never creates clients while inspecting")


def verified(v: str | None = None) -> bool:
    """Whether credchain's suite checked the chain of this botocore version."""
    return OLDEST_SUPPORTED <= version_tuple(v)[:3] <= NEWEST_VERIFIED


def botocore_chain(explicit_profile: bool) -> tuple[str, ...] | None:
    """The METHOD order the installed botocore builds.

    botocore is asked whenever ``botocore.credentials`` is already imported in
    this process (something may have changed its chain) and whenever the
    installed version is not one credchain verified (a newer botocore may
    build another chain), also in a fresh process: importing
    ``botocore.credentials`` is the cost of that. Otherwise (a verified
    version, nothing imported) the known chain is used and None returned.
    None also if the chain can't be built.
    """
    if "botocore.credentials" not in sys.modules and verified():
        return None
    import botocore.credentials as bc

    # Rebuilt only when someone replaced the functions that build the chain.
    key = (explicit_profile, bc.create_credential_resolver, bc.ProfileProviderBuilder.providers)
    if key not in _CHAINS:
        try:
            resolver = bc.create_credential_resolver(_StandInSession(explicit_profile))
            _CHAINS[key] = tuple(str(p.METHOD) for p in resolver.providers)
        except Exception:
            _CHAINS[key] = None
    return _CHAINS[key]


_CHAINS: dict[tuple[Any, ...], tuple[str, ...] | None] = {}


def resolver_providers(session: Any) -> list[Any]:
    """The provider objects of a real session's credential resolver."""
    resolver = session.get_component("credential_provider")
    return list(getattr(resolver, "providers", []))


def has_crt() -> bool:
    """botocore's own test for the login provider's dependency: ``botocore.compat.EC``."""
    from botocore import compat

    return getattr(compat, "EC", None) is not None


def session_variable_names() -> tuple[str, ...]:
    """Every name of the installed botocore's session variable table, in its order."""
    return tuple(_session_variables())


def offline_client(ctx: Any, service: str, region: str | None = None) -> Any:
    """A botocore client built as ``Session(...).create_client(service)`` would be, for ``ctx``.

    The session reads the inspected environment and files (never ``os.environ``),
    loads no credentials (unsigned), no SSO token and no client-side monitor, and
    resolves ``defaults_mode=auto`` without asking the instance metadata service:
    creating it opens no connection. Used only to read ``client.meta``.
    """
    import copy

    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.configprovider import (
        ConfigChainFactory,
        ConfiguredEndpointProvider,
    )

    env = ctx.env

    class _InspectedSession(botocore.session.Session):  # type: ignore[misc]
        def _add_configured_endpoint_provider(self, client_name: str, config_store: Any) -> None:
            # botocore passes no environ here, so it would read os.environ.
            provider = ConfiguredEndpointProvider(
                full_config=self.full_config,
                scoped_config=self.get_scoped_config(),
                client_name=client_name,
                environ=env,
            )
            config_store.set_config_provider(logical_name="endpoint_url", provider=provider)

    session = _InspectedSession()
    factory = ConfigChainFactory(session=session, environ=env)
    store = copy.copy(session.get_component("config_store"))
    for name, (config_name, env_names, default, typecast) in session.session_var_map.items():
        store.set_config_provider(
            name,
            factory.create_config_chain(
                instance_name=name,
                env_var_names=env_names,
                config_property_names=config_name,
                default=default,
                conversion_func=typecast,
            ),
        )
    session._components.register_component("config_store", store)
    session._components.register_component("token_provider", _NoTokens())
    session._internal_components.register_component("monitor", None)
    session._config = copy.deepcopy(ctx.full_config())
    for name, value in ctx.instance_vars.items():
        session.set_config_variable(name, value)
    # The service models and endpoint rules are the same for every inspection with the
    # same data path: load them once per process (botocore's loader caches per instance).
    try:
        data_path = session.get_config_variable("data_path")
    except Exception:  # create_client raises it in its own order
        data_path = _UNREADABLE
    if data_path is not _UNREADABLE:
        if data_path not in _LOADED:
            _LOADED[data_path] = (
                session.get_component("data_loader"),
                session._get_internal_component("endpoint_resolver"),
            )
        loader, resolver = _LOADED[data_path]
        session._components.register_component("data_loader", loader)
        session._internal_components.register_component("endpoint_resolver", resolver)
    try:
        mode = session.get_config_variable("defaults_mode")
    except Exception:  # create_client raises it (or an earlier error) in its own order
        mode = None
    config = Config(
        signature_version=UNSIGNED,
        # auto asks the instance metadata service for its region; the modes it can
        # resolve to agree on every setting that decides an endpoint.
        defaults_mode="standard" if mode == "auto" else None,
    )
    return session.create_client(service, region_name=region, config=config)


_LOADED: dict[Any, tuple[Any, Any]] = {}
_UNREADABLE = object()


class _NoTokens:
    """A token provider that loads nothing: creating a client must not refresh SSO tokens."""

    def load_token(self, **kwargs: Any) -> None:
        return None
