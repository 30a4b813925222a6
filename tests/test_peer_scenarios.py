"""Other projects' credential scenarios and config files, replayed with botocore as the oracle.

The corpora are other projects' data: they are read where they lie, in
``../shared/peer-scenarios/`` beside the repository (or wherever the
``CREDCHAIN_PEER_SCENARIOS`` environment variable points), never copied in.
Without them these tests are skipped, saying where they looked.

``aws-sdk-rust/``
    The 50 case folders of smithy-rs's ``aws-config/test-data`` (see its README
    for the source and licence), materialised under a temporary root: absolute
    paths in ``env.json`` and in the config files move under it, the recorded
    instance metadata and container responses of ``http-traffic.json`` are
    served from a loopback server (IMDS through
    ``AWS_EC2_METADATA_SERVICE_ENDPOINT``; a container relative URI becomes a
    loopback full URI), and STS, SSO and Signin endpoints point at a closed
    loopback port. Then botocore and ``explain()`` must agree on the whole
    chain. The Rust SDK's own expected result (``test-case.json``) is
    informational only: its chain differs from botocore's.
``peer-configs/``
    Config files from the test suites of botocore, the AWS SDKs for Go (v1 and
    v2), aws-c-auth, aws-c-sdkutils and smithy-rs (see its SOURCE.txt). Every
    file is replayed twice, once as ``~/.aws/config`` and once as
    ``~/.aws/credentials`` (smithy-rs's parser tests name the role of each
    text), for the implicit default profile and for every profile botocore's
    own parser finds in it. The files a config names as ``./testdata/NAME``
    sit beside it in the corpus and are laid out under the working directory.
    Instance metadata is disabled, processes run (the corpus's are ``cat`` of
    those files, or commands that don't exist). botocore and ``explain()`` must
    agree on the winner, the exception, the provider that raises, the masked
    key, the order and every status.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import oracle
import pytest
from botocore.configloader import build_profile_map, raw_config_parse

#: Where the corpora are: $CREDCHAIN_PEER_SCENARIOS, else ../shared/peer-scenarios.
PEER = Path(
    os.environ.get("CREDCHAIN_PEER_SCENARIOS")
    or Path(__file__).resolve().parents[1].parent / "shared" / "peer-scenarios"
)
DATA = PEER / "aws-sdk-rust"
CONFIGS = PEER / "peer-configs"
SUITES = ("default-credential-provider-chain", "profile-provider", "default-token-provider-chain")


def _absent(path: Path) -> str:
    return (
        f"peer corpus {path} is not there (set CREDCHAIN_PEER_SCENARIOS to the folder that holds "
        "aws-sdk-rust/ and peer-configs/)"
    )


def _or_skip(cases: list[Any], folder: Path) -> list[Any]:
    """The cases, or one skipped placeholder that says which corpus is missing."""
    if folder.is_dir():
        return cases
    return [pytest.param(None, marks=pytest.mark.skip(reason=_absent(folder)), id="absent")]


CASES = (
    sorted(
        f"{suite}/{case.name}"
        for suite in SUITES
        for case in (DATA / suite).iterdir()
        if (case / "env.json").exists()
    )
    if DATA.is_dir()
    else []
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
    # No case sets a metadata timeout, and every recorded service answers: a longer one
    # changes no outcome, while the default (1 s, credchain's bound for its whole probe)
    # can run out on a loaded machine, against a server thread of this very process.
    env.setdefault("AWS_METADATA_SERVICE_TIMEOUT", "5")
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
    """All 50 Rust case folders are there: 29 chain, 18 profile-provider, 3 token-chain."""
    if not DATA.is_dir():
        pytest.skip(_absent(DATA))
    counts = {s: sum(c.startswith(s + "/") for c in CASES) for s in SUITES}
    assert counts == {
        "default-credential-provider-chain": 29,
        "profile-provider": 18,
        "default-token-provider-chain": 3,
    }
    assert (DATA / "README.md").exists()
    # peer_scenario gives them a metadata timeout of its own: none sets one.
    for case in CASES:
        for path in (DATA / case).rglob("*"):
            if path.is_file() and path.suffix in ("", ".json") and path.name != "http-traffic.json":
                text = path.read_text(errors="replace").lower()
                assert "metadata_service_timeout" not in text, path


def test_paths_and_uris_are_rewritten() -> None:
    """Absolute paths move under the root and container URIs become loopback full URIs."""
    if not DATA.is_dir():
        pytest.skip(_absent(DATA))
    scenario = peer_scenario("default-credential-provider-chain/eks_pod_identity_credentials")
    assert scenario.env["HOME"] == "{root}/home"
    assert scenario.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] == "{root}/token.jwt"
    assert scenario.env[FULL] == "{http}/v1/credentials"
    scenario = peer_scenario("default-credential-provider-chain/ecs_credentials")
    assert RELATIVE not in scenario.env
    assert scenario.env[FULL].startswith("{http}/v2/credentials/")
    scenario = peer_scenario("default-credential-provider-chain/web_identity_token_profile")
    assert "web_identity_token_file = {root}/token.jwt" in scenario.files["home/.aws/config"]


@pytest.mark.parametrize("case", _or_skip(CASES, DATA))
def test_botocore_agrees(case: str, tmp_path: Path, record_property: Any) -> None:
    """explain() agrees with botocore on the Rust SDK's scenario inputs."""
    rust = json.loads((DATA / case / "test-case.json").read_text()).get("result")
    record_property("rust_expected", json.dumps(rust))
    result = oracle.check(peer_scenario(case), tmp_path / "root")
    record_property("botocore", f"{result.oracle.method} {result.oracle.raises}")
    assert result.problems == [], f"Rust SDK expects {rust} (informational)"


# -- peer-configs: every profile of other projects' config files -----------------------------------

#: Roles a corpus file is replayed in: where it is put and what botocore calls it.
ROLES = {"config": "home/.aws/config", "credentials": "home/.aws/credentials"}
#: Not config files: what the configs name as ./testdata/NAME, and the smithy-rs suite.
_DATA_SUFFIXES = (".json", ".txt")


@dataclass(frozen=True)
class PeerConfig:
    """One replay: config and/or credentials texts, an explicit profile or the implicit one."""

    label: str
    texts: tuple[tuple[str, bytes], ...]  # (role, content)
    profile: str | None
    testdata: tuple[tuple[str, bytes], ...] = field(default=(), repr=False)


def _profiles(texts: dict[str, bytes]) -> list[str]:
    """The profile names botocore's own parser sees in these texts (none if it can't parse)."""
    names: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for role, content in texts.items():
            path = Path(tmp) / role
            path.write_bytes(content)
            try:
                raw = raw_config_parse(str(path))
                found = build_profile_map(raw)["profiles"] if role == "config" else raw
            except Exception:  # the replay shows what botocore does with it
                continue
            names += [n for n in found if n not in names]
    return names


def _replays(label: str, texts: dict[str, bytes], testdata: dict[str, bytes]) -> list[PeerConfig]:
    data = tuple(sorted(testdata.items()))
    items = tuple(sorted(texts.items()))
    return [PeerConfig(label, items, None, data)] + [
        PeerConfig(label, items, name, data) for name in _profiles(texts)
    ]


def peer_configs() -> list[PeerConfig]:
    """Every replay of the peer-configs corpus, in a stable order."""
    cases: list[PeerConfig] = []
    for path in sorted(p for p in CONFIGS.rglob("*") if p.is_file()):
        rel = path.relative_to(CONFIGS).as_posix()
        if path.name == "SOURCE.txt" or path.suffix in _DATA_SUFFIXES:
            continue
        testdata = {
            p.name: p.read_bytes()
            for p in path.parent.iterdir()
            if p.is_file() and p.suffix in _DATA_SUFFIXES
        }
        content = path.read_bytes()
        for role in ROLES:
            cases += _replays(f"{rel} as {role}", {role: content}, testdata)
    suite = json.loads((CONFIGS / "smithy-rs" / "profile-parser-tests.json").read_text())
    for test in suite["tests"]:
        given = test["input"]
        texts = {
            role: given[key].encode("utf-8")
            for role, key in (("config", "configFile"), ("credentials", "credentialsFile"))
            if key in given
        }
        cases += _replays(f"smithy-rs: {test['name']}", texts, {})
    return cases


PEER_CONFIGS = peer_configs() if CONFIGS.is_dir() else []


def _id(case: PeerConfig | None) -> str:
    if case is None:
        return "absent"
    return f"{case.label} [{'(implicit)' if case.profile is None else case.profile}]"


def peer_config_scenario(case: PeerConfig) -> oracle.Scenario:
    """A replay as a scenario: the texts in their roles, the testdata files, IMDS off."""
    env = {
        "HOME": "{root}/home",
        "PATH": "/usr/bin:/bin",
        "AWS_CONFIG_FILE": "{root}/home/.aws/config",
        "AWS_SHARED_CREDENTIALS_FILE": "{root}/home/.aws/credentials",
        "BOTO_CONFIG": "{root}/home/.boto",  # absent: hides the machine's /etc/boto.cfg
        "AWS_EC2_METADATA_DISABLED": "true",
        **oracle.GUARDS,
    }
    binary = {ROLES[role]: content for role, content in case.texts}  # byte for byte
    binary.update({f"testdata/{name}": content for name, content in case.testdata})
    return oracle.Scenario(env, {}, None, case.profile, binary=binary)


def test_peer_configs_are_all_replayed() -> None:
    """Every file of the corpus is replayed in both roles, for every profile in it."""
    if not CONFIGS.is_dir():
        pytest.skip(_absent(CONFIGS))
    implicit = [c for c in PEER_CONFIGS if c.profile is None]
    files = [
        p
        for p in CONFIGS.rglob("*")
        if p.is_file() and p.name != "SOURCE.txt" and p.suffix not in _DATA_SUFFIXES
    ]
    assert len(implicit) == 2 * len(files) + 65  # and the 65 smithy-rs parser tests
    assert len(PEER_CONFIGS) > 1000
    named = [c for c in PEER_CONFIGS if c.profile is not None]
    assert any(c.profile == "assume_role_w_creds" for c in named)


@pytest.mark.parametrize("case", _or_skip(PEER_CONFIGS, CONFIGS), ids=_id)
def test_peer_config_profile(
    case: PeerConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """explain() agrees with botocore on a profile of another project's config file."""
    root = tmp_path / "root"
    root.mkdir()
    monkeypatch.chdir(root)  # ./testdata/NAME resolves here, for botocore and for credchain
    result = oracle.check(peer_config_scenario(case), root, ways=(oracle.VIA_ENV,))
    assert result.problems == []
