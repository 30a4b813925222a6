"""Scenario folders under tests/scenarios/: expected result, botocore as the oracle, secret scan.

Each folder holds ``env.json`` (the complete environment, with ``{root}`` for the
temporary root, ``{http}`` / ``{hostport}`` for the loopback endpoint and ``{python}``
for this interpreter), ``fs/`` (files under the root, placeholders filled),
optionally ``http.json`` (the loopback endpoint's answers: ``{method, path, status,
body}`` plus ``token`` and ``delay``; a request no entry matches, or an entry nobody
asked for, fails the oracle check) and ``args.json`` (``{"profile": ...}`` for an
explicit profile), and ``expected.json`` (``{docs, winner, raises, error, statuses}``,
optionally ``min_botocore``, ``without_crt`` and ``with_crt`` for version-dependent cases).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import botocore
import oracle
import pytest

import credchain
from credchain import _botocore

SCENARIOS = Path(__file__).parent / "scenarios"
NAMES = sorted(p.name for p in SCENARIOS.iterdir() if (p / "env.json").exists())


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _expected(name: str) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((SCENARIOS / name / "expected.json").read_text())
    minimum = expected.get("min_botocore")
    if minimum and _version(botocore.__version__)[:3] < _version(minimum):
        pytest.skip(f"needs botocore >= {minimum}")
    if expected.get("without_crt") and _botocore.has_crt():
        pytest.skip("expects botocore without awscrt")
    if expected.get("with_crt") and not _botocore.has_crt():
        pytest.skip("expects botocore[crt] (CI runs it in its crt venv)")
    return expected


def test_every_folder_is_complete() -> None:
    """Every scenario folder has an env.json and an expected.json with the contract's keys, and
    its statuses name every provider of the chain, in botocore's order."""
    assert len(NAMES) >= 60
    chain = list(_botocore.CHAIN_WITH_LOGIN)
    for name in NAMES:
        expected = json.loads((SCENARIOS / name / "expected.json").read_text())
        assert {"docs", "winner", "raises", "error", "statuses"} <= set(expected), name
        assert expected["docs"].strip(), name
        assert list(expected["statuses"]) == chain, name


@pytest.mark.parametrize("name", NAMES)
def test_expected(name: str, tmp_path: Path) -> None:
    """explain() gives the folder's expected winner, exception, error provider and statuses."""
    expected = _expected(name)
    scenario = oracle.load_scenario(SCENARIOS / name)
    with oracle.prepared(scenario, tmp_path / "root") as (env, _server):
        report = oracle.run_credchain(env, scenario.profile)
    assert (report.winner.method if report.winner else None) == expected["winner"]
    assert report.raises == expected["raises"]
    assert (report.error.method if report.error else None) == expected["error"]
    # The whole chain, in order: a provider missing from the report is as wrong as a wrong status.
    # (The oldest botocore supported builds no login provider: its chain is shorter.)
    chain = _botocore.known_chain()
    statuses = [(p.method, p.status.value) for p in report.providers]
    assert statuses == [(m, s) for m, s in expected["statuses"].items() if m in chain]


@pytest.mark.parametrize("name", NAMES)
def test_botocore_agrees(name: str, tmp_path: Path) -> None:
    """The installed botocore does what explain() says, with env= and with os.environ."""
    result = oracle.check(oracle.load_scenario(SCENARIOS / name), tmp_path / "root")
    assert result.problems == []


@pytest.mark.parametrize("name", NAMES)
def test_no_secret_in_output(
    name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """No planted secret and no full access key id appears in the report, its JSON or the logs."""
    scenario = oracle.load_scenario(SCENARIOS / name)
    with oracle.prepared(scenario, tmp_path / "root") as (env, _server):
        secrets, key_ids = oracle.secrets_in(scenario, env)
        with caplog.at_level(logging.DEBUG):
            report = oracle.run_credchain(env, scenario.profile)
            texts = [str(report), repr(report), report.to_json(), json.dumps(report.to_dict())]
            texts.append(caplog.text)
            texts += [r.getMessage() for r in caplog.records]
        cli = _cli_output(env, scenario.profile, capsys)
    texts += cli
    assert cli[0] and cli[2], "the command printed nothing"
    for text in texts:
        assert oracle.leaks(text, secrets, key_ids) == []
    if report.winner is not None and report.winner.access_key:
        assert "*" in report.winner.access_key or len(report.winner.access_key) <= 8


def _cli_output(
    env: dict[str, str], profile: str | None, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    from credchain._cli import main

    out = []
    extra = [] if profile is None else ["--profile", profile]
    for flags in ([], ["--json"]):
        with oracle.environ(env):
            main(["explain", "--run-process", *flags, *extra])
        captured = capsys.readouterr()
        out += [captured.out, captured.err]
    return out


def test_seed_case_names_the_shadowed_role(tmp_path: Path) -> None:
    """The seed case's report says the instance role ExampleInstanceRole is shadowed."""
    scenario = oracle.load_scenario(SCENARIOS / "seed_user_keys_shadow_instance_role")
    with oracle.prepared(scenario, tmp_path / "root") as (env, _server):
        report = credchain.explain(env=env)
    assert report.winner is not None and report.winner.method == "shared-credentials-file"
    assert report.winner.access_key == "AKIA************EY02"
    role = report.get("iam-role")
    assert role is not None and role.status is credchain.Status.SHADOWED
    assert role.role_arn is not None and "ExampleInstanceRole" in role.role_arn
