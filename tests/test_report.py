"""The Report: masking, JSON, the readable diagnosis, and that nothing heavy loads at import."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path

import oracle
import pytest
from schema_check import validate_json

import credchain
from credchain._mask import mask_key, redact_command, scrub, scrub_foreign
from credchain._report import Status

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


SCENARIOS = Path(__file__).parent / "scenarios"
NAMES = sorted(p.name for p in SCENARIOS.iterdir() if (p / "env.json").exists())
ABOVE = {Status.NOT_FOUND, Status.DISABLED, Status.UNKNOWN}
BELOW = {Status.SHADOWED, Status.NOT_FOUND, Status.ERROR, Status.DISABLED, Status.UNKNOWN}


@pytest.mark.parametrize("name", NAMES)
def test_report_is_consistent(name: str, tmp_path: Path) -> None:
    """Whatever the set-up, a report's outcome, statuses, JSON and text tell one story: one
    outcome at most, the winner is the first found and the error the first error, everything
    above them found nothing, and to_dict / str say the same."""
    scenario = oracle.load_scenario(SCENARIOS / name)
    with oracle.prepared(scenario, tmp_path / "root") as (env, _server):
        report = credchain.explain(env=env, profile=scenario.profile, network=False)
    methods = [p.method for p in report.providers]
    assert len(set(methods)) == len(methods)
    assert report.winner is None or report.raises is None
    assert (report.error is not None) <= (report.raises is not None)
    decided = report.winner or report.error
    if decided is not None:
        assert decided in report.providers
        at = report.providers.index(decided)
        assert decided.status is (Status.FOUND if decided is report.winner else Status.ERROR)
        assert all(p.status in ABOVE for p in report.providers[:at]), name
        assert all(p.status in BELOW for p in report.providers[at + 1 :]), name
    assert [p.status for p in report.providers].count(Status.FOUND) == (report.winner is not None)
    assert report.shadowed == tuple(p for p in report.providers if p.status is Status.SHADOWED)
    for p in report.providers:
        assert report.get(p.method) is p
    assert report.get("no-such-provider") is None
    data = json.loads(report.to_json())
    assert data["winner"] == (report.winner.method if report.winner else None)
    assert data["error"] == (report.error.method if report.error else None)
    assert data["raises"] == report.raises
    assert [(p["method"], p["status"]) for p in data["providers"]] == [
        (p.method, p.status.value) for p in report.providers
    ]
    text = " ".join(str(report).split())
    for p in report.providers:
        assert p.method in text
    if report.winner is not None:
        assert f"botocore will use {report.winner.method}" in text
    if report.raises is not None:
        assert report.raises in text


def test_shadowed_names_what_won(tmp_path: Path) -> None:
    """Keys in the environment shadow keys in the credentials file: the report says which wins,
    what it shadows, and the masked key of each."""
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(
        f"[default]\naws_access_key_id = AKIAEXAMPLEFILE00001\naws_secret_access_key = {SECRET}\n"
    )
    env = _env(
        tmp_path,
        AWS_ACCESS_KEY_ID="AKIAEXAMPLEENVK00002",
        AWS_SECRET_ACCESS_KEY=SECRET + "-ENV",
    )
    report = credchain.explain(env=env, network=False)
    assert report.winner is not None and report.winner.method == "env"
    assert report.winner.access_key == "AKIA************0002"
    assert [p.method for p in report.shadowed] == ["shared-credentials-file"]
    assert report.shadowed[0].access_key == "AKIA************0001"
    text = " ".join(str(report).split())
    assert "It shadows: shared-credentials-file" in text
    assert SECRET not in text + report.to_json() + repr(report)


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
