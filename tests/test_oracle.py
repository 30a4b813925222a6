"""The oracle itself: botocore apart from credchain, and a comparison that notices what it must."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import botocore
import oracle
import pytest

from credchain import Report, Status
from credchain._record import evolve

SCENARIOS = Path(__file__).parent / "scenarios"


def test_botocore_runs_without_credchain() -> None:
    """The botocore side is an isolated interpreter of the same installation, on whose path
    credchain cannot be imported and into which it was never loaded."""
    hello = oracle.botocore_process().ask({"op": "hello"})
    assert hello["isolated"] is True
    assert hello["credchain_importable"] is False
    assert hello["credchain_loaded"] is False
    assert hello["botocore"] == botocore.__version__
    assert Path(hello["botocore_file"]) == Path(botocore.__file__)
    assert hello["stdin"] == "/dev/null"


def test_botocore_sees_exactly_the_scenario_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever this process's environment holds, botocore sees the scenario's mapping only."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEPARENT001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "SECRET-NEVER-PRINTED-PARENT")
    env = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", **oracle.GUARDS}
    assert oracle.run_botocore(env, None).method is None
    keys = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLECHILD0001", "AWS_SECRET_ACCESS_KEY": "x"}
    outcome = oracle.run_botocore({**env, **keys}, None)
    assert (outcome.method, outcome.access_key) == ("env", "AKIA************0001")
    assert outcome.chain is not None and outcome.chain[0] == "env"


def test_botocore_may_not_leave_loopback(tmp_path: Path) -> None:
    """A connection botocore tries to a non-loopback address is refused and reported."""
    if tuple(int(p) for p in botocore.__version__.split(".")[:2]) < (1, 41):
        pytest.skip("botocore before 1.41 rejects an https container host before connecting")
    env = {
        "HOME": str(tmp_path),
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://example.com/creds",
        "AWS_EC2_METADATA_DISABLED": "true",
        **oracle.GUARDS,
    }
    outcome = oracle.run_botocore(env, None)
    assert outcome.raises is not None
    assert outcome.violations


def _seed(tmp_path: Path) -> tuple[oracle.Outcome, Report]:
    scenario = oracle.load_scenario(SCENARIOS / "seed_user_keys_shadow_instance_role")
    result = oracle.check(scenario, tmp_path / "root", ways=(oracle.VIA_ENV,))
    assert result.problems == []
    return result.oracle, result.reports[0]


def _with(report: Report, method: str, **changes: object) -> Report:
    providers = tuple(evolve(p, **changes) if p.method == method else p for p in report.providers)
    winner = next((p for p in providers if p.status is Status.FOUND), None)
    return evolve(report, providers=providers, winner=winner)


def test_every_provider_is_checked_against_botocore(tmp_path: Path) -> None:
    """botocore's load() answered for every provider of the chain, not only the winner."""
    truth, report = _seed(tmp_path)
    assert truth.chain == tuple(p.method for p in report.providers)
    assert set(truth.loads) == set(truth.chain)
    assert truth.loads["iam-role"] == {"result": "credentials", "method": "iam-role"}
    assert truth.loads["boto-config"] == {"result": None}


def test_comparison_notices_a_dropped_provider(tmp_path: Path) -> None:
    """A report without its not-found boto-config provider disagrees with botocore."""
    truth, report = _seed(tmp_path)
    dropped = evolve(
        report, providers=tuple(p for p in report.providers if p.method != "boto-config")
    )
    assert any("chain" in problem for problem in oracle.compare(truth, dropped))


@pytest.mark.parametrize(
    ("method", "status"),
    [
        ("iam-role", Status.NOT_FOUND),  # shadowed reported as not found
        ("boto-config", Status.SHADOWED),  # not found reported as shadowed
        ("env", Status.ERROR),
    ],
)
def test_comparison_notices_a_wrong_status(tmp_path: Path, method: str, status: Status) -> None:
    """Every status is checked against what botocore's load() does there."""
    truth, report = _seed(tmp_path)
    problems = oracle.compare(truth, _with(report, method, status=status))
    assert any(method in problem for problem in problems), problems


def test_comparison_notices_a_wrong_outcome(tmp_path: Path) -> None:
    """The last found provider as winner, a dropped exception, a wrong key: all disagree."""
    truth, report = _seed(tmp_path)
    last = _with(
        _with(report, "shared-credentials-file", status=Status.SHADOWED),
        "iam-role",
        status=Status.FOUND,
    )
    assert oracle.compare(truth, last)
    assert report.winner is not None
    wrong_key = evolve(report, winner=evolve(report.winner, access_key="AKIA************XXXX"))
    assert any("access key" in p for p in oracle.compare(truth, wrong_key))
    raising = dataclasses.replace(truth, method=None, raises="PartialCredentialsError", error="env")
    assert oracle.compare(raising, report)
