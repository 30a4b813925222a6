"""The config-file inspector mirrors botocore's ConfigProvider."""

from __future__ import annotations

from collections.abc import Callable

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.config_file import ConfigProvider

KEY = "AKIAEXAMPLECONFIST01"
SECRET = "SECRET-NEVER-PRINTED-CONFIG".ljust(40, "K")
CONFIG = "home/.aws/config"
MakeCtx = Callable[..., Context]
KEYS = f"aws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"


def test_missing_file_is_not_found(make_ctx: MakeCtx) -> None:
    """No config file: not found."""
    assert ConfigProvider().inspect(make_ctx(), "default").status is Status.NOT_FOUND


def test_profile_section_needs_the_prefix(make_ctx: MakeCtx) -> None:
    """[profile dev] holds profile dev's keys; a bare [dev] section does not."""
    ctx = make_ctx(files={CONFIG: f"[profile dev]\n{KEYS}"})
    finding = ConfigProvider().inspect(ctx, "dev")
    assert finding.status is Status.FOUND
    assert finding.access_key == KEY
    assert "[profile dev]" in (finding.source or "")


def test_bare_section_is_not_a_profile(make_ctx: MakeCtx) -> None:
    """[dev] without the profile prefix is not found, and the reason names [profile dev]."""
    ctx = make_ctx(files={CONFIG: f"[dev]\n{KEYS}"})
    finding = ConfigProvider().inspect(ctx, "dev")
    assert finding.status is Status.NOT_FOUND
    assert "[profile dev]" in finding.reason


def test_profile_default_is_the_default_profile(make_ctx: MakeCtx) -> None:
    """[profile default] in the config file is the default profile."""
    ctx = make_ctx(files={CONFIG: f"[profile default]\n{KEYS}"})
    assert ConfigProvider().inspect(ctx, "default").status is Status.FOUND


def test_key_without_secret_is_partial(make_ctx: MakeCtx) -> None:
    """A key id without its secret is PartialCredentialsError from config-file."""
    ctx = make_ctx(files={CONFIG: f"[default]\naws_access_key_id = {KEY}\n"})
    finding = ConfigProvider().inspect(ctx, "default")
    assert (finding.status, finding.raises) == (Status.ERROR, "PartialCredentialsError")


def test_credentials_file_keys_do_not_count(make_ctx: MakeCtx) -> None:
    """Keys in the credentials file are not the config file's, even for the same profile."""
    ctx = make_ctx(
        files={
            CONFIG: "[default]\nregion = eu-west-1\n",
            "home/.aws/credentials": f"[default]\n{KEYS}",
        }
    )
    assert ConfigProvider().inspect(ctx, "default").status is Status.NOT_FOUND
