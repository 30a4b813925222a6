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
import json
from typing import Any, ClassVar

from credchain._context import Context
from credchain._io.files import Refused
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding, error

PROFILE_REQUIRED = ("sso_role_name", "sso_account_id")
SSO_REQUIRED = ("sso_start_url", "sso_region")


@record
class SSOProvider:
    """Inspector for botocore's ``SSOProvider``."""

    METHOD: ClassVar[str] = "sso"
    CANONICAL_NAME: ClassVar[None] = None
    #: Keys of the profile (``Session.full_config``'s section) without any of which
    #: :meth:`absent` is True: a listing tests only profiles holding one of them.
    absent_without: ClassVar[frozenset[str]] = frozenset(PROFILE_REQUIRED)

    def absent(self, ctx: Context, profile: str) -> bool:
        """Whether :meth:`inspect` would say ``not-found`` (listings skip it then)."""
        try:
            profile_config = ctx.full_config().get("profiles", {}).get(profile, {})
        except Exception:
            return False
        return all(c not in profile_config for c in PROFILE_REQUIRED)

    def inspect(self, ctx: Context, profile: str) -> Finding:
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
        except Exception as e:
            from botocore.exceptions import InvalidConfigError

            if isinstance(e, InvalidConfigError):
                return error(e, source, f"the SSO configuration of profile {profile} is invalid.")
            return error(e, source, f"botocore fails on the SSO settings of profile {profile}.")
        missing = [k for k in (*PROFILE_REQUIRED, *SSO_REQUIRED, *extra) if k not in resolved]
        if missing:
            from botocore.exceptions import InvalidConfigError

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
        key = session_name or resolved["sso_start_url"]
        # One look at the token cache per inspection for the profiles of one sso-session.
        memo_key = ("sso-token", str(key), session_name, None if session_name else profile)
        if memo_key not in ctx.memo:
            ctx.memo[memo_key] = _token_state(ctx, key, profile, session_name)
        token: TokenState = ctx.memo[memo_key]
        remove = f"remove the sso_* settings from profile {profile}"
        # IAM Identity Center's role is ACCOUNT:role/aws-reserved/sso.amazonaws.com/
        # [REGION/]AWSReservedSSO_<set>_<hex>: its path and suffix are not in the
        # configuration, so no ARN is made up here.
        return Finding(
            Status.FOUND,
            source,
            f"IAM Identity Center role {role} in account {account}; botocore calls "
            f"sso:GetRoleCredentials at first use. {token.text}",
            fix=token.login if token.usable is False else remove,
            stop=remove if token.usable is False else None,
            expires_at=token.expires_at,
            usable=token.usable,
            usable_reason=token.reason,
            role_name=f"AWSReservedSSO_{role}_*",
            account=str(account),
            partition=_partition(resolved["sso_region"]),
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
    name = profile_config.get("sso_session")
    if name is None:
        return profile_config, ()
    if name not in sso_sessions:
        from botocore.exceptions import InvalidConfigError

        raise InvalidConfigError(error_msg=f'The specified sso-session does not exist: "{name}"')
    config = profile_config.copy()
    for key, val in sso_sessions[name].items():
        if config.get(key, val) != val:
            from botocore.exceptions import InvalidConfigError

            raise InvalidConfigError(
                error_msg=f"The value for {key} is inconsistent between profile and sso-session."
            )
        config[key] = val
    return config, ("sso_session",)


@record
class TokenState:
    """What the SSO token cache says, without reading the token out or refreshing it."""

    text: str  # sentences for the reason
    usable: bool | None
    reason: str | None  # a short clause for the headline
    login: str  # the command that repairs it
    expires_at: datetime.datetime | None = None


REFRESH_KEYS = ("refreshToken", "clientId", "clientSecret", "registrationExpiresAt")


def _token_state(ctx: Context, key: str, profile: str, session: str | None) -> TokenState:
    login = f"aws sso login --profile {profile}"
    if session is not None:
        login = f"aws sso login --sso-session {session}"
    fix = f"run `{login}`"
    cache_dir = ctx.expand(ctx.path("~", ".aws", "sso", "cache"))
    import hashlib

    digest = hashlib.sha1(str(key).encode("utf-8")).hexdigest()  # noqa: S324 - botocore's key
    path = ctx.path(cache_dir, digest + ".json")
    # botocore reads this file only at first use, not while building credentials:
    # credchain reads a regular file only, capped, and never changes the winner for it.

    def unusable(text: str, reason: str) -> TokenState:
        return TokenState(text, False, reason, fix)

    try:
        token = json.loads(ctx.read_text(path, what="the SSO token cache"))
    except FileNotFoundError:
        return unusable(
            f"No cached token ({path} is missing): first use will fail until `{login}`.",
            "there is no cached SSO token (never logged in, or logged out)",
        )
    except Refused as e:
        return TokenState(
            f"{e.reason[0].upper()}{e.reason[1:]} Run `{login}` if first use fails.",
            None,
            f"its SSO token cache was not read ({e.reason})",
            fix,
        )
    except (OSError, ValueError):
        return unusable(
            f"The token cache {path} is unreadable: first use will fail until `{login}`.",
            f"its SSO token cache {path} is unreadable",
        )
    if not isinstance(token, dict) or "accessToken" not in token or "expiresAt" not in token:
        return unusable(
            f"The token cache {path} is incomplete: first use will fail until `{login}`.",
            f"its SSO token cache {path} is incomplete",
        )
    for secret in ("accessToken", "refreshToken", "clientSecret"):
        ctx.note_value(secret, token.get(secret))
    from credchain._expiry import aware, is_expired, iso_utc, parse, relative

    try:
        expires = aware(parse(token["expiresAt"]))
    except Exception:
        expires = None
    if expires is None:  # botocore fails comparing it (or parsing it) at first use
        return unusable(
            f"The token cache {path} has an unreadable expiry: run `{login}`.",
            "its SSO token's expiry cannot be read",
        )
    now = ctx.now()
    stamp = iso_utc(expires)
    if not is_expired(expires, now):
        return TokenState(
            f"The cached token is valid until {stamp} (not refreshed, not used).",
            True,
            None,
            fix,
            expires,
        )
    when = relative(expires, now)
    if session is not None and _can_refresh(token, now):
        # SSOTokenProvider refreshes an expiring token with the cached refresh token and
        # client registration (one sso-oidc:CreateToken call) before it fails.
        return TokenState(
            f"The cached token expired at {stamp}; botocore will try to refresh it at first "
            f"use (credchain does not). If that fails: `{login}`.",
            None,
            f"its SSO token {when}; botocore will try to refresh it at first use",
            fix,
            expires,
        )
    return TokenState(
        f"The cached token expired at {stamp}: first use will fail. Fix: `{login}`.",
        False,
        f"its SSO token {when}: the first call fails",
        fix,
        expires,
    )


def _can_refresh(token: dict[str, Any], now: datetime.datetime) -> bool:
    """botocore's ``SSOTokenProvider._refresh_access_token`` preconditions."""
    if any(k not in token for k in REFRESH_KEYS):
        return False
    from credchain._expiry import aware, parse

    try:
        registration = aware(parse(token["registrationExpiresAt"]))
    except Exception:
        return False
    return registration is not None and registration > now
