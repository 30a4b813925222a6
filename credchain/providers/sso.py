"""``sso``: IAM Identity Center — mirrors ``botocore.credentials.SSOProvider``.

Reads ``sso_account_id`` / ``sso_role_name`` of the profile, and ``sso_start_url``
/ ``sso_region`` from the profile (legacy) or its ``[sso-session NAME]``.
botocore commits as soon as the role name or account id is set: missing keys,
a missing sso-session and conflicting values are ``InvalidConfigError``; a
missing or expired token fails only at first use. credchain checks the token
cache file (``~/.aws/sso/cache/<sha1>.json``) without reading the token out and
never refreshes it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any, ClassVar

import attrs

from credchain._context import Context
from credchain._io.files import Refused
from credchain._report import Status
from credchain.providers import Finding, error

PROFILE_REQUIRED = ("sso_role_name", "sso_account_id")
SSO_REQUIRED = ("sso_start_url", "sso_region")


@attrs.frozen
class SSOProvider:
    """Inspector for botocore's ``SSOProvider``."""

    METHOD: ClassVar[str] = "sso"
    CANONICAL_NAME: ClassVar[None] = None

    def inspect(self, ctx: Context, profile: str) -> Finding:
        from botocore.exceptions import InvalidConfigError

        try:
            config = ctx.full_config()
        except Exception as e:
            return error(e, None, "botocore fails while loading the configuration here.")
        profile_config: dict[str, Any] = config.get("profiles", {}).get(profile, {})
        source = f"profile {profile}"
        if all(c not in profile_config for c in PROFILE_REQUIRED):
            return Finding(Status.NOT_FOUND, source, f"profile {profile} has no sso_role_name.")
        try:
            resolved, extra = _resolve_session(profile_config, config.get("sso_sessions", {}))
        except InvalidConfigError as e:
            return error(e, source, f"the SSO configuration of profile {profile} is invalid.")
        except Exception as e:
            return error(e, source, f"botocore fails on the SSO settings of profile {profile}.")
        missing = [k for k in (*PROFILE_REQUIRED, *SSO_REQUIRED, *extra) if k not in resolved]
        if missing:
            names = ", ".join(missing)
            return error(
                InvalidConfigError(
                    error_msg=f'The profile "{profile}" is configured to use SSO '
                    f"but is missing required configuration: {names}"
                ),
                source,
                f"profile {profile} is configured for SSO but lacks {names}.",
                fix=f"add {names} to profile {profile}",
            )
        account, role = resolved["sso_account_id"], resolved["sso_role_name"]
        session_name = resolved.get("sso_session")
        if session_name is not None:
            source = f"profile {profile}, sso-session {session_name}"
        token = _token_state(ctx, session_name or resolved["sso_start_url"], profile, session_name)
        return Finding(
            Status.FOUND,
            source,
            f"IAM Identity Center role {role} in account {account}; botocore calls "
            f"sso:GetRoleCredentials at first use. {token}",
            role_arn=f"arn:{_partition(resolved['sso_region'])}:iam::{account}:role/{role}",
            fix=f"remove the sso_* settings from profile {profile}",
        )


def _partition(region: Any) -> str:
    """The partition of the SSO region (the role lives in the same partition)."""
    region = str(region)
    for prefix, partition in (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov")):
        if region.startswith(prefix):
            return partition
    return "aws"


def _resolve_session(
    profile_config: dict[str, Any], sso_sessions: dict[str, Any]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """botocore's ``_resolve_sso_session_reference``, the same checks in the same order."""
    from botocore.exceptions import InvalidConfigError

    name = profile_config.get("sso_session")
    if name is None:
        return profile_config, ()
    if name not in sso_sessions:
        raise InvalidConfigError(error_msg=f'The specified sso-session does not exist: "{name}"')
    config = profile_config.copy()
    for key, val in sso_sessions[name].items():
        if config.get(key, val) != val:
            raise InvalidConfigError(
                error_msg=f"The value for {key} is inconsistent between profile and sso-session."
            )
        config[key] = val
    return config, ("sso_session",)


def _token_state(ctx: Context, key: str, profile: str, session: str | None) -> str:
    login = f"aws sso login --profile {profile}"
    if session is not None:
        login = f"aws sso login --sso-session {session}"
    cache_dir = ctx.expand(ctx.path("~", ".aws", "sso", "cache"))
    digest = hashlib.sha1(str(key).encode("utf-8")).hexdigest()  # noqa: S324 - botocore's key
    path = ctx.path(cache_dir, digest + ".json")
    # botocore reads this file only at first use, not while building credentials:
    # credchain reads a regular file only, capped, and never changes the winner for it.
    try:
        token = json.loads(ctx.read_text(path, what="the SSO token cache"))
    except FileNotFoundError:
        return f"No cached token ({path} is missing): first use will fail until `{login}`."
    except Refused as e:
        return f"{e.reason[0].upper()}{e.reason[1:]} Run `{login}` if first use fails."
    except (OSError, ValueError):
        return f"The token cache {path} is unreadable: first use will fail until `{login}`."
    if not isinstance(token, dict) or "accessToken" not in token or "expiresAt" not in token:
        return f"The token cache {path} is incomplete: first use will fail until `{login}`."
    for secret in ("accessToken", "refreshToken", "clientSecret"):
        ctx.note_value(secret, token.get(secret))
    try:
        from dateutil.parser import parse

        expires = parse(token["expiresAt"])
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=datetime.timezone.utc)
    except Exception:
        return f"The token cache {path} has an unreadable expiry: run `{login}`."
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    if expires <= now:
        refresh = ""
        if session is not None and token.get("refreshToken"):
            refresh = " botocore will try to refresh it at first use (credchain does not)."
        return f"The cached token expired at {stamp}.{refresh} Fix: `{login}`."
    return f"The cached token is valid until {stamp} (not refreshed, not used)."
