"""The sso inspector mirrors botocore's SSOProvider; it reads the token cache, never refreshes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.sso import SSOProvider

URL = "https://example.awsapps.com/start"
LEGACY = f"sso_start_url = {URL}\nsso_region = us-east-1\nsso_account_id = 111122223333\n"
MakeCtx = Callable[..., Context]


def cache_file(key: str) -> str:
    return f"home/.aws/sso/cache/{hashlib.sha1(key.encode()).hexdigest()}.json"


def test_no_sso_keys_is_not_found(make_ctx: MakeCtx) -> None:
    """A profile without sso_role_name or sso_account_id: not found."""
    ctx = make_ctx(files={"home/.aws/config": f"[default]\nsso_start_url = {URL}\n"})
    assert SSOProvider().inspect(ctx, "default").status is Status.NOT_FOUND


def test_legacy_profile_is_found_with_its_role(make_ctx: MakeCtx) -> None:
    """Legacy SSO keys: found, with the permission set's role pattern and account, no ARN."""
    ctx = make_ctx(files={"home/.aws/config": f"[default]\n{LEGACY}sso_role_name = Admin\n"})
    finding = SSOProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert finding.role_arn is None  # the real one has a path and a suffix
    assert finding.role_name == "AWSReservedSSO_Admin_*"
    assert finding.account == "111122223333" and finding.partition == "aws"
    assert "No cached token" in finding.reason


def test_valid_and_expired_tokens_are_told_apart(make_ctx: MakeCtx) -> None:
    """The cached token's expiry is read (never refreshed) and reported; the token is kept
    secret."""
    text = f"[default]\n{LEGACY}sso_role_name = Admin\n"
    token = "SSO-ACCESS-TOKEN-NEVER-PRINTED"
    for expires, words in (
        ("2099-01-01T00:00:00Z", "valid until"),
        ("2001-01-01T00:00:00Z", "expired"),
    ):
        body = json.dumps({"accessToken": token, "expiresAt": expires})
        ctx = make_ctx(files={"home/.aws/config": text, cache_file(URL): body})
        finding = SSOProvider().inspect(ctx, "default")
        assert words in finding.reason
        assert token in ctx.secrets and token not in finding.reason


def test_missing_keys_are_invalid(make_ctx: MakeCtx) -> None:
    """sso_role_name alone is InvalidConfigError naming what is missing."""
    ctx = make_ctx(files={"home/.aws/config": "[default]\nsso_role_name = Admin\n"})
    finding = SSOProvider().inspect(ctx, "default")
    assert (finding.status, finding.raises) == (Status.ERROR, "InvalidConfigError")
    assert "sso_start_url" in finding.reason


def test_sso_session_is_resolved(make_ctx: MakeCtx) -> None:
    """sso_session takes start URL and region from its section; its name keys the cache."""
    ctx = make_ctx(
        files={
            "home/.aws/config": "[default]\nsso_session = corp\nsso_account_id = 1\n"
            "sso_role_name = R\n"
            f"[sso-session corp]\nsso_start_url = {URL}\nsso_region = us-east-1\n",
            cache_file("corp"): json.dumps(
                {"accessToken": "t", "expiresAt": "2099-01-01T00:00:00Z"}
            ),
        }
    )
    finding = SSOProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert "sso-session corp" in (finding.source or "")
    assert "valid until" in finding.reason


def test_missing_or_conflicting_session_is_invalid(make_ctx: MakeCtx) -> None:
    """A missing sso-session, or one that disagrees with the profile, is InvalidConfigError."""
    missing = "[default]\nsso_session = ghost\nsso_role_name = R\n"
    conflict = (
        "[default]\nsso_session = corp\nsso_region = eu-west-1\nsso_role_name = R\n"
        f"[sso-session corp]\nsso_start_url = {URL}\nsso_region = us-east-1\n"
    )
    for text in (missing, conflict):
        finding = SSOProvider().inspect(make_ctx(files={"home/.aws/config": text}), "default")
        assert finding.raises == "InvalidConfigError"
