"""The public contract, as applications use it; checked by ``mypy --strict``, never run."""

from __future__ import annotations

import json
from typing import Any

import credchain
from credchain import Chain, Endpoint, ProviderResult, Report, Setting, Status
from credchain.providers import Context, Finding


def inspect_here() -> str | None:
    report: Report = credchain.explain(network=False, timeout=0.5)
    winner: ProviderResult | None = report.winner
    for p in report.providers:
        status: Status = p.status
        _: str = p.reason + (p.source or "") + (p.access_key or "") + (p.role_arn or "")
        assert status in Status
    json.loads(report.to_json())
    steps: tuple[str, ...] = report.next_steps
    assert all(isinstance(step, str) for step in steps)
    assert isinstance(report.to_dict()["providers"], list)
    return winner.method if winner else report.raises


def with_profile(env: dict[str, str]) -> str:
    return str(credchain.explain(profile="dev", env=env, run_process=True))


class MyInspector:
    METHOD = "mine"

    def inspect(self, ctx: Context, profile: str) -> Finding:
        return Finding(Status.NOT_FOUND, None, f"nothing for {profile} in {ctx.home()}.")


def custom_chain() -> Report:
    chain = Chain.default()
    chain.insert_before("env", MyInspector())
    return credchain.explain(chain=chain)


def startup_check() -> str:
    identity = credchain.assert_role("Worker", account="123456789012", verify=False)
    who = f"{identity.arn} {identity.account} {identity.role_name}"
    return f"{who} {identity.provider} {identity.verified}"


def expiry_and_usability() -> list[str]:
    import datetime

    fixed = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.timezone.utc)
    report = credchain.explain(network=False, clock=lambda: fixed)
    undetermined: ProviderResult | None = report.undetermined
    checked: datetime.datetime | None = report.checked_at
    out = [undetermined.method if undetermined else "", str(checked)]
    for p in report.providers:
        expires: datetime.datetime | None = p.expires_at
        usable: bool | None = p.usable
        why: str | None = p.usable_reason
        name: str | None = p.role_name
        account: str | None = p.account
        out.append(f"{expires} {usable} {why} {name} {account}")
    return out


def worker_start() -> str:
    import datetime

    identity = credchain.assert_role(
        "AWSReservedSSO_Worker_*", verify=False, min_validity=datetime.timedelta(hours=1)
    )
    return str(identity)


def region_and_settings() -> str:
    report = credchain.explain(network=False)
    region: str | None = report.region
    setting: Setting = report.settings["region"]
    where: str = setting.source
    names: tuple[str | None, str | None] = (setting.env_var, setting.config_key)
    value: object = setting.value
    sts: Endpoint = report.endpoints()["sts"]
    url: str | None = sts.url
    data = report.to_dict()
    assert data["region"] == region and "settings" in data
    return f"{region} {where} {names} {value!r} {url}"


def region_check() -> str | None:
    identity = credchain.assert_role("Worker", verify=False, region="eu-west-1")
    return identity.provider


def schema_check() -> int:
    from credchain.schema import SCHEMA_VERSION, load

    schema: dict[str, Any] = load("report", SCHEMA_VERSION)
    data = credchain.explain(network=False).to_dict()
    assert data["schema"] == SCHEMA_VERSION and "properties" in schema
    return SCHEMA_VERSION


async def async_start() -> str:
    import credchain.aio

    report: Report = await credchain.aio.explain(network=False)
    aio_version: str | None = report.aiobotocore_version
    identity: credchain.Identity = await credchain.aio.assert_role("Worker", verify=False)
    required: credchain.Identity | None = await credchain.aio.require_role()
    return f"{identity} {required} {aio_version}"
