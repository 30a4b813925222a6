"""The login inspector mirrors botocore's LoginProvider (aws login sessions)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from credchain import _botocore
from credchain._context import Context
from credchain.providers import Status
from credchain.providers.login import LoginProvider

MakeCtx = Callable[..., Context]
CONFIG = "[default]\nlogin_session = arn:aws:iam::123456789012:user/me\n"


def test_no_login_session_is_not_found(make_ctx: MakeCtx) -> None:
    """A profile without login_session: not found."""
    assert LoginProvider().inspect(make_ctx(), "default").status is Status.NOT_FOUND


@pytest.mark.skipif(_botocore.has_crt(), reason="botocore[crt] is installed")
def test_without_crt_botocore_raises(make_ctx: MakeCtx) -> None:
    """Without awscrt, login_session makes botocore raise MissingDependencyException."""
    ctx = make_ctx(files={"home/.aws/config": CONFIG})
    finding = LoginProvider().inspect(ctx, "default")
    assert (finding.status, finding.raises) == (Status.ERROR, "MissingDependencyException")
    assert "botocore[crt]" in (finding.fix or "")


@pytest.mark.skipif(not _botocore.has_crt(), reason="needs botocore[crt]")
def test_with_crt_a_missing_token_fails(make_ctx: MakeCtx) -> None:
    """With awscrt, a login_session without a cached token is LoginTokenLoadError."""
    ctx = make_ctx(files={"home/.aws/config": CONFIG})
    assert LoginProvider().inspect(ctx, "default").raises == "LoginTokenLoadError"
