"""The JSON Schemas shipped in ``credchain/schema`` and published in the docs."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from schema_check import validate_json

import credchain
from credchain.schema import NAMES, SCHEMA_VERSION, load
from credchain.testing import Sandbox

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def report(tmp_path: Path) -> dict[str, Any]:
    """A real report: keys in ~/.aws/credentials, offline."""
    box = Sandbox(tmp_path)
    box.write_credentials(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="SECRET-NEVER-PRINTED-01",
    )
    return credchain.explain(env=box.env, network=False).to_dict()


def test_schemas_load_from_the_package() -> None:
    """Both schemas load with importlib.resources and are valid Draft 2020-12 schemas."""
    import jsonschema

    for name in NAMES:
        schema = load(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["properties"]["schema"] == {
            "const": SCHEMA_VERSION,
            **{"description": schema["properties"]["schema"]["description"]},
        }
        assert schema["additionalProperties"] is True
        assert schema["$id"].endswith(f"/schema/{name}.v1.json")


def test_unknown_names_and_versions() -> None:
    """An unknown schema name is a ValueError, an unshipped version FileNotFoundError."""
    with pytest.raises(ValueError, match="no schema named"):
        load("settings")
    with pytest.raises(FileNotFoundError):
        load("report", 99)


def test_report_validates_and_carries_the_version(report: dict[str, Any]) -> None:
    """explain()'s dict has ``"schema": 1`` and matches report.v1.json."""
    assert report["schema"] == 1
    validate_json(report, "report")


def test_extra_keys_are_allowed(report: dict[str, Any]) -> None:
    """Keys added later (settings, next_steps, …) do not break schema 1."""
    extended = {
        **report,
        "next_steps": ["x"],
        "settings": {
            "region": {"value": "eu-west-1", "source": "AWS_REGION", "env_var": "AWS_REGION"}
        },
        "region": "eu-west-1",
    }
    extended["providers"] = [{**p, "something_new": 1} for p in report["providers"]]
    validate_json(extended, "report")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.pop("winner"), "winner"),
        (lambda d: d.update(schema=2), "schema"),
        (lambda d: d["providers"][0].update(status="maybe"), "status"),
        (lambda d: d["providers"][4].update(access_key="AKIAIOSFODNN7EXAMPLE"), "access_key"),
        (lambda d: d["providers"][0].update(expires_at="tomorrow"), "expires_at"),
        (lambda d: d.update(settings={"region": {"value": "x"}}), "source"),
    ],
)
def test_invalid_reports_fail(report: dict[str, Any], change: Any, where: str) -> None:
    """A missing key, a wrong version or status, an unmasked key id or bad timestamp fails."""
    broken = copy.deepcopy(report)
    change(broken)
    with pytest.raises(AssertionError):
        validate_json(broken, "report")


def test_profiles_validate(tmp_path: Path) -> None:
    """``credchain profiles --json`` has ``"schema": 1`` and matches profiles.v1.json."""
    from credchain._profiles import list_profiles

    box = Sandbox(tmp_path)
    box.write_credentials(
        "ci",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="SECRET-NEVER-PRINTED-01",
    )
    box.write_config(
        "broken", source_profile="nowhere", role_arn="arn:aws:iam::123456789012:role/R"
    )
    data = json.loads(list_profiles(env=box.env).to_json())
    assert data["schema"] == 1
    validate_json(data, "profiles")


def test_docs_publish_the_shipped_schemas() -> None:
    """docs/schema.md includes the packaged files, so the site shows what the wheel ships."""
    page = (ROOT / "docs" / "schema.md").read_text()
    for name in NAMES:
        assert f"../credchain/schema/{name}.v1.json" in page
