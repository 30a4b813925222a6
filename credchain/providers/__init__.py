"""Provider inspectors: one per botocore credential provider, keyed by botocore's METHOD.

Each inspector mirrors one ``botocore.credentials`` provider's ``load()`` without
its side effects, and reports only its own view as a :class:`Finding`: it would
supply credentials (``found``), nothing is configured (``not-found``), botocore
would raise here (``error``), it is switched off (``disabled``) or it can't tell
without doing what was not allowed (``unknown``). Placing findings in the chain
(``found`` → winner or ``shadowed``) is ``credchain._explain``'s job.
"""

from __future__ import annotations

import datetime
from typing import Protocol, cast, runtime_checkable

from credchain._context import Context
from credchain._mask import mask_key, scrub
from credchain._record import field, record
from credchain._report import Status

__all__ = ["REGISTRY", "Context", "Finding", "Provider", "Status", "error", "registry"]


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(scrub(value))
    if isinstance(value, tuple):
        return repr(tuple(scrub(v) for v in value))
    return repr(value)


@record
class Finding:
    """What one inspector saw. ``access_key`` is the full id here; it is masked on output
    (and in this object's repr, which scrubs every text field).

    Attributes:
        status: found, not-found, error, disabled or unknown (an inspector
            never says shadowed: placing it in the chain does).
        source: where it looked or found (file and section, variables, URL).
        reason: one sentence: why found, why not.
        access_key: the access key id, unmasked (masked in ``ProviderResult``).
        role_arn: the role it would use, where knowable without credentials.
        raises: the class name of the exception botocore would raise here.
        message: botocore's own message for ``raises`` (scrubbed on output).
        details: extra lines: nested source chains, settings.
        fix: what to change so it stops winning or works.
        expires_at: aware expiry of the credentials or of the token behind them.
        usable: will they work at first use (None: not checked).
        usable_reason: a short clause: why False, or why not checked.
        role_name: the role name where the ARN is not known (SSO).
        account: the role's 12-digit account.
        partition: the role's partition, with ``role_name`` / ``account``.
        stop: how to stop it winning, where ``fix`` says how to repair it.

    .. versionadded:: 0.1.0
    """

    status: Status
    source: str | None = field(repr=_shown)
    reason: str = field(repr=_shown)
    access_key: str | None = field(default=None, repr=lambda k: repr(mask_key(k)))
    role_arn: str | None = None
    raises: str | None = None
    message: str | None = field(default=None, repr=_shown)  # botocore's, for `raises`
    details: tuple[str, ...] = field(default=(), repr=_shown)
    fix: str | None = field(default=None, repr=_shown)
    expires_at: datetime.datetime | None = None  # aware; of the credentials or token behind
    usable: bool | None = None  # will they work at first use (None: not checked)
    usable_reason: str | None = field(default=None, repr=_shown)  # why False / unchecked
    role_name: str | None = None  # where the name is known but not the ARN (SSO)
    account: str | None = None
    partition: str | None = None  # of the role, where role_name / account stand for its ARN
    stop: str | None = field(default=None, repr=_shown)  # how to stop it winning


def error(exc: BaseException, source: str | None, reason: str, **kw: object) -> Finding:
    """A finding for an exception botocore would raise, named exactly by its class.

    A read or run credchain stopped at its bound (a FIFO, an endless file, a
    process past its timeout) is not botocore's exception: it is ``unknown``,
    with the reason the door gave.
    """
    from credchain._io.files import Refused
    from credchain._io.process import Stopped

    if isinstance(exc, (Refused, Stopped)):
        kw.pop("access_key", None)
        kw.pop("raises", None)
        return Finding(Status.UNKNOWN, source, exc.reason, **kw)  # type: ignore[arg-type]
    return Finding(
        Status.ERROR,
        source,
        reason,
        raises=type(exc).__name__,
        message=str(exc),
        **kw,  # type: ignore[arg-type]
    )


@runtime_checkable
class Provider(Protocol):
    """The inspector protocol: a botocore METHOD and a pure ``inspect(ctx, profile)``."""

    @property
    def METHOD(self) -> str:
        """botocore's METHOD: the provider's short name in ``Credentials.method``."""

    def inspect(self, ctx: Context, profile: str) -> Finding: ...


def _registry() -> dict[str, type[Provider]]:
    from credchain.providers.assume_role import AssumeRoleProvider
    from credchain.providers.boto_config import BotoProvider
    from credchain.providers.config_file import ConfigProvider
    from credchain.providers.container import ContainerProvider
    from credchain.providers.credential_process import ProcessProvider
    from credchain.providers.ec2_credentials_file import OriginalEC2Provider
    from credchain.providers.env import EnvProvider
    from credchain.providers.instance_metadata import InstanceMetadataProvider
    from credchain.providers.login import LoginProvider
    from credchain.providers.shared_credentials_file import SharedCredentialProvider
    from credchain.providers.sso import SSOProvider
    from credchain.providers.web_identity import AssumeRoleWithWebIdentityProvider

    classes: list[type[Provider]] = [
        EnvProvider,
        AssumeRoleProvider,
        AssumeRoleWithWebIdentityProvider,
        SSOProvider,
        SharedCredentialProvider,
        LoginProvider,
        ProcessProvider,
        ConfigProvider,
        OriginalEC2Provider,
        BotoProvider,
        ContainerProvider,
        InstanceMetadataProvider,
    ]
    return {cast(str, cls.METHOD): cls for cls in classes}


REGISTRY: dict[str, type[Provider]] = {}


def registry() -> dict[str, type[Provider]]:
    """``{METHOD: inspector class}`` for botocore's built-in providers."""
    if not REGISTRY:
        REGISTRY.update(_registry())
    return REGISTRY
