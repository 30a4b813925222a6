"""``credchain profiles`` shares work across profiles; every row stays what a lone walk says.

A few hundred generated profiles (static keys, role chains up to 40 deep,
loops, self-references, missing and misspelled sources, ``credential_source``,
MFA, SSO, processes, web identity, broken settings) are listed once, then each
profile is walked again on its own fresh context and through
``explain(profile=p, network=False)``: the rows and findings must be identical.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import credchain
from credchain._context import Context
from credchain._profiles import _row, list_profiles, walk

ROLE = "arn:aws:iam::123456789012:role/R{}"


def _write(home: Path, seed: int) -> list[str]:
    rnd = random.Random(seed)
    aws = home / ".aws"
    aws.mkdir(parents=True)
    config: list[str] = []
    creds = ["[default]\naws_access_key_id = AKIAPARITYDEFEXAMPLE\naws_secret_access_key = S-d\n"]
    names = ["default"]

    def section(name: str, body: str) -> None:
        names.append(name)
        config.append(f"[profile {name}]\n{body}")

    for i in range(40):  # a 40-deep chain, its top with MFA and external_id
        src = "default" if i == 0 else f"chain{i - 1:02d}"
        extra = "mfa_serial = arn:aws:iam::123456789012:mfa/me\n" if i == 39 else ""
        extra += "external_id = x\n" if i % 7 == 3 else ""
        section(f"chain{i:02d}", f"role_arn = {ROLE.format(i)}\nsource_profile = {src}\n{extra}")
    section("loopa", f"role_arn = {ROLE.format('a')}\nsource_profile = loopb\n")
    section("loopb", f"role_arn = {ROLE.format('b')}\nsource_profile = loopa\n")
    section("above-loop", f"role_arn = {ROLE.format('c')}\nsource_profile = loopa\n")
    section(
        "selfref",
        f"role_arn = {ROLE.format('s')}\nsource_profile = selfref\n"
        "aws_access_key_id = AKIAPARITYSLFEXAMPLE\naws_secret_access_key = S-s\n",
    )
    section("above-self", f"role_arn = {ROLE.format('t')}\nsource_profile = selfref\n")
    section("missing-src", f"role_arn = {ROLE.format('m')}\nsource_profile = nowhere\n")
    section("above-missing", f"role_arn = {ROLE.format('n')}\nsource_profile = missing-src\n")
    section("both", f"role_arn = {ROLE.format('b')}\nsource_profile = default\n")
    config[-1] += "credential_source = Environment\n"
    section("env-src", f"role_arn = {ROLE.format('e')}\ncredential_source = Environment\n")
    section("imds-src", f"role_arn = {ROLE.format('i')}\ncredential_source = Ec2InstanceMetadata\n")
    section("bad-src", f"role_arn = {ROLE.format('x')}\ncredential_source = Nowhere\n")
    section("above-imds", f"role_arn = {ROLE.format('j')}\nsource_profile = imds-src\n")
    section("no-source", f"role_arn = {ROLE.format('z')}\n")
    section("empty-src", f"role_arn = {ROLE.format('z')}\nsource_profile = empty\n")
    section("empty", "region = eu-west-1\n")
    section("process", "credential_process = /bin/false\n")
    section("above-process", f"role_arn = {ROLE.format('p')}\nsource_profile = process\n")
    section("web", f"role_arn = {ROLE.format('w')}\nweb_identity_token_file = /nonexistent\n")
    section("above-web", f"role_arn = {ROLE.format('v')}\nsource_profile = web\n")
    section("bad-duration", f"role_arn = {ROLE.format('d')}\nsource_profile = default\n")
    config[-1] += "duration_seconds = soon\n"
    section("bad-timeout", "metadata_service_timeout = never\n")
    section(
        "sso",
        "sso_start_url = https://corp.example.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 123456789012\nsso_role_name = Admin\n",
    )
    section("above-sso", f"role_arn = {ROLE.format('o')}\nsource_profile = sso\n")
    section("half-keys", "aws_access_key_id = AKIAPARITYHLFEXAMPLE\n")
    targets = [n for n in names if n != "default"]
    for i in range(100):  # random roles above everything, in random order
        name = f"r{i:03d}"
        src = rnd.choice([*targets, *names[-5:], "nowhere"])
        section(name, f"role_arn = {ROLE.format(i)}\nsource_profile = {src}\n")
        targets.append(name)
    for i in range(20):
        key = f"AKIAPARITY{i:06d}KEY"
        creds.append(f"[k{i:02d}]\naws_access_key_id = {key}\naws_secret_access_key = S-{i}\n")
        names.append(f"k{i:02d}")
    order = config[:]
    rnd.shuffle(order)  # chains are met in every order, not just bottom-up
    (aws / "config").write_text("\n".join(order))
    (aws / "config").chmod(0o600)
    (aws / "credentials").write_text("\n".join(creds))
    (aws / "credentials").chmod(0o600)
    return names


@pytest.mark.parametrize("seed", [1, 2])
def test_shared_listing_equals_lone_walks(tmp_path: Path, seed: int) -> None:
    home = tmp_path / "home"
    names = _write(home, seed)
    env = {"HOME": str(home), "AWS_EC2_METADATA_DISABLED": "true", "PATH": "/usr/bin:/bin"}
    report = list_profiles(env)
    assert sorted(r.profile for r in report.rows) == sorted(names)
    config, creds = report.config_file, report.credentials_file
    for row in report.rows:
        alone = Context(env, network=False, run_process=False)
        assert _row(alone, row.profile, {}, config, creds) == row, row.profile
        shared = Context(env, network=False, run_process=False)
        shared.profiles()
        assert walk(shared, row.profile)[0] == walk(alone, row.profile)[0]
        explained = credchain.explain(profile=row.profile, env=env, network=False)
        assert row.raises == explained.raises, row.profile
        assert row.winner == (explained.winner.method if explained.winner else None)
        assert row.error == (explained.error.method if explained.error else None)
        if explained.winner is not None:
            assert row.role_arn == explained.winner.role_arn
    statuses = {r.status for r in report.rows}
    assert {"ok", "warn", "error"} <= statuses


def test_deep_chain_matches_botocore_recursion(tmp_path: Path) -> None:
    """botocore recurses on each role hop: past the same depth, both raise RecursionError.

    (botocore's own depth, measured from a script's top level, is what
    ``max_hops`` models; tests/test_differential.py keeps to shallow chains.)
    """
    from credchain.providers.assume_role import max_hops

    aws = tmp_path / ".aws"
    aws.mkdir()
    depth = max_hops() + 3
    lines = ["[profile c0]\naws_access_key_id = AKIADEEPCHAINEXAMPLE\naws_secret_access_key = S\n"]
    for i in range(1, depth + 1):
        lines.append(f"[profile c{i}]\nrole_arn = {ROLE.format(i)}\nsource_profile = c{i - 1}\n")
    (aws / "config").write_text("\n".join(lines))
    env = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"}
    rows = {r.profile: r for r in list_profiles(env).rows}
    last_ok, first_bad = f"c{max_hops()}", f"c{max_hops() + 1}"
    assert rows[last_ok].winner == "assume-role"
    assert rows[first_bad].raises == "RecursionError"
    assert credchain.explain(profile=first_bad, env=env, network=False).raises == "RecursionError"
    assert credchain.explain(profile=last_ok, env=env, network=False).raises is None
