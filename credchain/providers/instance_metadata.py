"""``iam-role``: the EC2 instance role — mirrors ``InstanceMetadataProvider``.

Reads ``AWS_EC2_METADATA_DISABLED`` and the session settings botocore uses for
its fetcher: ``ec2_metadata_service_endpoint`` / ``AWS_EC2_METADATA_SERVICE_ENDPOINT``,
``…_ENDPOINT_MODE`` / ``imds_use_ipv6``, ``ec2_metadata_v1_disabled``,
``metadata_service_timeout`` and ``metadata_service_num_attempts``. With the
network allowed it asks the metadata service as botocore does (IMDSv2 token,
IMDSv1 fallback, never a tokenless request while the token request can still
answer), within ``timeout=`` as a whole (default: ``metadata_service_timeout``),
and tells apart disabled, refused or no route, no answer, no instance profile,
token refused with IMDSv1 disabled, credentials returned, and ``unknown`` where
credchain's bound ends the probe before botocore would; with ``network=False``
it opens no socket: ``unknown``.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from credchain import _imds
from credchain._context import Context
from credchain._imds import DISABLED, IMDSSettings, imds_settings
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding, error

if TYPE_CHECKING:
    from credchain._io.http import IMDSResult, Pending

__all__ = ["DISABLED", "IMDSSettings", "InstanceMetadataProvider", "imds_settings"]


@record
class InstanceMetadataProvider:
    """Inspector for botocore's ``InstanceMetadataProvider``."""

    METHOD: ClassVar[str] = "iam-role"
    CANONICAL_NAME: ClassVar[str] = "Ec2InstanceMetadata"

    settings: IMDSSettings

    @staticmethod
    def disabled(ctx: Context) -> bool:
        """botocore's IMDSFetcher test: only the (case-insensitive) value "true" disables."""
        return _imds.disabled(ctx)

    def bound(self, ctx: Context) -> float:
        """How long the whole probe may take: ``timeout=``, else botocore's metadata timeout."""
        return _imds.bound(ctx, self.settings)

    def probe(self, ctx: Context) -> Pending[IMDSResult]:
        """The metadata fetch, started once per inspection (in the background)."""
        return _imds.probe(ctx, self.settings)

    def inspect(self, ctx: Context, profile: str) -> Finding:
        s = self.settings
        if self.disabled(ctx):
            return Finding(
                Status.DISABLED,
                DISABLED,
                f"{DISABLED}={ctx.env[DISABLED]}: botocore does not ask the instance "
                "metadata service.",
            )
        if not ctx.network:
            return Finding(
                Status.UNKNOWN,
                s.base_url,
                f"not asked (network=False): botocore would ask {s.base_url} last.",
                usable_reason="the metadata service was not asked (network=False)",
            )
        from credchain._io.http import Cut

        try:
            result = self.probe(ctx).result()
        except Cut:
            return Finding(
                Status.UNKNOWN,
                s.base_url,
                f"{s.base_url} did not finish answering within {self.bound(ctx):g} s.",
            )
        except Exception as e:
            return error(e, s.base_url, f"the metadata service request failed: {e}")
        if result.outcome == "raise":
            assert result.exception is not None
            return error(result.exception, s.base_url, result.detail + ".")
        if result.outcome == "unknown":
            return Finding(Status.UNKNOWN, s.base_url, result.detail + ".")
        if result.outcome != "credentials":
            return Finding(Status.NOT_FOUND, s.base_url, result.detail + ".")
        try:
            return _found(ctx, result.role_name or "", result.credentials, s.base_url, result)
        except Exception as e:
            return error(e, s.base_url, "the metadata service returned unusable credentials.")


def _found(ctx: Context, role: str, creds: Any, url: str, result: IMDSResult) -> Finding:
    # The same reads as botocore's retrieve_iam_role_credentials and create_from_metadata.
    access_key = creds["AccessKeyId"]
    ctx.note_value("SecretAccessKey", creds["SecretAccessKey"])
    ctx.note_value("Token", creds["Token"])
    expiry = creds["Expiration"]
    if expiry is not None:
        # botocore's _evaluate_expiration only logs a ValueError; a TypeError escapes.
        with contextlib.suppress(ValueError):
            datetime.datetime.strptime(expiry, "%Y-%m-%dT%H:%M:%SZ")
    from credchain._expiry import aware, is_expired, parse, relative

    expires_at = aware(parse(expiry))  # RefreshableCredentials.create_from_metadata
    usable: bool | None = True
    usable_reason = None
    if expires_at is not None and is_expired(expires_at, ctx.now()):
        # botocore's _evaluate_expiration extends expired instance credentials by 5-10
        # minutes and uses them (static stability): whether AWS accepts them is unknown.
        usable = None
        usable_reason = (
            f"the instance credentials {relative(expires_at, ctx.now())}; botocore extends "
            "and uses them while the metadata service cannot renew them"
        )
    if isinstance(access_key, str):
        ctx.key_ids.add(access_key)
    how = result.detail.removeprefix("role credentials returned ")  # via IMDSv1 / v2, and why
    return Finding(
        Status.FOUND,
        f"{url} (role {role})",
        f"the instance role {role} {how} (credentials expire {expiry}).",
        access_key=access_key if isinstance(access_key, str) else None,
        role_arn=f"role/{role}",
        fix=None,
        expires_at=expires_at,
        usable=usable,
        usable_reason=usable_reason,
    )
