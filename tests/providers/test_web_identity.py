"""The web identity inspector mirrors botocore's AssumeRoleWithWebIdentityProvider."""

from __future__ import annotations

from collections.abc import Callable

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.web_identity import AssumeRoleWithWebIdentityProvider

ARN = "arn:aws:iam::123456789012:role/Web"
MakeCtx = Callable[..., Context]


def test_nothing_configured_is_not_found(make_ctx: MakeCtx) -> None:
    """Without a token file anywhere: not found."""
    finding = AssumeRoleWithWebIdentityProvider().inspect(make_ctx(), "default")
    assert finding.status is Status.NOT_FOUND


def test_environment_variables_are_found(make_ctx: MakeCtx) -> None:
    """AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN: found, with the role, the token unread."""
    ctx = make_ctx(
        env={"AWS_WEB_IDENTITY_TOKEN_FILE": "{root}/t.jwt", "AWS_ROLE_ARN": ARN},
        files={"t.jwt": "a.b.c"},
    )
    finding = AssumeRoleWithWebIdentityProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert finding.role_arn == ARN
    assert "exists and is readable" in finding.reason


def test_missing_token_file_still_wins(make_ctx: MakeCtx) -> None:
    """botocore commits before reading the token: a missing file is found, with a warning."""
    ctx = make_ctx(env={"AWS_WEB_IDENTITY_TOKEN_FILE": "{root}/none", "AWS_ROLE_ARN": ARN})
    finding = AssumeRoleWithWebIdentityProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert "does not exist" in finding.reason


def test_no_role_arn_is_invalid(make_ctx: MakeCtx) -> None:
    """A token file without a role ARN is InvalidConfigError."""
    ctx = make_ctx(env={"AWS_WEB_IDENTITY_TOKEN_FILE": "{root}/t.jwt"})
    finding = AssumeRoleWithWebIdentityProvider().inspect(ctx, "default")
    assert (finding.status, finding.raises) == (Status.ERROR, "InvalidConfigError")


def test_env_disabled_reads_only_the_profile(make_ctx: MakeCtx) -> None:
    """Under an explicit profile the variables are ignored and the profile's keys are read."""
    ctx = make_ctx(
        env={"AWS_WEB_IDENTITY_TOKEN_FILE": "{root}/t.jwt", "AWS_ROLE_ARN": ARN},
        files={
            "home/.aws/config": f"[profile ci]\nweb_identity_token_file = /t\nrole_arn = {ARN}2\n"
        },
    )
    provider = AssumeRoleWithWebIdentityProvider(disable_env_vars=True)
    assert provider.inspect(ctx, "default").status is Status.NOT_FOUND
    finding = provider.inspect(ctx, "ci")
    assert finding.status is Status.FOUND
    assert finding.role_arn == ARN + "2"


def test_blank_token_file_is_unset(make_ctx: MakeCtx) -> None:
    """A blank AWS_WEB_IDENTITY_TOKEN_FILE counts as not configured."""
    ctx = make_ctx(env={"AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": ARN})
    finding = AssumeRoleWithWebIdentityProvider().inspect(ctx, "default")
    assert finding.status is Status.NOT_FOUND
