"""Report.next_steps: no credentials, a missing profile, a config file botocore cannot parse.

Every case also runs the real botocore on the same files, so the exception
credchain reports (and explains) is the one botocore raises.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import botocore.session
import pytest
from clirun import cli_env, run_cli, silent_server

import credchain
from credchain import Report
from credchain.testing import FakeIMDS, Sandbox, patched_environ

SECRET = "SECRET-NEVER-PRINTED-01"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """An empty sandbox: no credentials, the metadata service disabled."""
    box = Sandbox(tmp_path)
    yield box
    box.close()


def botocore_raises(env: Mapping[str, str]) -> str | None:
    """The exception class name botocore's own get_credentials() raises in ``env``."""
    with patched_environ(env):
        try:
            botocore.session.Session().get_credentials()
        except Exception as e:
            return type(e).__name__
    return None


def steps(report: Report) -> str:
    return "\n".join(report.next_steps)


class TestNoCredentials:
    def test_network_off_says_it_was_not_asked(self, sandbox: Sandbox) -> None:
        """network=False: the three setups, and that the metadata service was not asked."""
        sandbox.unset_env("AWS_EC2_METADATA_DISABLED")
        report = credchain.explain(env=sandbox.env, network=False)
        assert report.winner is None and report.raises is None
        text = steps(report)
        for setup in ("aws configure", "aws configure sso", "instance profile", "task role"):
            assert setup in text
        assert "was not asked (network=False)" in text
        assert report.to_dict()["next_steps"] == list(report.next_steps)
        assert "Next steps:" in str(report)

    def test_unreachable_metadata_service_is_not_ec2(self, sandbox: Sandbox) -> None:
        """A metadata service that never answers: not on EC2 (or blocked)."""
        with silent_server() as url:
            sandbox.set_env(AWS_EC2_METADATA_SERVICE_ENDPOINT=url, AWS_METADATA_SERVICE_TIMEOUT="1")
            sandbox.unset_env("AWS_EC2_METADATA_DISABLED")
            report = credchain.explain(env=sandbox.env)
        assert "not an EC2 instance (or the metadata service is blocked" in steps(report)

    def test_cut_short_probe_says_to_wait_longer(self, sandbox: Sandbox) -> None:
        """timeout= shorter than botocore's: credchain cannot tell, and says how to find out."""
        with silent_server() as url:
            sandbox.set_env(AWS_EC2_METADATA_SERVICE_ENDPOINT=url, AWS_METADATA_SERVICE_TIMEOUT="5")
            sandbox.unset_env("AWS_EC2_METADATA_DISABLED")
            report = credchain.explain(env=sandbox.env, timeout=0.3)
        assert report.get("iam-role") is not None
        assert report.get("iam-role").status.value == "unknown"  # type: ignore[union-attr]
        assert "give it longer (timeout=)" in steps(report)

    def test_no_role_attached_is_ec2_without_instance_profile(self, sandbox: Sandbox) -> None:
        """The metadata service answers but lists no role: an instance without a profile."""
        with FakeIMDS(no_role=True) as imds:
            sandbox.use_imds(imds)
            report = credchain.explain(env=sandbox.env)
            assert botocore_raises(sandbox.env) is None
        assert report.winner is None
        assert "EC2 instance without an instance profile" in steps(report)

    def test_disabled_metadata_service(self, sandbox: Sandbox) -> None:
        """AWS_EC2_METADATA_DISABLED=true is named: an instance profile would not be used."""
        report = credchain.explain(env=sandbox.env)
        assert "AWS_EC2_METADATA_DISABLED=true" in steps(report)

    def test_found_credentials_have_no_next_steps(self, sandbox: Sandbox) -> None:
        """Credentials found: nothing to add."""
        sandbox.write_credentials(
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key=SECRET
        )
        report = credchain.explain(env=sandbox.env)
        assert report.next_steps == ()
        assert "Next steps" not in str(report)


class TestMissingProfile:
    def write(self, sandbox: Sandbox) -> None:
        sandbox.write_config("default", region="eu-west-1")
        sandbox.write_config("dev", region="eu-west-1")
        sandbox.write_credentials(
            "production", aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key=SECRET
        )

    def test_aws_profile_typo(self, sandbox: Sandbox) -> None:
        """AWS_PROFILE=prodution: the closest name, every profile, and `unset AWS_PROFILE`."""
        self.write(sandbox)
        sandbox.set_env(AWS_PROFILE="prodution")
        report = credchain.explain(env=sandbox.env)
        assert report.raises == "ProfileNotFound" == botocore_raises(sandbox.env)
        text = steps(report)
        assert "There is no profile 'prodution'" in text
        assert "Did you mean 'production'?" in text
        assert "Profiles that exist: default, dev, production." in text
        assert "`unset AWS_PROFILE`" in text
        assert SECRET not in str(report)

    def test_aws_default_profile_wins_over_aws_profile(self, sandbox: Sandbox) -> None:
        """Both variables set: the one botocore reads first is named, and why."""
        self.write(sandbox)
        sandbox.set_env(AWS_DEFAULT_PROFILE="gone", AWS_PROFILE="dev")
        report = credchain.explain(env=sandbox.env)
        assert report.raises == "ProfileNotFound" == botocore_raises(sandbox.env)
        text = steps(report)
        assert "`unset AWS_DEFAULT_PROFILE`" in text
        assert "botocore reads AWS_DEFAULT_PROFILE before AWS_PROFILE" in text

    def test_explicit_profile(self, sandbox: Sandbox) -> None:
        """profile=: the argument is named (the command line says --profile)."""
        self.write(sandbox)
        report = credchain.explain(env=sandbox.env, profile="deev")
        assert "Did you mean 'dev'?" in steps(report)
        assert "The profile= argument chose it" in steps(report)
        result = run_cli(cli_env(sandbox.env), "explain", "--profile", "deev")
        assert result.returncode == 1
        assert "--profile chose it" in result.stdout
        assert "profile=" not in result.stdout

    def test_no_profiles_at_all(self, sandbox: Sandbox) -> None:
        """No files: it says so, and how to create a profile."""
        sandbox.set_env(AWS_PROFILE="dev")
        report = credchain.explain(env=sandbox.env)
        assert "aws configure --profile NAME" in steps(report)


class TestParseError:
    @pytest.mark.parametrize(
        ("text", "line", "what"),
        [
            ("region = eu-west-1\n[default]\n", 1, "before the first [section] header"),
            ("[default]\nregion = x\nnot a setting\n", 3, "nor `key = value`"),
            ("[default]\nregion = x\n[default]\nregion = y\n", 3, "appears a second time"),
            ("[default]\nregion = x\nregion = y\n", 3, "'region' appears a second time"),
            ("[default]\ns3 =\n  addressing_style\n", 3, "not `key = value`"),
        ],
        ids=["no-section", "stray-line", "duplicate-section", "duplicate-key", "nested"],
    )
    def test_line_and_cause(self, sandbox: Sandbox, text: str, line: int, what: str) -> None:
        """The file, the line and the cause, with botocore's exception unchanged."""
        sandbox.config_file.write_text(text)
        report = credchain.explain(env=sandbox.env)
        assert report.raises == "ConfigParseError" == botocore_raises(sandbox.env)
        assert report.message is not None and report.message.startswith("Unable to parse")
        first = report.next_steps[0]
        assert first.startswith(f"{sandbox.config_file}, line {line}")
        assert what in first

    def test_secret_on_the_bad_line_is_not_shown(self, sandbox: Sandbox) -> None:
        """A secret pasted above the first section: the key is named, the value never shown."""
        sandbox.config_file.write_text(f"aws_secret_access_key = {SECRET}\n[default]\n")
        report = credchain.explain(env=sandbox.env)
        assert "'aws_secret_access_key = ...'" in steps(report)
        assert SECRET not in str(report) + report.to_json()

    def test_bare_line_is_not_shown(self, sandbox: Sandbox) -> None:
        """A line without `=`: only its length is given (it may be a pasted secret)."""
        sandbox.config_file.write_text(f"[default]\nregion = x\n{SECRET}\n")
        report = credchain.explain(env=sandbox.env)
        assert f"{len(SECRET)} characters, not shown" in steps(report)
        assert SECRET not in str(report)

    def test_not_utf8(self, sandbox: Sandbox) -> None:
        """Bytes that are not UTF-8: the line of the first bad byte."""
        sandbox.config_file.write_bytes(b"[default]\nregion = caf\xe9\n")
        report = credchain.explain(env=sandbox.env)
        assert report.raises == "ConfigParseError" == botocore_raises(sandbox.env)
        assert "line 2" in report.next_steps[0] and "not UTF-8" in report.next_steps[0]

    def test_credentials_file(self, sandbox: Sandbox) -> None:
        """The credentials file is located the same way, whichever provider raises."""
        sandbox.credentials_file.write_text("[default]\naws_access_key_id\n")
        report = credchain.explain(env=sandbox.env)
        assert report.raises == "ConfigParseError" == botocore_raises(sandbox.env)
        assert report.next_steps[0].startswith(f"{sandbox.credentials_file}, line 2")
