"""The result types of :func:`credchain.explain`: Status, ProviderResult, Report."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from credchain._mask import mask_key, scrub, scrub_all, scrub_optional
from credchain._record import field, record
from credchain._render import render_report
from credchain._status import Status

if TYPE_CHECKING:
    from credchain._settings import Endpoint, Setting


__all__ = ["ProviderResult", "Report", "Status"]


@record
class ProviderResult:
    """One provider of botocore's chain, as credchain inspected it.

    Attributes:
        method: botocore's ``METHOD`` name (``env``, ``shared-credentials-file``,
            ``iam-role``, …, or a plugin's own).
        status: what it contributes: the winner (``found``), ``shadowed``, …
        source: where it looked or found: a file path with its profile section,
            environment variable names, a URL.
        reason: one sentence a person understands: why found, why not.
        access_key: the access key id it would yield as loaded (no refresh),
            masked: first 4 and last 4 characters kept; None when not known
            without a call.
        role_arn: the role it would use, where knowable without credentials.
        raises: the class name of the exception botocore raises here.
        details: extra lines: nested source chains, settings.
        fix: what to change so this provider stops winning, or works.
        provider_class: the botocore provider class, for a plugin's provider.
        expires_at: timezone-aware expiry of the temporary credentials (or of
            the SSO/login token behind them) as seen without a refresh; None
            for long-term keys or when unknown.
        usable: for the winner: will the credentials work at first use, as far
            as can be known offline? False: they will fail; None: not checked
            (a process not run, an endpoint not probed).
        usable_reason: a short clause saying why ``usable`` is False or None.
        role_name: the role's name where it is known but its ARN is not (IAM
            Identity Center: ``AWSReservedSSO_<permission set>_*``).
        account: the 12-digit account of the role, where configuration says it.
        partition: the role's partition (``aws``, ``aws-cn``, …).
        stop: what to change so botocore stops using this provider, where
            ``fix`` says how to repair it instead.

    .. versionadded:: 0.1.0
    """

    # Every text field passes credchain._mask.scrub as it is set: nothing built here can
    # carry a secret out, whoever builds it.
    method: str
    status: Status
    source: str | None = field(converter=scrub_optional)
    reason: str = field(converter=scrub)
    access_key: str | None = field(default=None, converter=mask_key)
    role_arn: str | None = field(default=None, converter=scrub_optional)
    raises: str | None = None  # exception class name botocore raises here
    details: tuple[str, ...] = field(default=(), converter=scrub_all)  # nested chains…
    fix: str | None = field(default=None, converter=scrub_optional)  # what to change
    provider_class: str | None = None
    #: Timezone-aware expiry of the temporary credentials (or of the SSO/login token
    #: behind them) as seen without a refresh; None for long-term keys or when unknown.
    expires_at: datetime.datetime | None = None
    #: Will the credentials work at first use, as far as can be known offline?
    #: False: they will fail; None: not checked (a process not run, an endpoint not probed).
    usable: bool | None = None
    #: A short clause saying why ``usable`` is False or None ("its SSO token expired …").
    usable_reason: str | None = field(default=None, converter=scrub_optional)
    #: The role's name where it is known but its ARN is not (an IAM Identity Center
    #: role: the pattern ``AWSReservedSSO_<permission set>_*``).
    role_name: str | None = None
    #: The 12-digit account of the role, where configuration says it.
    account: str | None = None
    #: The role's partition (``aws``, ``aws-cn``, …), with ``role_name`` / ``account``.
    partition: str | None = None
    #: What to change so botocore stops using this provider, where ``fix`` says how
    #: to repair it instead (an expired SSO token: ``fix`` is ``aws sso login``).
    stop: str | None = field(default=None, converter=scrub_optional)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "method": self.method,
            "status": self.status.value,
            "source": self.source,
            "reason": self.reason,
            "access_key": self.access_key,
            "role_arn": self.role_arn,
            "expires_at": None if self.expires_at is None else _iso(self.expires_at),
            "usable": self.usable,
        }
        if self.usable_reason:
            d["usable_reason"] = self.usable_reason
        if self.role_name is not None:
            d["role_name"] = self.role_name
        if self.account is not None:
            d["account"] = self.account
        if self.partition is not None:
            d["partition"] = self.partition
        if self.stop:
            d["stop"] = self.stop
        if self.raises is not None:
            d["raises"] = self.raises
        if self.details:
            d["details"] = list(self.details)
        if self.fix:
            d["fix"] = self.fix
        if self.provider_class:
            d["provider_class"] = self.provider_class
        return d


@record
class Report:
    """What ``botocore.session.Session().get_credentials()`` would do, provider by provider.

    Exactly one of :attr:`winner` and :attr:`raises` describes the outcome, or
    neither when botocore finds no credentials at all (or the outcome depends
    on a provider credchain cannot inspect: :attr:`undetermined`).

    Attributes:
        providers: every provider of the chain, in botocore's order.
        winner: the provider whose credentials botocore would return, or None.
        raises: exactly ``type(e).__name__`` of the exception
            ``get_credentials()`` would raise (``"ProfileNotFound"``,
            ``"PartialCredentialsError"``, ``"KeyError"``, …), else None.
        error: the chain provider whose ``load()`` would raise; None when
            botocore raises while building the chain, or does not raise.
        profile: the profile name in effect (``"default"`` when none is set).
        botocore_version: the installed botocore's version.
        profile_source: where the profile came from: ``"explicit"``,
            ``"AWS_PROFILE"``, ``"AWS_DEFAULT_PROFILE"``, ``"session"``, or None.
        message: botocore's own message for :attr:`raises`, scrubbed of secrets.
        warnings: things a person should know (drift of botocore's chain, …).
        network: whether network probes were allowed.
        run_process: whether ``credential_process`` commands were run.
        explicit_credentials: the session was given credentials directly
            (they bypass the chain).
        undetermined: the provider credchain could not inspect that comes
            before every ``found`` one: botocore's answer depends on it, so
            :attr:`winner` and :attr:`raises` are None.
        checked_at: the inspection's "now", against which expiries were judged.
        settings: every botocore session variable by name
            (:class:`credchain.Setting`): the value botocore would use and its
            source; :attr:`region` is ``settings["region"].value``.
        aiobotocore_version: the aiobotocore version whose resolver was read
            (``explain(session=AioSession())``), else None.
        next_steps: what to do next, one sentence each: no credentials, a
            missing profile, …

    .. versionadded:: 0.1.0
    """

    providers: tuple[ProviderResult, ...]
    winner: ProviderResult | None
    raises: str | None
    error: ProviderResult | None
    profile: str
    botocore_version: str
    profile_source: str | None = None  # "explicit", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "session"
    message: str | None = field(default=None, converter=scrub_optional)  # botocore's
    warnings: tuple[str, ...] = field(default=(), converter=scrub_all)
    network: bool = True
    run_process: bool = False
    explicit_credentials: bool = False
    #: The provider credchain could not inspect that comes before every ``found``
    #: (a plugin without an inspector, not loaded; a process that did not finish):
    #: botocore's answer depends on it, so ``winner`` and ``raises`` are None.
    undetermined: ProviderResult | None = None
    #: The inspection's "now" (its clock), against which expiries were judged.
    checked_at: datetime.datetime | None = None
    #: The aiobotocore version whose resolver was read (``explain(session=AioSession())``).
    aiobotocore_version: str | None = None
    #: Every botocore session variable: the value botocore would use and its source.
    settings: Mapping[str, Setting] = field(factory=dict, hash=False)
    # The inspection's context, kept for endpoints(): never shown, compared or pickled.
    _context: Any = field(default=None, repr=False, eq=False, hash=False, alias="context")
    _endpoints: dict[str, Endpoint] = field(
        factory=dict, init=False, repr=False, eq=False, hash=False
    )

    @property
    def region(self) -> str | None:
        """The region botocore would use (``settings["region"].value``), or None.

        .. versionadded:: 0.2.0
        """
        setting = self.settings.get("region")
        return None if setting is None or setting.value is None else str(setting.value)

    def endpoints(self) -> Mapping[str, Endpoint]:
        """The STS endpoint (and SSO's, for an SSO profile) a botocore client would use.

        Computed on the first call, from clients built for the inspected
        environment and files: no credentials loaded, no connection opened.

        .. versionadded:: 0.2.0
        """
        if not self._endpoints and self._context is not None:
            from credchain._settings import endpoints_of

            self._endpoints.update(endpoints_of(self._context))
        return dict(self._endpoints)

    next_steps: tuple[str, ...] = field(default=(), converter=scrub_all)  # what to do next

    @property
    def shadowed(self) -> tuple[ProviderResult, ...]:
        """Providers that would have supplied credentials had they been reached."""
        return tuple(p for p in self.providers if p.status is Status.SHADOWED)

    def get(self, method: str) -> ProviderResult | None:
        """The provider with this METHOD, or None."""
        return next((p for p in self.providers if p.method == method), None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the contract's keys first.

        ``"schema"`` is the version of the document's shape
        (:mod:`credchain.schema`; ``credchain/schema/report.v1.json``).
        """
        return {
            "profile": self.profile,
            "botocore_version": self.botocore_version,
            "winner": self.winner.method if self.winner else None,
            "raises": self.raises,
            "error": self.error.method if self.error else None,
            "providers": [p.to_dict() for p in self.providers],
            "schema": 1,  # credchain.schema.SCHEMA_VERSION; bumped only on an incompatible change
            "profile_source": self.profile_source,
            "message": self.message,
            "warnings": list(self.warnings),
            "network": self.network,
            "run_process": self.run_process,
            "explicit_credentials": self.explicit_credentials,
            "undetermined": self.undetermined.method if self.undetermined else None,
            "checked_at": None if self.checked_at is None else _iso(self.checked_at),
            **(
                {"aiobotocore_version": self.aiobotocore_version}
                if self.aiobotocore_version
                else {}
            ),
            "region": self.region,
            "settings": {name: s.to_dict() for name, s in self.settings.items()},
            "next_steps": list(self.next_steps),
        }

    def to_json(self, indent: int | None = None) -> str:
        """``json.dumps(to_dict())`` with a stable key order."""
        return json.dumps(self.to_dict(), indent=indent)

    def __str__(self) -> str:
        return render_report(self)


def _iso(value: datetime.datetime) -> str:
    from credchain._expiry import iso_utc

    return iso_utc(value)
