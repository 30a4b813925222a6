"""The boto-config inspector mirrors botocore's BotoProvider."""

from __future__ import annotations

from collections.abc import Callable

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.boto_config import BotoProvider

KEY = "AKIAEXAMPLEBOTOU0001"
SECRET = "SECRET-NEVER-PRINTED-BOTO".ljust(40, "K")
CREDENTIALS = f"[Credentials]\naws_access_key_id = {KEY}\naws_secret_access_key = {SECRET}\n"
MakeCtx = Callable[..., Context]


def test_boto_config_variable_names_the_only_file(make_ctx: MakeCtx) -> None:
    """BOTO_CONFIG names the one file read; its [Credentials] keys are found."""
    ctx = make_ctx(env={"BOTO_CONFIG": "{root}/boto.cfg"}, files={"boto.cfg": CREDENTIALS})
    finding = BotoProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert finding.access_key == KEY


def test_home_boto_file_without_the_variable(make_ctx: MakeCtx) -> None:
    """Without BOTO_CONFIG, ~/.boto (under the inspected HOME) is read."""
    ctx = make_ctx(files={"home/.boto": CREDENTIALS})
    finding = BotoProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert "/.boto" in (finding.source or "")


def test_file_without_credentials_is_not_found(make_ctx: MakeCtx) -> None:
    """A boto file without [Credentials] keys: not found."""
    ctx = make_ctx(
        env={"BOTO_CONFIG": "{root}/boto.cfg"}, files={"boto.cfg": "[Boto]\ndebug = 0\n"}
    )
    assert BotoProvider().inspect(ctx, "default").status is Status.NOT_FOUND


def test_missing_file_is_not_found(make_ctx: MakeCtx) -> None:
    """BOTO_CONFIG naming a missing file: not found (botocore moves on)."""
    ctx = make_ctx(env={"BOTO_CONFIG": "{root}/missing"})
    assert BotoProvider().inspect(ctx, "default").status is Status.NOT_FOUND


def test_key_without_secret_is_partial(make_ctx: MakeCtx) -> None:
    """[Credentials] with a key id and no secret is PartialCredentialsError."""
    ctx = make_ctx(
        env={"BOTO_CONFIG": "{root}/boto.cfg"},
        files={"boto.cfg": f"[Credentials]\naws_access_key_id = {KEY}\n"},
    )
    finding = BotoProvider().inspect(ctx, "default")
    assert (finding.status, finding.raises) == (Status.ERROR, "PartialCredentialsError")


def test_malformed_file_is_a_parse_error(make_ctx: MakeCtx) -> None:
    """A boto file configparser rejects is ConfigParseError."""
    ctx = make_ctx(env={"BOTO_CONFIG": "{root}/boto.cfg"}, files={"boto.cfg": "[Credentials\n"})
    assert BotoProvider().inspect(ctx, "default").raises == "ConfigParseError"
