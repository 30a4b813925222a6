"""The env inspector mirrors botocore's EnvProvider."""

from __future__ import annotations

from collections.abc import Callable

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.env import EnvProvider

KEY = "AKIAEXAMPLEENVUN0001"
SECRET = "SECRET-NEVER-PRINTED-ENV".ljust(40, "K")
MakeCtx = Callable[..., Context]


def test_unset_is_not_found(make_ctx: MakeCtx) -> None:
    """Without AWS_ACCESS_KEY_ID the provider finds nothing."""
    finding = EnvProvider().inspect(make_ctx(), "default")
    assert finding.status is Status.NOT_FOUND
    assert "not set" in finding.reason


def test_blank_key_counts_as_unset(make_ctx: MakeCtx) -> None:
    """A blank AWS_ACCESS_KEY_ID is treated as unset, as botocore does."""
    ctx = make_ctx(env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": SECRET})
    finding = EnvProvider().inspect(ctx, "default")
    assert finding.status is Status.NOT_FOUND
    assert "empty" in finding.reason


def test_key_without_secret_is_partial(make_ctx: MakeCtx) -> None:
    """A key id without a (non-blank) secret is botocore's PartialCredentialsError."""
    for env in (
        {"AWS_ACCESS_KEY_ID": KEY},
        {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": ""},
    ):
        finding = EnvProvider().inspect(make_ctx(env=env), "default")
        assert finding.status is Status.ERROR
        assert finding.raises == "PartialCredentialsError"
        assert finding.access_key == KEY


def test_keys_are_found_and_secrets_remembered(make_ctx: MakeCtx) -> None:
    """Both variables set: found, with the session token's variable named and the secret kept
    for scrubbing."""
    token = "TOKEN-NEVER-PRINTED-ENV"
    ctx = make_ctx(
        env={"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": token}
    )
    finding = EnvProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert finding.access_key == KEY
    assert "AWS_SESSION_TOKEN" in (finding.source or "")
    assert {SECRET, token} <= ctx.secrets


def test_unparseable_expiration_raises_like_dateutil(make_ctx: MakeCtx) -> None:
    """An AWS_CREDENTIAL_EXPIRATION dateutil can't parse is reported as its ParserError."""
    ctx = make_ctx(
        env={
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_CREDENTIAL_EXPIRATION": "next week",
        }
    )
    finding = EnvProvider().inspect(ctx, "default")
    assert finding.status is Status.ERROR
    assert finding.raises == "ParserError"


def test_blank_expiration_is_ignored(make_ctx: MakeCtx) -> None:
    """A blank AWS_CREDENTIAL_EXPIRATION is ignored, as botocore does."""
    ctx = make_ctx(
        env={
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_CREDENTIAL_EXPIRATION": "",
        }
    )
    assert EnvProvider().inspect(ctx, "default").status is Status.FOUND
