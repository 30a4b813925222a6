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
