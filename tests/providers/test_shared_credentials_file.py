"""The shared-credentials-file inspector mirrors botocore's SharedCredentialProvider."""

from __future__ import annotations

from collections.abc import Callable

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.shared_credentials_file import SharedCredentialProvider

KEY = "AKIAEXAMPLESHAREST01"
SECRET = "SECRET-NEVER-PRINTED-SHARED".ljust(40, "K")
CREDS = "home/.aws/credentials"
MakeCtx = Callable[..., Context]


def test_missing_file_is_not_found(make_ctx: MakeCtx) -> None:
    """No credentials file: not found, and the reason names the path looked at."""
    finding = SharedCredentialProvider().inspect(make_ctx(), "default")
    assert finding.status is Status.NOT_FOUND
    assert finding.reason.endswith(".aws/credentials.")


def test_missing_section_is_not_found(make_ctx: MakeCtx) -> None:
    """A file without the profile's section: not found, naming the section."""
    ctx = make_ctx(files={CREDS: f"[other]\naws_access_key_id = {KEY}\n"})
    finding = SharedCredentialProvider().inspect(ctx, "dev")
    assert finding.status is Status.NOT_FOUND
    assert "[dev]" in finding.reason


def test_profile_prefix_is_not_the_profile(make_ctx: MakeCtx) -> None:
    """[profile dev] in the credentials file is not the section of profile dev."""
    ctx = make_ctx(
        files={
            CREDS: f"[profile dev]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
        }
    )
    assert SharedCredentialProvider().inspect(ctx, "dev").status is Status.NOT_FOUND


def test_keys_found_with_their_line(make_ctx: MakeCtx) -> None:
    """Keys in the profile's section are found, the source pointing at the key's line."""
    ctx = make_ctx(
        files={CREDS: f"[dev]\n\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"}
    )
    finding = SharedCredentialProvider().inspect(ctx, "dev")
    assert finding.status is Status.FOUND
    assert finding.access_key == KEY
    assert (finding.source or "").endswith("[dev], line 3")


def test_key_without_secret_is_partial(make_ctx: MakeCtx) -> None:
    """aws_access_key_id without aws_secret_access_key is PartialCredentialsError."""
    ctx = make_ctx(files={CREDS: f"[default]\naws_access_key_id = {KEY}\n"})
    finding = SharedCredentialProvider().inspect(ctx, "default")
    assert finding.status is Status.ERROR
    assert finding.raises == "PartialCredentialsError"


def test_environment_variable_path_expands_with_the_inspected_home(make_ctx: MakeCtx) -> None:
    """AWS_SHARED_CREDENTIALS_FILE with ~ expands against the inspected HOME, not the real one."""
    ctx = make_ctx(
        env={"AWS_SHARED_CREDENTIALS_FILE": "~/elsewhere"},
        files={
            "home/elsewhere": f"[default]\naws_access_key_id = {KEY}\naws_secret_access_key = x\n"
        },
    )
    assert SharedCredentialProvider().inspect(ctx, "default").status is Status.FOUND


def test_malformed_file_is_a_parse_error(make_ctx: MakeCtx) -> None:
    """A file configparser rejects is botocore's ConfigParseError."""
    ctx = make_ctx(files={CREDS: "key = value\n[default]\n"})
    finding = SharedCredentialProvider().inspect(ctx, "default")
    assert finding.status is Status.ERROR
    assert finding.raises == "ConfigParseError"
