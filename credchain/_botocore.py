"""Every use of botocore internals, in one place.

botocore is imported lazily: ``import credchain`` stays cheap, and the heavy
modules (``botocore.credentials``, ``botocore.utils``) load only when an
inspection needs them.
"""

from __future__ import annotations

import sys
import threading
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
    """botocore's session variable table (``botocore.configprovider``).

    Importing ``botocore.configprovider`` imports ``botocore.utils`` and with it
    botocore's whole HTTP stack (urllib3, whose import even opens a socket to
    test IPv6). Unless that module is already loaded, the installed botocore's
    table is read from its source instead: the dict literal, with the typecasts
    it names (``int``, ``utils.ensure_boolean``, ...) resolved to the installed
    botocore's own functions (see :class:`_Source`). Anything this reader does
    not understand falls back to the import.
    """
    module = sys.modules.get("botocore.configprovider")
    table = None if module is not None else _table_from_source()
    if table is None:
        from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

        table = dict(BOTOCORE_DEFAUT_SESSION_VARIABLES)
    return table


_TABLE = "BOTOCORE_DEFAUT_SESSION_VARIABLES"
_NAMES: dict[str, Any] = {"None": None, "True": True, "False": False, "int": int, "float": float}


def _source_of(module: str) -> tuple[str, str] | None:
    """(path, text) of a botocore module's source, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            return None
        with open(spec.origin, encoding="utf-8") as f:
            return spec.origin, f.read()
    except (ImportError, OSError, ValueError):
        return None


def _table_from_source() -> dict[str, tuple[Any, Any, Any, Any]] | None:
    import ast

    found = _source_of("botocore.configprovider")
    if found is None:
        return None
    path, source = found
    start = source.find(f"\n{_TABLE} = {{")
    end = source.find("\n}\n", start)
    if start < 0 or end < 0:
        return None
    try:
        tree = ast.parse(source[start + 1 : end + 2], path)
        (statement,) = tree.body
        assert isinstance(statement, ast.Assign)
        table = _evaluate(statement.value)
    except Exception:
        return None
    if not isinstance(table, dict) or not all(
        isinstance(v, tuple) and len(v) == 4 for v in table.values()
    ):
        return None
    return table


def _evaluate(node: Any) -> Any:
    """A literal of the table: constants, tuples, lists, dicts, builtins, ``utils.NAME``."""
    import ast

    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_evaluate(e) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict):
        return {_evaluate(k): _evaluate(v) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.Name) and node.id in _NAMES:
        return _NAMES[node.id]
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "utils"
    ):
        return from_utils(node.attr)
    raise ValueError(f"not understood: {ast.dump(node)}")


class _Source:
    """Definitions of a botocore module compiled from its source, without importing it.

    A function, class or module-level assignment is compiled on its own when it
    uses nothing but builtins, ``re``, other such definitions of the module and
    such definitions it imports from another module read this way (``utils``
    takes ``UNSAFE_URL_CHARS`` and ``IPV6_ADDRZ_RE`` from ``compat``, which
    takes ``urlsplit`` from ``urllib.parse``); None for any other.
    """

    STDLIB = ("re",)

    def __init__(self, module: str, imports: dict[str, Any]) -> None:
        self._module = module
        self._imports = imports  # module name -> _Source, or a stdlib module name
        self._source: str | None = None
        self._imported: dict[str, str] = {}  # name -> the module it is imported from
        self._namespace: dict[str, Any] = {"__name__": module}
        self._lock = threading.RLock()

    def compile(self, name: str) -> Any:
        with self._lock:
            return self._compile(name, set())

    def _text(self) -> str:
        if self._source is None:
            found = _source_of(self._module)
            self._source = found[1] if found else ""
            for origin in self._imports:
                self._imported.update(dict.fromkeys(_imported_names(self._source, origin), origin))
        return self._source

    def _compile(self, name: str, seen: set[str]) -> Any:
        import builtins
        import importlib

        if name in self._namespace:
            return self._namespace[name]
        seen.add(name)
        source = self._text()
        if name in self.STDLIB and f"\nimport {name}\n" in source:
            self._namespace[name] = importlib.import_module(name)
            return self._namespace[name]
        if name in self._imported:
            origin = self._imports[self._imported[name]]
            if isinstance(origin, str):
                value = getattr(importlib.import_module(origin), name, None)
            else:
                value = origin.compile(name)
            if value is not None:
                self._namespace[name] = value
            return value
        starts = [f"\ndef {name}(", f"\nclass {name}(", f"\nclass {name}:", f"\n{name} = "]
        start = max(source.find(s) for s in starts)
        if start < 0:
            return None
        end = start + 1
        while True:  # the next line that starts at column 0 ends the definition
            end = source.find("\n", end + 1)
            if end < 0 or (source[end + 1 : end + 2] not in ("", " ", "\n", "#", ")", "]", "}")):
                break
        code = compile(source[start + 1 : end if end >= 0 else None], self._module, "exec")
        for global_name in _globals_of(code):
            if global_name in seen or global_name in self._namespace:
                continue
            if hasattr(builtins, global_name):
                continue
            if global_name.startswith("__") or self._compile(global_name, seen) is None:
                return None
        namespace = dict(self._namespace)
        exec(code, namespace)  # noqa: S102 - botocore's own source, one definition
        self._namespace.update(namespace)
        return namespace[name]


def _imported_names(source: str, module: str) -> list[str]:
    """The names of ``from MODULE import (...)`` / ``from MODULE import a, b`` at column 0."""
    import re

    names: list[str] = []
    for m in re.finditer(rf"^from {re.escape(module)} import (\([^)]*\)|[^\n]*)", source, re.M):
        body = re.sub(r"#[^\n]*", "", m.group(1)).strip("()")
        for part in body.split(","):
            words = part.split()
            if len(words) == 1 and words[0].isidentifier():  # "x as y" is left alone
                names.append(words[0])
    return names


_COMPAT = _Source("botocore.compat", {"urllib.parse": "urllib.parse"})
_UTILS = _Source("botocore.utils", {"botocore.compat": _COMPAT})


def from_utils(name: str) -> Any:
    """``botocore.utils.NAME``, without importing ``botocore.utils`` where botocore allows.

    That module imports botocore's HTTP stack (urllib3, ``botocore.httpsession``),
    whose import alone opens a socket. A self-contained definition (see
    :class:`_Source`) is compiled from the installed botocore's source instead,
    unless the module is loaded already; any other is imported.
    """
    if "botocore.utils" not in sys.modules:
        try:
            found = _UTILS.compile(name)
        except (SyntaxError, ValueError):
            found = None
        if found is not None:
            return found
    import botocore.utils

    return getattr(botocore.utils, name)


def _globals_of(code: Any) -> set[str]:
    """The global names a function's code loads (also in nested code)."""
    import dis

    loads = ("LOAD_GLOBAL", "LOAD_NAME")
    names = {i.argval for i in dis.get_instructions(code) if i.opname in loads}
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            names |= _globals_of(const)
    return names


def validate_container_url(url: str) -> None:
    """botocore's ``ContainerMetadataFetcher._validate_allowed_url``: raises its ValueError.

    Called on a fetcher made without ``__init__``, so no HTTP session is created.
    """
    from botocore.utils import ContainerMetadataFetcher

    fetcher = object.__new__(ContainerMetadataFetcher)
    fetcher._validate_allowed_url(url)


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


@cache
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
