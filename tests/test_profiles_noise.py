"""`credchain profiles` says only what matters: permission warnings for exposed secrets,
plural forms, the MFA prompt ahead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import cli_env, run_cli

from credchain._profiles import list_profiles
from credchain.testing import Sandbox

SECRET = "SECRET-NEVER-PRINTED-01"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """An empty sandbox."""
    box = Sandbox(tmp_path)
    yield box
    box.close()


def test_config_without_secrets_is_not_a_warning(sandbox: Sandbox) -> None:
    """A world-readable config file that holds no secret is fine (the AWS CLI writes 0644)."""
    sandbox.write_config("default", region="eu-west-1")
    sandbox.config_file.chmod(0o644)
    assert list_profiles(env=sandbox.env).warnings == ()


def test_credentials_readable_by_others_is_a_warning(sandbox: Sandbox) -> None:
    """Keys in a world-readable credentials file: one warning, the profile warns."""
    sandbox.write_credentials(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key=SECRET
    )
    sandbox.credentials_file.chmod(0o644)
    report = list_profiles(env=sandbox.env)
    assert len(report.warnings) == 1 and str(sandbox.credentials_file) in report.warnings[0]
    assert report.rows[0].status == "warn"
    sandbox.credentials_file.chmod(0o600)
    assert list_profiles(env=sandbox.env).warnings == ()


def test_config_with_keys_readable_by_others_is_a_warning(sandbox: Sandbox) -> None:
    """A config file holding aws_secret_access_key is as exposed as a credentials file."""
    sandbox.write_config(
        "default", aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key=SECRET
    )
    sandbox.config_file.chmod(0o644)
    report = list_profiles(env=sandbox.env)
    assert len(report.warnings) == 1 and str(sandbox.config_file) in report.warnings[0]


def test_directory_is_never_a_warning(sandbox: Sandbox, tmp_path: Path) -> None:
    """AWS_SHARED_CREDENTIALS_FILE naming a directory: no permission warning for it."""
    folder = tmp_path / "folder"
    folder.mkdir(mode=0o755)
    sandbox.set_env(AWS_SHARED_CREDENTIALS_FILE=str(folder))
    sandbox.write_config("default", region="eu-west-1")
    assert list_profiles(env=sandbox.env).warnings == ()


@pytest.mark.parametrize(("count", "words"), [(1, "1 profile,"), (2, "2 profiles,")])
def test_plural(sandbox: Sandbox, count: int, words: str) -> None:
    """ "1 profile", "2 profiles"."""
    for i in range(count):
        sandbox.write_config(f"p{i}", region="eu-west-1")
    result = run_cli(cli_env(sandbox.env), "profiles")
    assert result.stdout.startswith(f"credchain: {words} ")


def test_mfa_profile_notes_the_prompt(sandbox: Sandbox) -> None:
    """A role profile with mfa_serial stays ok, with a note that botocore will prompt."""
    sandbox.write_credentials(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key=SECRET
    )
    sandbox.write_config(
        "admin",
        role_arn="arn:aws:iam::123456789012:role/Admin",
        source_profile="default",
        mfa_serial="arn:aws:iam::123456789012:mfa/alice",
    )
    report = list_profiles(env=sandbox.env)
    row = next(r for r in report.rows if r.profile == "admin")
    assert row.status == "ok"
    assert "prompt for an MFA code" in row.notes[0]
    assert "Notes:" in str(report)
    assert row.to_dict()["notes"] == list(row.notes)
