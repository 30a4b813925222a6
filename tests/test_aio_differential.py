"""aiobotocore is the oracle for aiobotocore sessions: the scenario corpus, replayed.

For every folder of ``tests/scenarios`` and every AWS SDK for Rust case, the scenario is
materialised (real files, a loopback metadata/container endpoint), then
``await AioSession(profile=...).get_credentials()`` runs and
``credchain.explain(session=AioSession(profile=...))`` must agree with it on the
winner, the exception class, the provider that raised and the masked access key.
Skipped where aiobotocore is not installed (CI runs it in ``.ci/venv-aio``).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import oracle
import pytest

pytest.importorskip(
    "aiobotocore", reason="aiobotocore is not installed (CI runs this in .ci/venv-aio)"
)

import botocore
from aiobotocore.session import AioSession
from test_peer_scenarios import CASES, peer_scenario

import credchain
from credchain import _botocore

SCENARIOS = Path(__file__).parent / "scenarios"
NAMES = sorted(p.name for p in SCENARIOS.iterdir() if (p / "env.json").exists())


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _skip_if_not_for_this_botocore(name: str) -> None:
    expected: dict[str, Any] = json.loads((SCENARIOS / name / "expected.json").read_text())
    minimum = expected.get("min_botocore")
    if minimum and _version(botocore.__version__)[:3] < _version(minimum):
        pytest.skip(f"needs botocore >= {minimum}")
    if expected.get("without_crt") and _botocore.has_crt():
        pytest.skip("expects botocore without awscrt")


async def _aiobotocore(profile: str | None) -> oracle.Outcome:
    """``await AioSession(profile=...).get_credentials()``, with the provider that raised."""
    session = AioSession(profile=profile)
    try:
        resolver = session.get_component("credential_provider")
    except Exception as e:
        return oracle.Outcome(None, type(e).__name__, None, None, message=str(e))
    active: list[str] = []
    depth = [0]
    for provider in resolver.providers:

        async def load(original: Any = provider.load, method: str = provider.METHOD) -> Any:
            if depth[0] == 0:
                active.append(method)
            depth[0] += 1
            try:
                return await original()
            finally:
                depth[0] -= 1

        provider.load = load
    try:
        creds = await session.get_credentials()
    except Exception as e:
        return oracle.Outcome(None, type(e).__name__, active[-1], None, message=str(e))
    if creds is None:
        return oracle.Outcome(None, None, None, None)
    names = [c.__name__ for c in type(creds).__mro__]
    if "DeferredRefreshableCredentials" in names:
        return oracle.Outcome(creds.method, None, None, None, deferred=True)
    refreshable = "RefreshableCredentials" in names
    key = creds._access_key if refreshable else creds.access_key
    return oracle.Outcome(creds.method, None, None, oracle.mask(key))


def _check(scenario: oracle.Scenario, root: Path) -> list[str]:
    problems: list[str] = []
    violations: list[str] = []
    with (
        oracle.prepared(scenario, root) as (env, server),
        oracle.loopback_only(violations),
        oracle.environ(env),
        oracle.no_container_pause(),
    ):
        truth = asyncio.run(_aiobotocore(scenario.profile))
        if server is not None:
            server.reset()
        report = credchain.explain(
            session=AioSession(profile=scenario.profile), network=True, run_process=True
        )
    problems += oracle.compare(truth, report, "explain(session=AioSession())")
    if report.aiobotocore_version is None:
        problems.append("the report does not name aiobotocore's version")
    unknown = [p.method for p in report.providers if p.provider_class == "BotocoreProvider"]
    if unknown:
        problems.append(f"aiobotocore providers credchain did not map: {unknown}")
    if violations:
        problems.append(f"non-loopback connections attempted: {violations}")
    return problems


@pytest.mark.parametrize("name", NAMES)
def test_aiobotocore_agrees(name: str, tmp_path: Path) -> None:
    """explain(session=AioSession()) says what await AioSession().get_credentials() does."""
    _skip_if_not_for_this_botocore(name)
    assert _check(oracle.load_scenario(SCENARIOS / name), tmp_path / "root") == []


@pytest.mark.parametrize("case", CASES)
def test_aiobotocore_agrees_on_the_rust_cases(case: str, tmp_path: Path) -> None:
    """The same, on the AWS SDK for Rust's scenario inputs."""
    assert _check(peer_scenario(case), tmp_path / "root") == []
