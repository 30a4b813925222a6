"""The Report: masking, JSON, the readable diagnosis, and that nothing heavy loads at import."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from schema_check import validate_json

import credchain
from credchain._mask import mask_key, redact_command, scrub, scrub_foreign
from credchain._report import ProviderResult, Report, Status

SECRET = "SECRET-NEVER-PRINTED-31"


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {
        "HOME": str(home),
        "AWS_EC2_METADATA_DISABLED": "true",
        "PATH": "/usr/bin:/bin",
        **extra,
    }


class TestMask:
    @pytest.mark.parametrize(
        ("key", "masked"),
        [
            ("AKIAIOSFODNN7EXAMPLE", "AKIA************MPLE"),
            ("", ""),
            ("ABCDEFGHI", "ABCD*FGHI"),
            ("ABCDEFGH", "ABCDEFGH"),
            (None, None),
        ],
    )
    def test_mask_key(self, key: str | None, masked: str | None) -> None:
        """First four and last four characters stay, every other one is a star."""
        assert mask_key(key) == masked

    def test_scrub_known_secrets_and_key_ids(self) -> None:
        """Known secrets vanish and key ids are masked, in any text."""
        text = f"key AKIAIOSFODNN7EXAMPLE secret {SECRET} path /a/b"
        out = scrub(text, {SECRET}, {"AKIAIOSFODNN7EXAMPLE"})
        assert SECRET not in out and "AKIAIOSFODNN7EXAMPLE" not in out
        assert "AKIA************MPLE" in out and "/a/b" in out

    def test_scrub_foreign_hides_secret_shaped_words(self) -> None:
        """A 40-character secret-looking word in stderr is hidden; long paths are kept."""
        secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
        path = "/tmp/pytest-of-root/pytest-1/test_a_rather_long_name0/home/.aws/credentials"
        out = scrub_foreign(f"bad {secret}\nfile {path}")
        assert secret not in out and path in out

    def test_redact_command(self) -> None:
        """Only the program and flag names of a credential_process stay readable."""
        shown = redact_command(["/opt/bin/get-creds", "--token", "hunter2", "--mode=fast", "x"])
        assert shown == "/opt/bin/get-creds --token *** --mode=*** ***"


class TestReport:
    def test_json_keys_and_order(self, tmp_path: Path) -> None:
        """to_json() is the contract's keys first, stable, and JSON-parseable."""
        now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
        report = credchain.explain(env=_env(tmp_path), network=False, clock=lambda: now)
        data = validate_json(report.to_json(), "report")
        assert data["schema"] == 1
        assert list(data)[:6] == [
            "profile",
            "botocore_version",
            "winner",
            "raises",
            "error",
            "providers",
        ]
        assert list(data["providers"][0])[:6] == [
            "method",
            "status",
            "source",
            "reason",
            "access_key",
            "role_arn",
        ]
        again = credchain.explain(env=_env(tmp_path), network=False, clock=lambda: now)
        assert report.to_json() == again.to_json()  # the same clock: checked_at too

    def test_statuses_are_strings(self) -> None:
        """Status is a str enum whose values are the contract's words."""
        assert [s.value for s in Status] == [
            "found",
            "shadowed",
            "not-found",
            "error",
            "disabled",
            "unknown",
        ]
        assert Status.FOUND == "found" and str(Status.NOT_FOUND) == "not-found"

    def test_seed_diagnosis(self, tmp_path: Path) -> None:
        """Keys in the credentials file win; the diagnosis names file, section and fix."""
        aws = tmp_path / ".aws"
        aws.mkdir()
        (aws / "credentials").write_text(
            "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            f"aws_secret_access_key = {SECRET}\n"
        )
        report = credchain.explain(env=_env(tmp_path), network=False)
        text = " ".join(str(report).split())  # long tmp paths wrap
        assert report.winner is not None and report.winner.method == "shared-credentials-file"
        assert f"{aws / 'credentials'} [default], line 2" in text
        assert "remove aws_access_key_id / aws_secret_access_key from [default]" in text
        assert SECRET not in text + repr(report) + report.to_json()
        assert "AKIAIOSFODNN7EXAMPLE" not in text + repr(report) + report.to_json()

    def test_raise_is_described(self, tmp_path: Path) -> None:
        """A missing named profile reads as botocore's exception, raised before any provider."""
        report = credchain.explain(env=_env(tmp_path, AWS_PROFILE="nope"), network=False)
        assert report.raises == "ProfileNotFound" and report.error is None
        assert "before any provider" in str(report)

    def test_exactly_one_outcome(self) -> None:
        """A report carries a winner or an exception name, never both."""
        p = ProviderResult("env", Status.FOUND, "X", "r")
        report = Report((p,), p, None, None, "default", "1.0")
        assert report.winner is p and report.raises is None
        assert report.get("env") is p and report.get("sso") is None


class TestPackaging:
    def test_version(self) -> None:
        """__version__ comes from the installed distribution's metadata."""
        from importlib.metadata import version

        assert credchain.__version__ == version("credchain")

    def test_import_is_light(self) -> None:
        """import credchain loads no botocore module."""
        code = "import sys, credchain; print([m for m in sys.modules if m.startswith('botocore')])"
        out = subprocess.check_output([sys.executable, "-c", code], text=True)
        assert out.strip() == "[]"

    def test_public_names(self) -> None:
        """Everything in __all__ resolves."""
        for name in credchain.__all__:
            assert getattr(credchain, name) is not None
