"""The assume-role inspector mirrors botocore's AssumeRoleProvider, without calling STS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from credchain._chain import build_chain
from credchain._context import Context
from credchain.providers import Finding, Status

ARN = "arn:aws:iam::123456789012:role/Deploy"
KEYS = "aws_access_key_id = AKIAEXAMPLEASSUMST01\naws_secret_access_key = SECRET-NEVER-PRINTED-AR\n"
MakeCtx = Callable[..., Context]


def inspect(ctx: Context, profile: str = "default", explicit: bool = False) -> Finding:
    providers: dict[str, Any] = dict(build_chain(ctx, explicit).providers)
    finding: Finding = providers["assume-role"].inspect(ctx, profile)
    return finding


def config(text: str) -> dict[str, str]:
    return {"home/.aws/config": text}


def test_no_role_arn_is_not_found(make_ctx: MakeCtx) -> None:
    """A profile without role_arn: not found."""
    assert inspect(make_ctx(files=config("[default]\nregion = x\n"))).status is Status.NOT_FOUND


def test_web_identity_token_file_takes_the_profile(make_ctx: MakeCtx) -> None:
    """role_arn next to web_identity_token_file is web identity's, not assume-role's."""
    ctx = make_ctx(files=config(f"[default]\nrole_arn = {ARN}\nweb_identity_token_file = /t\n"))
    finding = inspect(ctx)
    assert finding.status is Status.NOT_FOUND
    assert "web_identity_token_file" in finding.reason


def test_source_profile_with_keys_is_found(make_ctx: MakeCtx) -> None:
    """role_arn with a source profile holding keys: found, with the role and each hop."""
    ctx = make_ctx(
        files={
            **config(f"[profile dev]\nrole_arn = {ARN}\nsource_profile = base\n"),
            "home/.aws/credentials": f"[base]\n{KEYS}",
        }
    )
    finding = inspect(ctx, "dev", explicit=True)
    assert finding.status is Status.FOUND
    assert finding.role_arn == ARN
    assert any("base" in hop for hop in finding.details)


def test_cycle_is_an_infinite_loop(make_ctx: MakeCtx) -> None:
    """a -> b -> a is InfiniteLoopConfigError."""
    ctx = make_ctx(
        files=config(
            f"[profile a]\nrole_arn = {ARN}\nsource_profile = b\n"
            f"[profile b]\nrole_arn = {ARN}\nsource_profile = a\n"
        )
    )
    assert inspect(ctx, "a").raises == "InfiniteLoopConfigError"


def test_self_reference_needs_static_keys(make_ctx: MakeCtx) -> None:
    """A profile may source itself only when it holds static keys."""
    loop = make_ctx(files=config(f"[default]\nrole_arn = {ARN}\nsource_profile = default\n"))
    assert inspect(loop).raises == "InfiniteLoopConfigError"
    ok = make_ctx(files=config(f"[default]\nrole_arn = {ARN}\nsource_profile = default\n{KEYS}"))
    assert inspect(ok).status is Status.FOUND


def test_source_settings_are_validated(make_ctx: MakeCtx) -> None:
    """Missing source profile and both sources are InvalidConfigError; neither is partial."""
    missing = make_ctx(files=config(f"[default]\nrole_arn = {ARN}\nsource_profile = ghost\n"))
    assert inspect(missing).raises == "InvalidConfigError"
    both = (
        f"[default]\nrole_arn = {ARN}\nsource_profile = default\ncredential_source = Environment\n"
    )
    assert inspect(make_ctx(files=config(both))).raises == "InvalidConfigError"
    neither = make_ctx(files=config(f"[default]\nrole_arn = {ARN}\n"))
    assert inspect(neither).raises == "PartialCredentialsError"


def test_credential_source_environment(make_ctx: MakeCtx) -> None:
    """credential_source = Environment reads the env keys (found) or fails without them."""
    text = config(f"[default]\nrole_arn = {ARN}\ncredential_source = Environment\n")
    env = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLEASSUMT001", "AWS_SECRET_ACCESS_KEY": "s"}
    assert inspect(make_ctx(env=env, files=text)).status is Status.FOUND
    assert inspect(make_ctx(files=text)).raises == "CredentialRetrievalError"


def test_credential_source_names_are_case_sensitive(make_ctx: MakeCtx) -> None:
    """botocore validates credential_source case-sensitively: 'environment' is invalid."""
    ctx = make_ctx(files=config(f"[default]\nrole_arn = {ARN}\ncredential_source = environment\n"))
    assert inspect(ctx).raises == "InvalidConfigError"


def test_disabled_metadata_source_fails(make_ctx: MakeCtx) -> None:
    """credential_source = Ec2InstanceMetadata with IMDS disabled is CredentialRetrievalError."""
    ctx = make_ctx(
        files=config(f"[default]\nrole_arn = {ARN}\ncredential_source = Ec2InstanceMetadata\n")
    )
    assert inspect(ctx).raises == "CredentialRetrievalError"


def test_source_without_credentials_is_invalid(make_ctx: MakeCtx) -> None:
    """A source profile with nothing to offer is InvalidConfigError."""
    ctx = make_ctx(
        files=config(
            f"[default]\nrole_arn = {ARN}\nsource_profile = base\n[profile base]\nregion = x\n"
        )
    )
    assert inspect(ctx).raises == "InvalidConfigError"


def test_mfa_is_mentioned_not_prompted(make_ctx: MakeCtx) -> None:
    """mfa_serial makes the reason say a code will be asked for at first use."""
    ctx = make_ctx(
        files=config(
            f"[default]\nrole_arn = {ARN}\nsource_profile = default\nmfa_serial = arn:mfa\n{KEYS}"
        )
    )
    finding = inspect(ctx)
    assert finding.status is Status.FOUND
    assert "MFA arn:mfa" in finding.reason
