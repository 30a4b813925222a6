"""The AWS SDK for Rust's credential scenarios, replayed with botocore as the oracle.

The 50 case folders of smithy-rs's ``aws-config/test-data`` (copied byte for byte
into ``tests/peer_scenarios_data/aws-sdk-rust/``, see its README for the source
and licence) are materialised under a temporary root: absolute paths in
``env.json`` and in the config files move under it, the recorded instance
metadata and container responses of ``http-traffic.json`` are served from a
loopback server (IMDS through ``AWS_EC2_METADATA_SERVICE_ENDPOINT``; a container
relative URI becomes a loopback full URI), and STS, SSO and Signin endpoints
point at a closed loopback port. Then botocore and ``explain()`` must agree.
The Rust SDK's own expected result (``test-case.json``) is informational only:
its chain differs from botocore's.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import oracle
import pytest

DATA = Path(__file__).parent / "peer_scenarios_data" / "aws-sdk-rust"
SUITES = ("default-credential-provider-chain", "profile-provider", "default-token-provider-chain")
CASES = sorted(
    f"{suite}/{case.name}"
    for suite in SUITES
    for case in (DATA / suite).iterdir()
    if (case / "env.json").exists()
)
#: Hosts the Rust recordings talk to that the loopback server stands in for.
METADATA_HOSTS = ("169.254.169.254", "169.254.170.2", "169.254.170.23")
RELATIVE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
FULL = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
_ABSOLUTE_VALUE = re.compile(r"^(\s*[\w.-]+\s*=\s*)(/\S*)", re.MULTILINE)


def http_entries(traffic: dict[str, Any]) -> list[dict[str, Any]]:
    """The recorded metadata and container exchanges, as the loopback server's entries."""
    requests: dict[int, dict[str, Any]] = {}
    for event in traffic["events"]:
        conn, action = event["connection_id"], event["action"]
        if "Request" in action:
            request = action["Request"]["request"]
            headers = {k.lower() for k in request.get("headers", {})}
            requests[conn] = {
                "uri": request["uri"],
                "method": request.get("method", "GET"),
                "token": "x-aws-ec2-metadata-token" in headers,
                "status": None,
                "body": "",
            }
        elif "Response" in action and conn in requests:
            response = action["Response"]["response"]
            requests[conn]["status"] = response.get("Ok", {}).get("status", 500)
        elif "Data" in action and action["Data"]["direction"] == "Response" and conn in requests:
            requests[conn]["body"] += action["Data"]["data"].get("Utf8", "")
    entries = []
    for _conn, r in sorted(requests.items()):
        parts = urlsplit(r["uri"])
        if parts.hostname not in METADATA_HOSTS or r["status"] is None:
            continue
        entry = {
            "method": r["method"],
            "path": parts.path,
            "status": r["status"],
            "body": r["body"],
        }
        if r["method"] == "GET" and parts.hostname == "169.254.169.254":
            entry["token"] = r["token"]
        entries.append(entry)
    return entries


def peer_scenario(case: str) -> oracle.Scenario:
    """A Rust case folder as a loopback-only scenario under ``{root}``."""
    folder = DATA / case
    raw_env: dict[str, str] = json.loads((folder / "env.json").read_text())
    env: dict[str, str] = {}
    for name, value in raw_env.items():
        if name == RELATIVE:
            env[FULL] = "{http}" + value
        elif name == FULL and urlsplit(value).hostname in METADATA_HOSTS:
            env[FULL] = "{http}" + urlsplit(value).path
        elif value.startswith("/"):
            env[name] = "{root}" + value
        else:
            env[name] = value
    env.setdefault("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{http}/")
    env.update(oracle.GUARDS)  # STS, SSO and Signin: never called by botocore's chain anyway
    files: dict[str, str] = {}
    binary: dict[str, bytes] = {}
    fs = folder / "fs"
    if fs.is_dir():
        for path in sorted(p for p in fs.rglob("*") if p.is_file()):
            rel = path.relative_to(fs).as_posix()
            data = path.read_bytes()
            if path.parent.name == ".aws" and path.name in ("config", "credentials"):
                files[rel] = _ABSOLUTE_VALUE.sub(r"\1{root}\2", data.decode("utf-8"))
            else:
                binary[rel] = data
    traffic = json.loads((folder / "http-traffic.json").read_text())
    return oracle.Scenario(
        env, files, http_entries(traffic), None, lenient_http=True, binary=binary
    )


def test_all_cases_are_there() -> None:
    """All 50 Rust case folders were copied: 29 chain, 18 profile-provider, 3 token-chain."""
    counts = {s: sum(c.startswith(s + "/") for c in CASES) for s in SUITES}
    assert counts == {
        "default-credential-provider-chain": 29,
        "profile-provider": 18,
        "default-token-provider-chain": 3,
    }
    assert (DATA / "README.md").exists()


def test_paths_and_uris_are_rewritten() -> None:
    """Absolute paths move under the root and container URIs become loopback full URIs."""
    scenario = peer_scenario("default-credential-provider-chain/eks_pod_identity_credentials")
    assert scenario.env["HOME"] == "{root}/home"
    assert scenario.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] == "{root}/token.jwt"
    assert scenario.env[FULL] == "{http}/v1/credentials"
    scenario = peer_scenario("default-credential-provider-chain/ecs_credentials")
    assert RELATIVE not in scenario.env
    assert scenario.env[FULL].startswith("{http}/v2/credentials/")
    scenario = peer_scenario("default-credential-provider-chain/web_identity_token_profile")
    assert "web_identity_token_file = {root}/token.jwt" in scenario.files["home/.aws/config"]


@pytest.mark.parametrize("case", CASES)
def test_botocore_agrees(case: str, tmp_path: Path, record_property: Any) -> None:
    """explain() agrees with botocore on the Rust SDK's scenario inputs."""
    rust = json.loads((DATA / case / "test-case.json").read_text()).get("result")
    record_property("rust_expected", json.dumps(rust))
    result = oracle.check(peer_scenario(case), tmp_path / "root")
    record_property("botocore", f"{result.oracle.method} {result.oracle.raises}")
    assert result.problems == [], f"Rust SDK expects {rust} (informational)"
