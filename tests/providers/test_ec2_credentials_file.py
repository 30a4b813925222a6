"""The ec2-credentials-file inspector mirrors botocore's OriginalEC2Provider."""

from __future__ import annotations

from collections.abc import Callable

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.ec2_credentials_file import OriginalEC2Provider

KEY = "AKIAEXAMPLEEC2FIEST1"
SECRET = "SECRET-NEVER-PRINTED-EC2".ljust(40, "K")
MakeCtx = Callable[..., Context]


def test_unset_is_not_found(make_ctx: MakeCtx) -> None:
    """Without AWS_CREDENTIAL_FILE the provider finds nothing."""
    assert OriginalEC2Provider().inspect(make_ctx(), "default").status is Status.NOT_FOUND


def test_keys_are_found(make_ctx: MakeCtx) -> None:
    """AWSAccessKeyId and AWSSecretKey lines: found."""
    ctx = make_ctx(
        env={"AWS_CREDENTIAL_FILE": "{root}/ec2"},
        files={"ec2": f"AWSAccessKeyId={KEY}\nAWSSecretKey={SECRET}\n"},
    )
    finding = OriginalEC2Provider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert finding.access_key == KEY
    assert SECRET in ctx.secrets


def test_missing_file_raises_config_not_found(make_ctx: MakeCtx) -> None:
    """Unlike the other file providers, a missing file is botocore's ConfigNotFound."""
    ctx = make_ctx(env={"AWS_CREDENTIAL_FILE": "{root}/missing"})
    finding = OriginalEC2Provider().inspect(ctx, "default")
    assert (finding.status, finding.raises) == (Status.ERROR, "ConfigNotFound")


def test_missing_secret_raises_key_error(make_ctx: MakeCtx) -> None:
    """A key id without AWSSecretKey escapes botocore as a plain KeyError."""
    ctx = make_ctx(
        env={"AWS_CREDENTIAL_FILE": "{root}/ec2"}, files={"ec2": f"AWSAccessKeyId={KEY}\n"}
    )
    finding = OriginalEC2Provider().inspect(ctx, "default")
    assert (finding.status, finding.raises) == (Status.ERROR, "KeyError")


def test_no_key_id_is_not_found(make_ctx: MakeCtx) -> None:
    """A file without AWSAccessKeyId: not found."""
    ctx = make_ctx(
        env={"AWS_CREDENTIAL_FILE": "{root}/ec2"}, files={"ec2": f"AWSSecretKey={SECRET}\n"}
    )
    assert OriginalEC2Provider().inspect(ctx, "default").status is Status.NOT_FOUND


def test_tilde_expands_with_the_inspected_home(make_ctx: MakeCtx) -> None:
    """~ in AWS_CREDENTIAL_FILE is the inspected HOME."""
    ctx = make_ctx(
        env={"AWS_CREDENTIAL_FILE": "~/ec2"},
        files={"home/ec2": f"AWSAccessKeyId={KEY}\nAWSSecretKey={SECRET}\n"},
    )
    assert OriginalEC2Provider().inspect(ctx, "default").status is Status.FOUND
