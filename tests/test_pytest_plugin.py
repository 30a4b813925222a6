"""Tests of credchain.pytest_plugin, run through pytester (loopback only)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import botocore.session
import pytest

import credchain._assert_role
import credchain._explain
import credchain.testing
from credchain.testing import FakeIMDS, Sandbox

# Imported here so pytester's in-process runs, which forget the modules they
# import, all share one copy of credchain's classes.
# (botocore too: importing it again for every run would be slow.)
_ = credchain._assert_role, credchain._explain, botocore.session

ROOT = Path(credchain.testing.__file__).resolve().parents[1]

PYFILE_SANDBOX = """
import os

import botocore.session


def test_inside(aws_sandbox):
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert os.environ["HOME"] == str(aws_sandbox.home)
    assert botocore.session.Session().get_credentials() is None


def test_after():
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAOUTERENV0EXAMPLE"
"""

PYFILE_FAKE_IMDS = """
import botocore.session
import pytest
from botocore.utils import InstanceMetadataFetcher


@pytest.mark.parametrize("fake_imds", ["Deployer"], indirect=True)
def test_chosen_role(fake_imds):
    creds = botocore.session.Session().get_credentials()
    assert creds.method == "iam-role"
    assert creds.access_key == fake_imds.credentials["AccessKeyId"]
    assert creds.get_frozen_credentials().token == fake_imds.credentials["Token"]
    fetcher = InstanceMetadataFetcher(base_url=fake_imds.endpoint)
    assert fetcher.retrieve_iam_role_credentials()["role_name"] == "Deployer"


def test_default_role(fake_imds, aws_sandbox):
    assert botocore.session.Session().get_credentials().method == "iam-role"
    assert fake_imds.role_name == "credchain-test-role"
    assert fake_imds.requests[-1].path.endswith("/credchain-test-role")
"""

PYFILE_FAKE_CONTAINER = """
import os

import botocore.session
import pytest


@pytest.mark.parametrize(
    "fake_container_credentials", [{"auth_token": "fake-auth", "token_file": True}], indirect=True
)
def test_container(fake_container_credentials):
    creds = botocore.session.Session().get_credentials()
    assert creds.method == "container-role"
    assert "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" in os.environ
    assert fake_container_credentials.requests[0].had_token
"""

PYFILE_MOCK_AWS = """
import boto3
from moto import mock_aws


def test_moto_inside_sandbox(aws_sandbox):
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="credchain-plugin")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["credchain-plugin"]
"""

PYFILE_XDIST = """
import botocore.session
import pytest


@pytest.mark.parametrize("n", range(8))
def test_parallel(n, fake_imds, aws_sandbox):
    aws_sandbox.write_config("p", region="us-west-2")
    assert botocore.session.Session().get_credentials().method == "iam-role"
"""

PYFILE_ROLE_MARKER = """
import pytest


@pytest.mark.parametrize("fake_imds", ["Deployer"], indirect=True)
@pytest.mark.aws_role("Deployer")
def test_right_role(fake_imds):
    pass


@pytest.mark.parametrize("fake_imds", ["Deployer"], indirect=True)
@pytest.mark.aws_role("Auditor")
def test_wrong_role(fake_imds):
    raise RuntimeError("the body must not run")


@pytest.mark.aws_role("Deployer")
def test_no_credentials(aws_sandbox):
    raise RuntimeError("the body must not run")
"""

PYFILE_ROLE_MARKER_LOCAL_STS = """
import boto3
import pytest
from moto.server import ThreadedMotoServer

from credchain.testing import FakeIMDS


@pytest.fixture
def deployer_instance(aws_sandbox):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = "http://{}:{}/".format(*server.get_host_and_port())
    sts = boto3.client(
        "sts", endpoint_url=url, aws_access_key_id="AKIAMOTO0000EXAMPLE", aws_secret_access_key="x"
    )
    assumed = sts.assume_role(
        RoleArn="arn:aws:iam::123456789012:role/Deployer", RoleSessionName="ci"
    )["Credentials"]
    keys = {k: assumed[k] for k in ("AccessKeyId", "SecretAccessKey")}
    with FakeIMDS("Deployer", credentials={**keys, "Token": assumed["SessionToken"]}) as imds:
        aws_sandbox.use_imds(imds)
        aws_sandbox.use_sts(url)
        yield
    server.stop()


@pytest.mark.aws_role("Deployer", account="123456789012")
def test_verified(deployer_instance):
    pass


@pytest.mark.aws_role("Deployer", account="210987654321")
def test_other_account(deployer_instance):
    pass
"""

PYFILE_REPORT = """
def test_report(credchain_report, fake_imds):
    assert credchain_report.winner.method == "iam-role"
    assert credchain_report.get("env").status == "not-found"
"""

PYFILE_ONE_TEST = """
def test_one():
    pass
"""

PYFILE_MUST_NOT_RUN = """
from pathlib import Path


def test_one():
    Path("ran").touch()
"""


@pytest.fixture
def plugin(request: pytest.FixtureRequest, pytester: pytest.Pytester) -> tuple[str, ...]:
    """Arguments that load the plugin, unless its entry point already does."""
    pytester.syspathinsert(ROOT)
    # hypothesis's plugin would import hypothesis again at the end of every run (slow).
    quiet = ("-p", "no:hypothesispytest")
    if request.config.pluginmanager.has_plugin("credchain"):
        return quiet  # "-p credchain.pytest_plugin" too would register it twice
    return ("-p", "credchain.pytest_plugin", *quiet)


@pytest.fixture
def deployer_instance(tmp_path: Path) -> Iterator[FakeIMDS]:
    """The outer process as an EC2 instance with role Deployer, in a sandbox."""
    with Sandbox(tmp_path / "outer-sandbox") as sandbox, FakeIMDS("Deployer") as imds:
        sandbox.use_imds(imds)
        yield imds


def environ() -> dict[str, str]:
    """os.environ without the variable pytest itself changes per test phase."""
    return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}


def assert_printed_once(result: pytest.RunResult, start: str) -> None:
    """The failure message appears once in the whole output, not once per reporter."""
    text = "\n".join(result.outlines + result.errlines)
    assert text.count(start) == 1, text


def assert_no_secrets(result: pytest.RunResult) -> None:
    """No fake secret appears in the run's output."""
    output = "\n".join(result.outlines + result.errlines)
    assert "NEVER-PRINTED" not in output


class TestOptions:
    def test_help_shows_option_group(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...]
    ) -> None:
        """--help lists the credchain option group and its options."""
        result = pytester.runpytest(*plugin, "--help")
        result.stdout.fnmatch_lines(
            [
                "AWS credentials (credchain):",
                "*--aws-role=NAME*",
                "*--aws-account=ID*",
                "*--aws-no-verify*",
                "*--credchain*",
            ]
        )

    def test_marker_is_registered(self, pytester: pytest.Pytester, plugin: tuple[str, ...]) -> None:
        """--markers documents aws_role, so --strict-markers accepts it."""
        result = pytester.runpytest(*plugin, "--markers")
        result.stdout.fnmatch_lines(["@pytest.mark.aws_role(role, account=None, verify=None):*"])

    def test_import_is_light(self) -> None:
        """Importing the plugin imports neither botocore nor credchain's core."""
        code = "import sys, credchain.pytest_plugin; print(sorted(sys.modules))"
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        imported = set(eval(out))
        assert not imported & {"botocore", "credchain._explain", "credchain._assert_role"}


class TestFixtures:
    def test_aws_sandbox_hides_and_restores(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """aws_sandbox hides outer AWS variables during the test and restores them after."""
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAOUTERENV0EXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "OUTER-SECRET-NEVER-PRINTED")
        before = environ()
        pytester.makepyfile(PYFILE_SANDBOX)
        pytester.runpytest(*plugin).assert_outcomes(passed=2)
        assert environ() == before

    def test_fake_imds_makes_botocore_use_iam_role(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...]
    ) -> None:
        """With fake_imds, real botocore resolves iam-role with the chosen role's credentials."""
        pytester.makepyfile(PYFILE_FAKE_IMDS)
        pytester.runpytest(*plugin).assert_outcomes(passed=2)

    def test_fake_container_credentials(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...]
    ) -> None:
        """fake_container_credentials makes real botocore resolve container-role."""
        pytester.makepyfile(PYFILE_FAKE_CONTAINER)
        pytester.runpytest(*plugin).assert_outcomes(passed=1)

    def test_works_with_moto_mock_aws(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...]
    ) -> None:
        """moto's mock_aws works inside aws_sandbox."""
        pytester.makepyfile(PYFILE_MOCK_AWS)
        pytester.runpytest(*plugin).assert_outcomes(passed=1)

    def test_works_with_xdist(
        self,
        pytester: pytest.Pytester,
        plugin: tuple[str, ...],
        monkeypatch: pytest.MonkeyPatch,
        request: pytest.FixtureRequest,
    ) -> None:
        """Sandboxes and fake servers do not collide across xdist workers."""
        if not request.config.pluginmanager.has_plugin("xdist"):
            pytest.skip("pytest-xdist is not loaded")
        monkeypatch.setenv("PYTHONPATH", str(ROOT))
        pytester.makepyfile(PYFILE_XDIST)
        result = pytester.runpytest_subprocess(*plugin, "-n", "3")
        result.assert_outcomes(passed=8)

    def test_credchain_report(self, pytester: pytest.Pytester, plugin: tuple[str, ...]) -> None:
        """credchain_report explains the test's environment, after the sandbox fixtures."""
        pytester.makepyfile(PYFILE_REPORT)
        pytester.runpytest(*plugin).assert_outcomes(passed=1)


class TestRoleChecks:
    def test_aws_role_marker_offline_in_sandbox(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...]
    ) -> None:
        """In a sandbox the marker decides offline and fails a wrong role before the body runs."""
        pytester.makepyfile(PYFILE_ROLE_MARKER)
        result = pytester.runpytest(*plugin)
        result.assert_outcomes(passed=1, failed=2)
        result.stdout.fnmatch_lines(["*aws_role('Auditor')*", "*aws_role('Deployer')*"])
        result.stdout.no_fnmatch_line("*the body must not run*")
        assert_no_secrets(result)

    def test_aws_role_marker_verifies_with_local_sts(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...]
    ) -> None:
        """With use_sts() the marker verifies role and account with a local moto STS."""
        pytester.makepyfile(PYFILE_ROLE_MARKER_LOCAL_STS)
        result = pytester.runpytest(*plugin)
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(["*test_other_account*", "*210987654321*"])
        assert_no_secrets(result)

    def test_aws_role_option_passes(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...], deployer_instance: FakeIMDS
    ) -> None:
        """--aws-role with the role in effect runs the tests and names the role in the header."""
        pytester.makepyfile(PYFILE_ONE_TEST)
        result = pytester.runpytest(*plugin, "--aws-role", "Deployer", "--aws-no-verify")
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(["credchain: running as *Deployer*"])

    def test_aws_role_option_stops_session(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...], deployer_instance: FakeIMDS
    ) -> None:
        """A wrong --aws-role stops the session before any test, with a message and exit 4."""
        pytester.makepyfile(PYFILE_MUST_NOT_RUN)
        result = pytester.runpytest(*plugin, "--aws-role", "Auditor", "--aws-no-verify")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert not (pytester.path / "ran").exists()
        result.stderr.fnmatch_lines(["ERROR: credchain:*Auditor*"])
        assert_printed_once(result, "credchain:")
        assert_no_secrets(result)

    def test_aws_account_option_without_sts_stops_session(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...], deployer_instance: FakeIMDS
    ) -> None:
        """--aws-account cannot be verified when STS is unreachable, so the session stops."""
        pytester.makepyfile(PYFILE_MUST_NOT_RUN)
        result = pytester.runpytest(*plugin, "--aws-account", "123456789012")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert not (pytester.path / "ran").exists()
        result.stderr.fnmatch_lines(["ERROR: credchain:*could not be verified*"])
        assert_printed_once(result, "credchain:")
        assert_no_secrets(result)

    def test_malformed_account_option_stops_session(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...], deployer_instance: FakeIMDS
    ) -> None:
        """A malformed --aws-account is reported as a usage error before any test."""
        pytester.makepyfile(PYFILE_MUST_NOT_RUN)
        result = pytester.runpytest(*plugin, "--aws-role", "Deployer", "--aws-account", "12")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert not (pytester.path / "ran").exists()
        result.stderr.fnmatch_lines(["ERROR: credchain:*12-digit*"])
        assert_printed_once(result, "credchain:")

    def test_credchain_header(
        self, pytester: pytest.Pytester, plugin: tuple[str, ...], deployer_instance: FakeIMDS
    ) -> None:
        """--credchain prints the chain summary in the header, without secrets."""
        pytester.makepyfile(PYFILE_ONE_TEST)
        result = pytester.runpytest(*plugin, "--credchain")
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(
            [
                "credchain: profile 'default': botocore would use iam-role*",
                "  env *not-found*",
                "  iam-role *found*",
            ]
        )
        assert_no_secrets(result)

    @pytest.mark.parametrize(
        "args, ini",
        [(("-q",), ""), (("-qq",), ""), ((), "-q"), ((), "-qq"), (("--no-header",), "")],
        ids=["-q", "-qq", "addopts -q", "addopts -qq", "--no-header"],
    )
    def test_credchain_prints_the_chain_when_quiet(
        self,
        pytester: pytest.Pytester,
        plugin: tuple[str, ...],
        deployer_instance: FakeIMDS,
        args: tuple[str, ...],
        ini: str,
    ) -> None:
        """--credchain prints the chain whatever the verbosity (pytest hides headers when quiet)."""
        if ini:
            pytester.makeini(f"[pytest]\naddopts = {ini}\n")
        pytester.makepyfile(PYFILE_ONE_TEST)
        result = pytester.runpytest(*plugin, "--credchain", *args)
        assert result.ret == pytest.ExitCode.OK  # -qq prints no outcome line to parse
        result.stdout.fnmatch_lines(
            [
                "credchain: profile 'default': botocore would use iam-role*",
                "  iam-role *found*",
            ]
        )
        assert_no_secrets(result)
