"""What ``credchain profiles`` shares across profiles equals what each profile gets alone.

The region of a profile that sets one is resolved once per configured value
(only its source, the profile's own section and line, is worked out per
profile), and the problem text under the table is wrapped once per message:
both are checked against the unshared path on many profiles.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from credchain._context import Context
from credchain._profiles import _PROFILE_ARGUMENT, _region, _wrap, _wrap_about
from credchain._settings import resolve

REGIONS = ["us-east-1", "eu-west-1", "", "S-secret-value", "http://user:pw@host/x?token=y"]


def _home(tmp_path: Path, seed: int) -> list[str]:
    rnd = random.Random(seed)
    aws = tmp_path / "home" / ".aws"
    aws.mkdir(parents=True)
    config, creds, names = [], [], ["default"]
    creds.append("[default]\naws_access_key_id = AKIASHAREDDEFEXAMPLE\n")
    creds.append("aws_secret_access_key = S-secret-value\n")
    config.append("[default]\nregion = us-east-1\n")
    for i in range(120):
        name = f"p{i}"
        names.append(name)
        body = "".join(rnd.sample(["output = json\n", "cli_pager = \n", ""], 1))
        where = rnd.random()
        region = rnd.choice(REGIONS)
        if where < 0.5:
            config.append(f"[profile {name}]\n{body}region = {region}\n")
        elif where < 0.7:  # in the credentials file, which botocore merges over the config
            config.append(f"[profile {name}]\nregion = eu-central-1\n")
            creds.append(f"[{name}]\nregion = {region}\n")
        elif where < 0.8:  # a nested block where a value belongs
            config.append(f"[profile {name}]\nregion =\n  nested = {region or 'x'}\n")
        else:
            config.append(f"[profile {name}]\ncli_history = enabled\n{body}")
    (aws / "config").write_text("\n".join(config))
    (aws / "credentials").write_text("".join(creds))
    return [*names, "no-such-profile"]


@pytest.mark.parametrize(
    "extra",
    [{}, {"AWS_REGION": "ap-south-1"}, {"AWS_DEFAULT_REGION": "sa-east-1"}],
    ids=["files", "other-sdk-var", "env"],
)
@pytest.mark.parametrize("seed", [1, 2])
def test_shared_region_equals_resolving_alone(
    tmp_path: Path, seed: int, extra: dict[str, str]
) -> None:
    names = _home(tmp_path, seed)
    env = {"HOME": str(tmp_path / "home"), "AWS_EC2_METADATA_DISABLED": "true", **extra}
    shared = Context(env, network=False)
    assert len(shared.profiles()) == len(names) - 1  # the files parse
    for name in names:
        shared.instance_vars["profile"] = name
        alone = Context(env, network=False, instance_vars={"profile": name})
        expected = resolve(alone, "region", _PROFILE_ARGUMENT)
        value = None if expected.value is None else str(expected.value)
        assert _region(shared) == (value, expected.source), name


def test_wrapped_once_per_message_equals_wrapping_each() -> None:
    rnd = random.Random(7)
    words = ["sso", "token", "/home/me/.aws/sso/cache/" + "a" * 40 + ".json", "x" * 120, "-"]
    profiles = ["p1", "dev", "a b", "tab\there", "long-" * 30, "", "ünïcode", "x-" * 47]
    messages = [" ".join(rnd.choices(words, k=rnd.randint(1, 30))) for _ in range(40)]
    memo: dict[tuple[int, str, int], list[str]] = {}
    for _ in range(2000):
        profile, message = rnd.choice(profiles), rnd.choice(messages)
        width = rnd.choice([40, 60, 80, 100, 140])
        expected = _wrap(f"{profile}: {message}", "  ", width)
        assert _wrap_about(profile, message, width, memo) == expected, (profile, message)


def test_the_command_lines_listing_without_the_collector_is_the_same(tmp_path: Path) -> None:
    """``credchain profiles`` pauses the cycle collector for its listing: same rows, and the
    collector is on again afterwards, also when botocore raises reading the files."""
    import gc

    from credchain._profiles import collector_paused, list_profiles

    _home(tmp_path, 7)
    env = {"HOME": str(tmp_path / "home"), "AWS_EC2_METADATA_DISABLED": "true"}
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        paused = list_profiles(env, _collect_parse=True)
    assert gc.isenabled()
    assert paused == list_profiles(env)
    (tmp_path / "home" / ".aws" / "config").write_text("[profile broken\nregion = x\n")
    with pytest.raises(Exception, match="Unable to parse"), collector_paused():
        list_profiles(env, _collect_parse=True)
    assert gc.isenabled()
    gc.disable()
    try:  # a collector off before stays off
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_table_lines_that_fit_are_the_same_by_the_format() -> None:
    """Lines that fit their columns are padded by one format; the same as cutting and
    padding each cell (which a colour or a long cell needs)."""
    from credchain._profiles import Problem, ProfileRow, ProfilesReport, render

    rnd = random.Random(11)
    rows = []
    for i in range(300):
        long = rnd.random() < 0.2
        rows.append(
            ProfileRow(
                profile="p" * rnd.randint(1, 40 if long else 12) + str(i),
                winner=rnd.choice([None, "sso", "assume-role", "shared-credentials-file"]),
                raises=rnd.choice([None, None, "ProfileNotFound"]),
                error=None,
                role_arn=rnd.choice(
                    [None, "arn:aws:iam::123456789012:role/" + "R" * rnd.randint(1, 60)]
                ),
                access_key=rnd.choice([None, "AKIA************EY01"]),
                source=None,
                problems=tuple(
                    Problem(k, "m") for k in rnd.sample(["a" * 30, "b", "c"], rnd.randint(0, 3))
                ),
                region=rnd.choice([None, "us-east-1", "x" * rnd.randint(1, 30)]),
            )
        )
    report = ProfilesReport("/c", "/k", "1.0", tuple(rows))
    for width in (60, 100, 200):
        assert render(report, None, width) == render(report, lambda s, t: t, width)
