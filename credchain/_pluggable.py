"""Pluggable chains: custom inspectors, entry points, and a real session's resolver.

A :class:`Chain` is an ordered list of entries named by botocore's METHOD: a
built-in METHOD (a string, inspected by credchain's own inspector) or any
object following the :class:`credchain.providers.Provider` protocol.
Third-party inspectors are registered under the entry point group
``credchain.providers``; the entry point's name is the METHOD, the botocore
provider's class name, or its ``module.Class`` path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, Union

from credchain import _botocore
from credchain._chain import order
from credchain._record import field, record
from credchain._report import Status
from credchain.providers import Finding, Provider

ENTRY_POINT_GROUP = "credchain.providers"

Entry = Union[str, Provider]


def _method(entry: Entry) -> str:
    return entry if isinstance(entry, str) else str(entry.METHOD)


@record(frozen=False)
class Chain:
    """An ordered, editable provider chain with botocore's vocabulary.

    ``Chain.default()`` is the chain the installed botocore builds;
    ``Chain.from_session(session)`` is what a live session's resolver holds.
    Pass it as ``explain(chain=...)``.

    .. versionadded:: 0.1.0
    """

    entries: list[Entry] = field(factory=list)
    #: True when built from a session: providers botocore's default chain has and this one
    #: lacks are reported as removed.
    from_session_resolver: bool = False
    #: Explicit credentials a session was given (they bypass the chain).
    explicit_credentials: bool = False

    @classmethod
    def default(cls) -> Chain:
        """botocore's default chain (the installed version's order)."""
        methods, _warnings = order(explicit=False)
        return cls(list(methods))

    @classmethod
    def from_session(cls, session: object, *, load_foreign: bool = False) -> Chain:
        """The chain a ``botocore`` or ``boto3`` session's resolver actually holds.

        Providers that are botocore's own are inspected by credchain; others by
        an inspector registered under ``credchain.providers``, else reported as
        ``unknown`` — or, with ``load_foreign=True``, by calling their ``load()``.
        """
        botocore_session = getattr(session, "_session", session)
        from credchain import _aio_session

        if _aio_session.aio_session(botocore_session) is not None:
            # aiobotocore's AioCredentialResolver: its ports map to credchain's inspectors.
            return _aio_session.chain_from_session(botocore_session, load_foreign=load_foreign)
        entries: list[Entry] = []
        for provider in _botocore.resolver_providers(botocore_session):
            entries.append(_entry_for(provider, load_foreign))
        explicit = getattr(botocore_session, "_credentials", None) is not None
        return cls(entries, from_session_resolver=True, explicit_credentials=explicit)

    @property
    def methods(self) -> list[str]:
        return [_method(e) for e in self.entries]

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def _offset(self, name: str) -> int:
        try:
            return self.methods.index(name)
        except ValueError:
            raise KeyError(
                f"no provider {name!r} in the chain ({', '.join(self.methods)})"
            ) from None

    def insert_before(self, name: str, provider: Provider) -> None:
        """Insert ``provider`` before the one whose METHOD is ``name``."""
        self.entries.insert(self._offset(name), provider)

    def insert_after(self, name: str, provider: Provider) -> None:
        """Insert ``provider`` after the one whose METHOD is ``name``."""
        self.entries.insert(self._offset(name) + 1, provider)

    def remove(self, name: str) -> None:
        """Remove the provider whose METHOD is ``name`` (silently, if absent, as botocore)."""
        if name in self.methods:
            del self.entries[self.methods.index(name)]

    def get(self, name: str) -> Entry:
        """The entry whose METHOD is ``name``."""
        return self.entries[self._offset(name)]


def _is_builtin(provider: Any) -> bool:
    """Is this exactly the botocore class credchain mirrors for its METHOD?"""
    from credchain.providers import registry

    method = getattr(provider, "METHOD", None)
    if method not in registry():
        return False
    cls = type(provider)
    return cls.__module__ == "botocore.credentials" and cls.__name__ == _BOTOCORE_CLASSES.get(
        method
    )


_BOTOCORE_CLASSES = {
    "env": "EnvProvider",
    "assume-role": "AssumeRoleProvider",
    "assume-role-with-web-identity": "AssumeRoleWithWebIdentityProvider",
    "sso": "SSOProvider",
    "shared-credentials-file": "SharedCredentialProvider",
    "login": "LoginProvider",
    "custom-process": "ProcessProvider",
    "config-file": "ConfigProvider",
    "ec2-credentials-file": "OriginalEC2Provider",
    "boto-config": "BotoProvider",
    "container-role": "ContainerProvider",
    "iam-role": "InstanceMetadataProvider",
}


def _entry_for(provider: Any, load_foreign: bool) -> Entry:
    if _is_builtin(provider):
        return str(provider.METHOD)
    inspector = plugin_inspector(provider)
    if inspector is not None:
        return inspector
    return BotocoreProvider(provider, load=load_foreign)


@lru_cache(maxsize=1)
def _entry_points() -> tuple[Any, ...]:
    from importlib.metadata import entry_points

    eps = entry_points()
    if hasattr(eps, "select"):
        return tuple(eps.select(group=ENTRY_POINT_GROUP))
    return tuple(eps.get(ENTRY_POINT_GROUP, ()))  # pragma: no cover - Python 3.9


def plugin_inspector(provider_or_method: Any) -> Provider | None:
    """An inspector registered for this botocore provider (object) or METHOD (str)."""
    if isinstance(provider_or_method, str):
        keys = [provider_or_method]
        provider = None
    else:
        provider = provider_or_method
        cls = type(provider)
        keys = [f"{cls.__module__}.{cls.__qualname__}", cls.__name__]
        keys.append(str(getattr(provider, "METHOD", "")))
    for key in keys:
        for ep in _entry_points():
            if ep.name == key:
                return _instantiate(ep.load(), provider)
    return None


def _instantiate(target: Any, provider: Any) -> Provider:
    if not isinstance(target, type):
        return target  # type: ignore[no-any-return]
    if provider is not None:
        try:
            return target(provider)  # type: ignore[no-any-return]
        except TypeError:
            pass
    return target()  # type: ignore[no-any-return]


@record
class BotocoreProvider:
    """A provider object in a session's resolver that credchain has no inspector for.

    Reported as ``unknown`` with its class and METHOD; with ``load=True`` (an
    explicit opt-in that the report marks) its own ``load()`` is called.
    """

    provider: Any = field(repr=lambda p: type(p).__name__)
    load: bool = False

    @property
    def METHOD(self) -> str:
        return str(getattr(self.provider, "METHOD", None) or type(self.provider).__name__)

    def inspect(self, ctx: Any, profile: str) -> Finding:
        cls = type(self.provider)
        name = f"{cls.__module__}.{cls.__qualname__}"
        if not self.load:
            return Finding(
                Status.UNKNOWN,
                name,
                f"a provider credchain has no inspector for ({name}, METHOD "
                f"{self.METHOD!r}); not loaded (opt in with load_foreign=True).",
            )
        from inspect import isawaitable  # only when a foreign provider is loaded

        try:
            creds = self.provider.load()
            if isawaitable(creds):  # an aiobotocore provider: load() is a coroutine
                from credchain._aio_session import run_coroutine

                creds = run_coroutine(creds)
        except Exception as e:
            return Finding(
                Status.ERROR,
                name,
                f"its load() raised {type(e).__name__} (called: load_foreign=True).",
                raises=type(e).__name__,
                message=str(e),
            )
        if creds is None:
            return Finding(
                Status.NOT_FOUND, name, "its load() returned None (called: load_foreign=True)."
            )
        fields = vars(creds) if hasattr(creds, "__dict__") else {}
        for secret in ("secret_key", "_secret_key", "token", "_token"):
            ctx.note_value(secret, fields.get(secret))
        key = fields.get("access_key") or fields.get("_access_key")
        return Finding(
            Status.FOUND,
            name,
            "its load() returned credentials (called: load_foreign=True).",
            access_key=key if isinstance(key, str) else None,
        )


def resolve_entries(entries: Iterable[Entry]) -> list[Entry]:
    """Built-in METHODs stay strings; unknown METHODs get a registered inspector if any."""
    from credchain.providers import registry

    out: list[Entry] = []
    for e in entries:
        if isinstance(e, str) and e not in registry():
            out.append(plugin_inspector(e) or e)
        else:
            out.append(e)
    return out
