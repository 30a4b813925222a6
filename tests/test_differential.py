"""Differential testing: random credential set-ups, botocore as the oracle, explain() must agree.

Hypothesis combines the ingredients botocore's chain reads — environment variables
(blank ones included), profiles in either file with random keys, source_profile
graphs, sso sections, credential_process scripts with random outputs, and loopback
metadata and container endpoints with random behaviours — and checks that
``credchain.explain()`` names the same winner, exception, error provider and
masked access key as ``botocore.session.Session(profile=...).get_credentials()``.

CI runs a fixed, derandomized budget. To hunt for mismatches locally::

    CREDCHAIN_DIFF_EXAMPLES=2000 pytest tests/test_differential.py -p no:cacheprovider
    python tests/test_differential.py 2000      # the same, without pytest
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import oracle
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

FUTURE = "2099-01-01T00:00:00Z"
PAST = "2001-01-01T00:00:00Z"
NAMES = ("default", "a", "b", "c")
ROLE_ARN = "arn:aws:iam::123456789012:role/Diff"
TOKEN_PATH = "/latest/api/token"
ROLE_PATH = "/latest/meta-data/iam/security-credentials/"

EXAMPLES = int(os.environ.get("CREDCHAIN_DIFF_EXAMPLES", "0") or 0)
HUNTING = EXAMPLES > 0


def key(n: int, prefix: str = "AKIA") -> str:
    return f"{prefix}DIFF{n:04d}PLANTED{n % 10}"


def secret(n: int) -> str:
    return f"SECRET-NEVER-PRINTED-{n:04d}-".ljust(40, "K")


def token(n: int) -> str:
    return f"TOKEN-NEVER-PRINTED-{n:04d}-".ljust(64, "T")


# -- files ---------------------------------------------------------------------------------------

# What a credential_process script prints (None: nothing) and its exit status.
PROCESS_OUTPUTS: list[tuple[Any, int]] = [
    (
        {
            "Version": 1,
            "AccessKeyId": key(70, "ASIA"),
            "SecretAccessKey": secret(70),
            "SessionToken": token(70),
            "Expiration": FUTURE,
        },
        0,
    ),
    ({"Version": 1, "AccessKeyId": key(71), "SecretAccessKey": secret(71)}, 0),
    (
        {
            "Version": 1,
            "AccessKeyId": key(72),
            "SecretAccessKey": secret(72),
            "Expiration": "not a date",
        },
        0,
    ),
    ({"Version": 1, "AccessKeyId": key(73), "SecretAccessKey": secret(73), "Expiration": PAST}, 0),
    ({"Version": 2, "AccessKeyId": key(74), "SecretAccessKey": secret(74)}, 0),
    ({"Version": "1", "AccessKeyId": key(75), "SecretAccessKey": secret(75)}, 0),
    ({"AccessKeyId": key(76), "SecretAccessKey": secret(76)}, 0),
    ({"Version": 1, "AccessKeyId": key(77)}, 0),
    ({"Version": 1, "SecretAccessKey": secret(78)}, 0),
    ({"Version": 1, "AccessKeyId": "", "SecretAccessKey": ""}, 0),
    ({"Version": 1, "AccessKeyId": 12345, "SecretAccessKey": secret(79), "Expiration": 5}, 0),
    ([1, 2, 3], 0),
    ("not json at all", 0),
    (None, 0),
    (None, 1),
    ({"Version": 1, "AccessKeyId": key(80), "SecretAccessKey": secret(80)}, 3),
]

PROCESS_COMMANDS = st.one_of(
    st.integers(0, len(PROCESS_OUTPUTS) - 1).map(lambda i: f"{{root}}/bin/p{i}.sh"),
    st.integers(0, len(PROCESS_OUTPUTS) - 1).map(lambda i: f"{{root}}/bin/p{i}.sh --profile x"),
    st.sampled_from(
        [
            "{root}/bin/no-such-program",
            "'{root}/bin/p0.sh",
            "",
            "   ",
            "{root}/bin/not-executable",
            "echo {} | cat",
        ]
    ),
)


def process_files() -> dict[str, str]:
    files = {"bin/not-executable": "echo hi\n"}
    for i, (out, code) in enumerate(PROCESS_OUTPUTS):
        lines = ["#!/bin/sh", "echo 'stderr: " + secret(90 + i) + "' >&2"]
        if out is not None:
            files[f"bin/p{i}.out"] = out if isinstance(out, str) else json.dumps(out)
            lines.append(f"cat '{{root}}/bin/p{i}.out'")
        lines.append(f"exit {code}")
        files[f"bin/p{i}.sh"] = "\n".join(lines) + "\n"
    return files


SSO_VALUES = {
    "sso_start_url": st.sampled_from(
        ["https://a.awsapps.com/start", "https://b.awsapps.com/start"]
    ),
    "sso_region": st.sampled_from(["us-east-1", "eu-west-1"]),
    "sso_account_id": st.just("123456789012"),
    "sso_role_name": st.sampled_from(["Admin", "ReadOnly"]),
    "sso_session": st.sampled_from(["corp", "ghost"]),
}


@st.composite
def profile_keys(draw: st.DrawFn, n: int) -> dict[str, str]:
    """A random subset of the keys the chain reads from one profile."""
    chosen: dict[str, str] = {}

    def maybe(name: str, values: st.SearchStrategy[str], p: int = 4) -> None:
        # Hypothesis favours the simplest draw (0): make that "leave the key out".
        if draw(st.integers(0, p - 1)) == p - 1:
            chosen[name] = draw(values)

    maybe("aws_access_key_id", st.sampled_from([key(n), key(n + 1, "ASIA"), ""]), 2)
    maybe("aws_secret_access_key", st.sampled_from([secret(n), ""]), 2)
    maybe("aws_session_token", st.just(token(n)))
    maybe("role_arn", st.sampled_from([ROLE_ARN, ""]), 3)
    maybe("source_profile", st.sampled_from([*NAMES, "ghost"]), 3)
    maybe(
        "credential_source",
        st.sampled_from(
            [
                "Environment",
                "Ec2InstanceMetadata",
                "EcsContainer",
                "environment",
                "SharedConfig",
                "Bogus",
            ]
        ),
        6,
    )
    maybe(
        "web_identity_token_file", st.sampled_from(["{root}/token.jwt", "{root}/none.jwt", ""]), 6
    )
    maybe("role_session_name", st.just("diff"), 8)
    maybe("mfa_serial", st.just("arn:aws:iam::123456789012:mfa/me"), 10)
    maybe("duration_seconds", st.sampled_from(["900", "soon"]), 10)
    for name, values in SSO_VALUES.items():
        maybe(name, values, 7)
    maybe("credential_process", PROCESS_COMMANDS, 5)
    maybe("login_session", st.just("arn:aws:iam::123456789012:user/me"), 14)
    maybe("metadata_service_timeout", st.sampled_from(["1", "1", "x"]), 20)
    maybe("metadata_service_num_attempts", st.sampled_from(["1", "2", "y"]), 20)
    maybe("ec2_metadata_v1_disabled", st.sampled_from(["true", "false"]), 14)
    maybe("ec2_metadata_service_endpoint_mode", st.sampled_from(["ipv4", "IPV6", "nope"]), 20)
    if draw(st.integers(0, 11)) == 11 and chosen:
        # An indented block under a key is parsed into a dict (botocore's _parse_nested).
        chosen[draw(st.sampled_from(sorted(chosen)))] = NESTED
    if draw(st.integers(0, 9)) == 9 and chosen:  # configparser lowercases option names
        first = next(iter(chosen))
        chosen[first.upper()] = chosen.pop(first)
    return chosen


NESTED = "\n    nested = value"


def ini(sections: list[tuple[str, dict[str, str]]]) -> str:
    lines = []
    for name, values in sections:
        lines.append(f"[{name}]")
        lines += [f"{k} = {v}" if v not in ("", NESTED) else f"{k} ={v}" for k, v in values.items()]
        lines.append("")
    return "\n".join(lines)


@st.composite
def shared_files(draw: st.DrawFn) -> dict[str, str]:
    """~/.aws/config and ~/.aws/credentials (either may be absent or malformed)."""
    config: list[tuple[str, dict[str, str]]] = []
    creds: list[tuple[str, dict[str, str]]] = []
    for i, name in enumerate(NAMES):
        where = draw(st.sampled_from(["config", "creds", "both"] * 3 + ["none"]))
        if where in ("config", "both"):
            if name == "default":
                section = draw(st.sampled_from(["default", "default", "profile default"]))
            else:
                # build_profile_map splits "profile NAME" with shlex: only two words count.
                section = draw(
                    st.sampled_from(
                        [f"profile {name}"] * 24
                        + [
                            name,
                            f'profile "{name}"',
                            f"profile  {name}",
                            f"profile{name}",
                            f"profile {name} x",
                            f"profile '{name}",
                        ]
                    )
                )
            config.append((section, draw(profile_keys(10 * i + 1))))
        if where in ("creds", "both"):
            section = f"profile {name}" if draw(st.integers(0, 7)) == 7 else name
            creds.append((section, draw(profile_keys(10 * i + 5))))
    for session in draw(st.lists(st.sampled_from(["corp", "other"]), unique=True, max_size=2)):
        values = {
            k: draw(v)
            for k, v in SSO_VALUES.items()
            if k in ("sso_start_url", "sso_region") and draw(st.booleans())
        }
        config.append((f"sso-session {session}", values))
    files: dict[str, str] = {}
    if config or draw(st.booleans()):
        files["home/.aws/config"] = ini(config)
    if creds or draw(st.booleans()):
        files["home/.aws/credentials"] = ini(creds)
    broken = draw(st.integers(0, 29))
    if broken == 27 and "home/.aws/config" in files:
        files["home/.aws/config"] += "[unterminated\n"
    elif broken == 28 and "home/.aws/credentials" in files:
        files["home/.aws/credentials"] = "orphan = 1\n" + files["home/.aws/credentials"]
    elif broken == 29 and "home/.aws/config" in files:
        files["home/.aws/config"] += "[default]\ns3 =\n    no-equals-sign\n"
    return files


# -- endpoints -----------------------------------------------------------------------------------


def imds_credentials(kind: str) -> Any:
    body: dict[str, Any] = {
        "Code": "Success",
        "AccessKeyId": key(60, "ASIA"),
        "SecretAccessKey": secret(60),
        "Token": token(60),
        "Expiration": FUTURE,
    }
    if kind == "ok":
        return body
    if kind == "past":
        return {**body, "Expiration": PAST}
    if kind == "bad-expiration":
        return {**body, "Expiration": "later"}
    if kind == "missing-token":
        return {k: v for k, v in body.items() if k != "Token"}
    if kind == "error-document":
        return {"Code": "AssumeRoleUnauthorizedAccess", "Message": "no"}
    if kind == "null-expiration":
        return {**body, "Expiration": None}
    if kind == "number-expiration":
        return {**body, "Expiration": 1234}
    if kind == "string":  # `field in credentials` is a substring test on a JSON string
        return json.dumps("AccessKeyId SecretAccessKey Token Expiration")
    if kind == "list":
        return [body]
    return "{not json"


@st.composite
def imds_entries(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A metadata service: how it answers the token, role-name and credentials requests."""
    token_status = draw(st.sampled_from([200, 200, 200, 403, 404, 405, 400, 500]))
    token_body = draw(st.sampled_from(["IMDS-TOKEN", "IMDS-TOKEN", ""]))
    role = draw(st.sampled_from(["Role", "Role", "Role", "", "two words", "Role\n", "a/b"]))
    role_status = draw(st.sampled_from([200, 200, 200, 404, 500]))
    creds_status = draw(st.sampled_from([200, 200, 200, 404]))
    creds = imds_credentials(
        draw(
            st.sampled_from(
                [
                    "ok",
                    "ok",
                    "ok",
                    "past",
                    "bad-expiration",
                    "missing-token",
                    "error-document",
                    "bad-json",
                    "null-expiration",
                    "number-expiration",
                    "string",
                    "list",
                ]
            )
        )
    )
    entries = [
        {"method": "PUT", "path": TOKEN_PATH, "status": token_status, "body": token_body},
        {"path": ROLE_PATH, "status": role_status, "body": role},
    ]
    if role:
        entries.append({"path": ROLE_PATH + role, "status": creds_status, "body": creds})
    flaky = draw(st.sampled_from([None] * 6 + [0, 1, 2]))
    if flaky is not None and flaky < len(entries):
        # One failure first: with AWS_METADATA_SERVICE_NUM_ATTEMPTS=2 botocore tries again.
        entries.insert(flaky, {**entries[flaky], "status": 500, "body": ""})
    return entries


def container_body(kind: str) -> Any:
    body: dict[str, Any] = {
        "AccessKeyId": key(50, "ASIA"),
        "SecretAccessKey": secret(50),
        "Token": token(50),
        "Expiration": FUTURE,
        "AccountId": "123456789012",
    }
    variants: dict[str, Any] = {
        "ok": body,
        "past": {**body, "Expiration": PAST},
        "no-token": {k: v for k, v in body.items() if k != "Token"},
        "no-expiration": {k: v for k, v in body.items() if k != "Expiration"},
        "bad-expiration": {**body, "Expiration": "soon"},
        "number-expiration": {**body, "Expiration": 1234},
        "list": [body],
        "bad-json": "<html/>",
    }
    return variants[kind]


# -- the environment -----------------------------------------------------------------------------


def optional(name: str, values: list[str], absent: int = 3) -> st.SearchStrategy[dict[str, str]]:
    """``{name: value}`` for one of ``values``, or ``{}`` (``absent`` times as likely as each)."""
    choices: list[str | None] = [None] * absent + list(values)
    return st.sampled_from(choices).map(lambda v: {} if v is None else {name: v})


@st.composite
def scenarios(draw: st.DrawFn) -> oracle.Scenario:
    """A random, loopback-only credential set-up."""
    env: dict[str, str] = {
        "HOME": "{root}/home",
        "PATH": "/usr/bin:/bin",
        **oracle.GUARDS,
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{http}/",
    }
    for part in (
        optional("AWS_ACCESS_KEY_ID", [key(1), "", key(2, "ASIA")], 2),
        optional("AWS_SECRET_ACCESS_KEY", [secret(1), ""], 2),
        optional("AWS_SESSION_TOKEN", [token(1), ""]),
        optional("AWS_SECURITY_TOKEN", [token(2)], 8),
        optional("AWS_CREDENTIAL_EXPIRATION", [FUTURE, PAST, "garbage", ""], 5),
        optional("AWS_PROFILE", [*NAMES, *NAMES, "missing", ""], 4),
        optional("AWS_DEFAULT_PROFILE", [*NAMES, "missing", ""], 8),
        optional("AWS_WEB_IDENTITY_TOKEN_FILE", ["{root}/token.jwt", "{root}/none.jwt", ""], 4),
        optional("AWS_ROLE_ARN", [ROLE_ARN, ""], 3),
        optional("AWS_ROLE_SESSION_NAME", ["diff"], 6),
        optional(
            "AWS_CREDENTIAL_FILE",
            [
                "{root}/ec2-ok",
                "{root}/ec2-partial",
                "{root}/ec2-nokey",
                "{root}/missing",
                "~/ec2-ok",
            ],
            6,
        ),
        optional(
            "BOTO_CONFIG",
            ["{root}/boto-ok", "{root}/boto-partial", "{root}/boto-none", "{root}/missing"],
            1,
        ),
        optional(
            "AWS_SHARED_CREDENTIALS_FILE",
            ["{root}/missing", "~/.aws/credentials", "$HOME/.aws/credentials", "", "{root}/home"],
            8,
        ),
        optional(
            "AWS_CONFIG_FILE",
            ["{root}/missing", "~/.aws/config", "${HOME}/.aws/config", "", "{root}/binary"],
            8,
        ),
        optional("AWS_EC2_METADATA_DISABLED", ["true", "TRUE", "false", "", "1"], 1),
        optional("AWS_EC2_METADATA_V1_DISABLED", ["true", "false", "TRUE"], 4),
        optional("AWS_METADATA_SERVICE_TIMEOUT", ["1"] * 30 + ["2", "1.5", "x"], 8),
        optional("AWS_METADATA_SERVICE_NUM_ATTEMPTS", ["1"] * 30 + ["2", "z"], 8),
        optional("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", ["ipv4", "ipv4", "IPv6", "ipv5"], 20),
        optional("AWS_IMDS_USE_IPV6", ["true", "false"], 8),
        optional(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            [
                "{http}/creds",
                "{http}/creds",
                "http://example.com/creds",
                "{http}/nothing",
                "http://127.0.0.1:9/creds",
                "",
                "http://169.254.170.2@{hostport}/creds",
            ],
            5,
        ),
        # botocore prefixes http://169.254.170.2; "@127.0.0.1:port" keeps the request local.
        optional("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ["@{hostport}/creds"], 10),
        # The metadata fetcher takes its proxies from the environment; a refused proxy on
        # loopback port 1 keeps everything local.
        optional("HTTP_PROXY", ["http://127.0.0.1:1"], 6),
        optional("http_proxy", ["http://127.0.0.1:1", ""], 10),
        optional("NO_PROXY", ["127.0.0.1", "*", "example.com", ""], 4),
        optional("AWS_CONTAINER_AUTHORIZATION_TOKEN", ["CONTAINER-TOKEN-NEVER-PRINTED", "a\nb"], 5),
        optional(
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            ["{root}/ctoken", "{root}/ctoken-newline", "{root}/missing"],
            5,
        ),
    ):
        env.update(draw(part))
    if draw(st.integers(0, 14)) == 14:  # botocore tolerates a malformed endpoint only when unused
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = draw(
            st.sampled_from(["not a uri", "{http}", "http://127.0.0.1:9/", "http://[::1"])
        )
    files = draw(shared_files())
    files.update(process_files())
    files.update(
        {
            "token.jwt": "header.payload.signature",
            "ec2-ok": f"AWSAccessKeyId={key(40)}\nAWSSecretKey={secret(40)}\n",
            "home/ec2-ok": f"AWSAccessKeyId={key(41)}\nAWSSecretKey={secret(41)}\n",
            "ec2-partial": f"AWSAccessKeyId={key(42)}\n",
            "ec2-nokey": f"AWSSecretKey={secret(42)}\n",
            "boto-ok": ini(
                [
                    (
                        "Credentials",
                        {"aws_access_key_id": key(43), "aws_secret_access_key": secret(43)},
                    )
                ]
            ),
            "boto-partial": ini([("Credentials", {"aws_access_key_id": key(44)})]),
            "boto-none": ini([("Boto", {"debug": "0"})]),
            "ctoken": "CONTAINER-TOKEN-NEVER-PRINTED",
            "ctoken-newline": "CONTAINER-TOKEN-NEVER-PRINTED\n",
        }
    )
    http = draw(imds_entries())
    container = draw(
        st.sampled_from(
            [
                "ok",
                "ok",
                "ok",
                "past",
                "no-token",
                "no-expiration",
                "bad-expiration",
                "number-expiration",
                "list",
                "bad-json",
                "500",
            ]
        )
    )
    if container == "500":
        http.append({"path": "/creds", "status": 500, "body": "down"})
    else:
        http.append({"path": "/creds", "body": container_body(container)})
    profile = draw(st.sampled_from([None] * 6 + [*NAMES, *NAMES, "missing", ""]))
    binary = {"binary": b"[default]\nregion = \xff\xfe\n"}  # not UTF-8: ConfigParseError
    return oracle.Scenario(env, files, http, profile, lenient_http=True, binary=binary)


# -- the property --------------------------------------------------------------------------------


def check_one(scenario: oracle.Scenario) -> list[str]:
    """Every disagreement between botocore and explain() on ``scenario`` (and any leak)."""
    with tempfile.TemporaryDirectory(prefix="credchain-diff-") as tmp:
        result = oracle.check(scenario, Path(tmp) / "root")
        secrets, key_ids = oracle.secrets_in(scenario, result.env)
        problems = list(result.problems)
        for report in result.reports:
            for text in (str(report), report.to_json()):
                found = oracle.leaks(text, secrets, key_ids)
                if found:
                    problems.append(f"leaked {found}")
    return problems


@settings(
    max_examples=EXAMPLES or 200,
    deadline=None,
    derandomize=not HUNTING,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenarios())
def test_explain_agrees_with_botocore(scenario: oracle.Scenario) -> None:
    """On random credential set-ups explain() names botocore's winner, exception and key."""
    problems = check_one(scenario)
    assert problems == [], _describe(scenario, problems)


def _describe(scenario: oracle.Scenario, problems: list[str]) -> str:
    env = {k: v for k, v in scenario.env.items() if k not in oracle.GUARDS}
    shown = {
        "problems": problems,
        "profile": scenario.profile,
        "env": env,
        "files": {k: v for k, v in scenario.files.items() if k.startswith("home/")},
        "http": scenario.http,
    }
    return json.dumps(shown, indent=1)


def hunt(n: int) -> dict[str, int]:
    """Run ``n`` random examples without shrinking; print each new kind of mismatch once."""
    found: dict[str, int] = {}

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(scenarios())
    def run(scenario: oracle.Scenario) -> None:
        issues = check_one(scenario)
        if issues:
            signature = issues[0].split(" (")[0].split(": ", 1)[-1]
            if signature not in found:
                print(_describe(scenario, issues), flush=True)
            found[signature] = found.get(signature, 0) + 1

    run()
    return found


if __name__ == "__main__":  # standalone hunting: python tests/test_differential.py [N]
    print(json.dumps(hunt(int(sys.argv[1]) if len(sys.argv) > 1 else 500), indent=1))
