"""``credchain profiles`` skips providers whose ``absent()`` says nothing is configured.

A row never shows a ``not-found`` finding, so the listing does not inspect a
provider whose ``absent(ctx, profile)`` is true. That must never hide anything
else: on every scenario of ``tests/scenarios``, on the parity suite's generated
profiles and on random sections, the findings of a walk that skips are exactly
the findings of a full walk without its ``not-found`` ones.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from oracle import load_scenario, materialise
from test_profiles_parity import _write

from credchain._context import Context
from credchain._profiles import walk
from credchain._report import Status

SCENARIOS = sorted(p for p in (Path(__file__).parent / "scenarios").iterdir() if p.is_dir())


def _assert_skipping_is_exact(env: dict[str, str], names: list[str]) -> None:
    for name in names:
        full, full_error = walk(Context(env, network=False, run_process=False), name)
        shown, shown_error = walk(
            Context(env, network=False, run_process=False), name, all_findings=False
        )
        rest = list(shown)  # in the full walk's order; what it leaves out is not-found
        for method, finding in full:
            if rest and rest[0] == (method, finding):
                rest.pop(0)
            else:
                assert finding.status is Status.NOT_FOUND, (name, method)
        assert rest == [], name
        assert type(full_error) is type(shown_error)


def _names(env: dict[str, str]) -> list[str]:
    try:
        names = list(Context(env, network=False).profiles())
    except Exception:  # a file botocore can't parse: the named profiles only
        names = []
    return [*names, "default", "no-such-profile"]


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenarios(tmp_path: Path, folder: Path) -> None:
    scenario = load_scenario(folder)
    env = materialise(scenario, tmp_path, None)
    env.setdefault("HOME", str(tmp_path / "home"))
    names = _names(env)
    if scenario.profile is not None:
        names.append(scenario.profile)
    _assert_skipping_is_exact(env, names)


def test_parity_profiles(tmp_path: Path) -> None:
    home = tmp_path / "home"
    names = _write(home, 3)
    env = {"HOME": str(home), "AWS_EC2_METADATA_DISABLED": "true", "PATH": "/usr/bin:/bin"}
    _assert_skipping_is_exact(env, names)


KEYS = {
    "role_arn": ["arn:aws:iam::123456789012:role/R", ""],
    "source_profile": ["p0", "p1", "nowhere"],
    "credential_source": ["Environment", "Nowhere"],
    "web_identity_token_file": ["/nonexistent", ""],
    "sso_session": ["corp", "nowhere"],
    "sso_account_id": ["123456789012", ""],
    "sso_role_name": ["Admin", ""],
    "sso_start_url": ["https://corp.example.com/start"],
    "sso_region": ["us-east-1"],
    "login_session": ["arn:aws:iam::123456789012:user/me"],
    "credential_process": ["/bin/false", "", "'unbalanced"],
    "aws_access_key_id": ["AKIAABSENTEXAMPLE000", ""],
    "aws_secret_access_key": ["S-absent", ""],
}


@pytest.mark.parametrize("seed", range(4))
def test_random_sections(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    aws = tmp_path / ".aws"
    aws.mkdir()
    config, creds = ["[sso-session corp]\nsso_start_url = https://x.example.com\n"], []
    names = []
    for i in range(60):
        name = f"p{i}"
        names.append(name)
        for target, header in ((config, f"[profile {name}]"), (creds, f"[{name}]")):
            if rnd.random() < 0.6:
                keys = rnd.sample(sorted(KEYS), rnd.randint(0, 4))
                body = "".join(f"{k} = {rnd.choice(KEYS[k])}\n" for k in keys)
                target.append(f"{header}\n{body}")
    (aws / "config").write_text("\n".join(config))
    (aws / "credentials").write_text("\n".join(creds))
    for extra in ({}, {"AWS_WEB_IDENTITY_TOKEN_FILE": ""}, {"AWS_SHARED_CREDENTIALS_FILE": "/no"}):
        env = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", **extra}
        _assert_skipping_is_exact(env, names)
