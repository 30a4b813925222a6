"""The pytest plugin in async tests: fixtures and aws_role under pytest-asyncio and anyio."""

from __future__ import annotations

import pytest

PYFILE_ASYNC = """
import os

import pytest

import credchain.aio

MARK = pytest.mark.{mark}


@MARK
async def test_sandbox_is_applied(aws_sandbox):
    assert os.environ["HOME"] == str(aws_sandbox.home)
    report = await credchain.aio.explain()
    assert report.winner is None


@MARK
async def test_fake_imds_and_report(fake_imds, credchain_report):
    assert credchain_report.winner.method == "iam-role"
    report = await credchain.aio.explain()
    assert report.winner.method == "iam-role"
    assert fake_imds.requests


@MARK
@pytest.mark.aws_role("credchain-test-role")
async def test_marker_passes(fake_imds):
    identity = await credchain.aio.assert_role("credchain-test-role", verify=False)
    assert identity.role_name == "credchain-test-role"


@MARK
@pytest.mark.aws_role("Deployer")
async def test_marker_fails(fake_imds):
    raise AssertionError("the body must not run")


@MARK
@pytest.mark.parametrize("fake_imds", ["Worker"], indirect=True)
async def test_indirect_parametrize(fake_imds, aws_sandbox):
    aws_sandbox.write_credentials(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x"
    )
    with pytest.raises(credchain.RoleAssertionError, match=r"\\[default\\]"):
        await credchain.aio.assert_role("Worker", verify=False)
"""


@pytest.mark.parametrize(
    ("plugin", "mark"),
    [("pytest_asyncio", "asyncio"), ("anyio", "anyio")],
    ids=["asyncio", "anyio"],
)
def test_fixtures_and_marker_in_async_tests(
    pytester: pytest.Pytester, plugin: str, mark: str
) -> None:
    """aws_sandbox, fake_imds, credchain_report and aws_role work in either plugin's tests."""
    pytest.importorskip(plugin, reason=f"{plugin} is not installed (CI runs this in .ci/venv-aio)")
    pytester.makepyfile(test_async=PYFILE_ASYNC.format(mark=mark))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rf")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*test_marker_fails*", "aws_role('Deployer'): expected role*"])
    result.stdout.no_fnmatch_line("*the body must not run*")
