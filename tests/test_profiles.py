"""``credchain profiles``: every profile at once, offline, agreeing with explain() and botocore.

The files live in a throwaway HOME; every ``AWS_*`` variable is removed and the
instance metadata service disabled, and a socket guard fails any test that
tries to reach a non-loopback address. Fake secrets contain ``NEVER-PRINTED``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from schema_check import validate_json

from credchain._cli import main
from credchain._context import Context
from credchain._profiles import (
    WIDTH,
    ProfileRow,
    ProfilesReport,
    list_profiles,
    render,
    walk,
)

KEY_ID = "AKIAEXAMPLEPLANTEY01"
MASKED_KEY_ID = "AKIA************EY01"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

CREDENTIALS = f"""\
[default]
aws_access_key_id = {KEY_ID}
aws_secret_access_key = SECRET-NEVER-PRINTED-01

[partial]
aws_access_key_id = AKIAEXAMPLEPLANTEY02

[both]
aws_access_key_id = AKIAEXAMPLEPLANTEY03
aws_secret_access_key = SECRET-NEVER-PRINTED-03
aws_session_token = TOKEN-NEVER-PRINTED-03

[shadowed-partial]
aws_access_key_id = AKIAEXAMPLEPLANTEY06
aws_secret_access_key = SECRET-NEVER-PRINTED-06
"""

CONFIG = """\
[profile dev]
role_arn = arn:aws:iam::123456789012:role/Dev
source_profile = default

[profile missing-source]
role_arn = arn:aws:iam::123456789012:role/Orphan
source_profile = nope

[profile loop-a]
role_arn = arn:aws:iam::123456789012:role/A
source_profile = loop-b

[profile loop-b]
role_arn = arn:aws:iam::123456789012:role/B
source_profile = loop-a

[profile sso-expired]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin

[profile sso-no-token]
sso_session = other
sso_account_id = 123456789012
sso_role_name = ReadOnly

[profile web]
web_identity_token_file = /nonexistent/token
role_arn = arn:aws:iam::123456789012:role/Web

[profile tool]
credential_process = /bin/sh -c "echo SECRET-NEVER-PRINTED-04"

[profile config-partial]
aws_access_key_id = AKIAEXAMPLEPLANTEY05

[profile both]
region = eu-west-1

[profile shadowed-partial]
aws_access_key_id = AKIAEXAMPLEPLANTEY07

[profile region-only]
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.example.com/start
sso_region = us-east-1

[sso-session other]
sso_start_url = https://other.example.com/start
sso_region = us-east-1
"""

#: profile -> (status, winner, raises, problem kinds)
EXPECTED = {
    "dev": ("ok", "assume-role", None, []),
    "missing-source": ("error", None, "InvalidConfigError", ["InvalidConfigError"]),
    "loop-a": ("error", None, "InfiniteLoopConfigError", ["InfiniteLoopConfigError"]),
    "loop-b": ("error", None, "InfiniteLoopConfigError", ["InfiniteLoopConfigError"]),
    "sso-expired": ("warn", "sso", None, ["expired token"]),
    "sso-no-token": ("warn", "sso", None, ["fails at first use"]),
    "web": ("warn", "assume-role-with-web-identity", None, ["fails at first use"]),
    "tool": ("ok", "custom-process", None, []),
    "config-partial": ("error", None, "PartialCredentialsError", ["PartialCredentialsError"]),
    "both": ("warn", "shared-credentials-file", None, ["world-readable file"]),
    "shadowed-partial": (
        "warn",
        "shared-credentials-file",
        None,
        ["PartialCredentialsError", "world-readable file"],
    ),
    "region-only": ("none", None, None, []),
    "default": ("warn", "shared-credentials-file", None, ["world-readable file"]),
    "partial": ("error", None, "PartialCredentialsError", ["PartialCredentialsError"]),
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME; this process's environment has no AWS settings but that HOME."""
    path = tmp_path / "home"
    (path / ".aws").mkdir(parents=True)
    for name in list(os.environ):
        if name.startswith(("AWS_", "BOTO_", "CREDCHAIN_")) or name == "NO_COLOR":
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9/")
    return path


@pytest.fixture
def sample(home: Path) -> Path:
    """The files of EXPECTED: a world-readable credentials file, an expired SSO token."""
    (home / ".aws" / "config").write_text(CONFIG)
    (home / ".aws" / "config").chmod(0o600)
    (home / ".aws" / "credentials").write_text(CREDENTIALS)
    (home / ".aws" / "credentials").chmod(0o644)
    cache = home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    token = {
        "startUrl": "https://corp.example.com/start",
        "region": "us-east-1",
        "accessToken": "TOKEN-NEVER-PRINTED-05",
        "expiresAt": "2020-01-01T00:00:00Z",
    }
    (cache / (hashlib.sha1(b"corp").hexdigest() + ".json")).write_text(json.dumps(token))
    return home


def assert_no_secret(*texts: str) -> None:
    """No planted secret, token or full access key id; no traceback."""
    for text in texts:
        assert "NEVER-PRINTED" not in text
        assert not re.search(r"AKIAPLANTED0000KEY\d\d", text)
        assert "Traceback" not in text


def rows_by_name(report: ProfilesReport) -> dict[str, ProfileRow]:
    return {row.profile: row for row in report.rows}


class TestListProfiles:
    def test_every_profile_once_in_file_order(self, sample: Path) -> None:
        """One row per profile of both files: config file first, then credentials-only ones."""
        names = [row.profile for row in list_profiles().rows]
        assert names == [*list(EXPECTED)[:-2], "default", "partial"]

    @pytest.mark.parametrize("name", list(EXPECTED))
    def test_rows(self, sample: Path, name: str) -> None:
        """Each profile's status, winner, exception and problem kinds are the expected ones."""
        row = rows_by_name(list_profiles())[name]
        kinds = [p.kind for p in row.problems]
        assert (row.status, row.winner, row.raises, kinds) == EXPECTED[name]

    def test_problem_messages(self, sample: Path) -> None:
        """Problems say what is wrong in a sentence: the missing profile, the loop, the expiry."""
        rows = rows_by_name(list_profiles())
        assert (
            "source_profile nope, which does not exist"
            in rows["missing-source"].problems[0].message
        )
        assert "loop-a -> loop-b -> loop-a" in rows["loop-a"].problems[0].message
        assert "expired at 2020-01-01T00:00:00Z" in rows["sso-expired"].problems[0].message
        assert "aws sso login --sso-session corp" in rows["sso-expired"].problems[0].message
        assert "(mode 0644)" in rows["default"].problems[0].message
        lurking = rows["shadowed-partial"].problems[0].message
        assert lurking.startswith("config-file would raise PartialCredentialsError if reached")

    def test_roles_and_masked_keys(self, sample: Path) -> None:
        """Rows carry the role ARN where configured (SSO: its name pattern), keys masked."""
        rows = rows_by_name(list_profiles())
        assert rows["dev"].role_arn == "arn:aws:iam::123456789012:role/Dev"
        assert rows["sso-expired"].role_arn is None  # IAM Identity Center: no ARN offline
        assert rows["sso-expired"].role_name == "AWSReservedSSO_Admin_*"
        assert rows["sso-expired"].account == "123456789012"
        assert rows["default"].access_key == MASKED_KEY_ID
        assert rows["default"].source is not None and "line 2" in rows["default"].source

    def test_world_readable_warning(self, sample: Path) -> None:
        """A credentials file every user can read is one report-level warning."""
        report = list_profiles()
        assert len(report.warnings) == 1
        assert "credentials is readable by every user (mode 0644)" in report.warnings[0]

    def test_agrees_with_explain(self, sample: Path) -> None:
        """Each row's outcome is explain(profile=name, network=False)'s, provider for provider."""
        from credchain import explain

        for row in list_profiles().rows:
            report = explain(profile=row.profile, network=False)
            assert row.winner == (report.winner.method if report.winner else None), row.profile
            assert row.raises == report.raises, row.profile
            shown = report.winner or report.error
            assert row.role_arn == (shown.role_arn if shown else None), row.profile
            assert row.access_key == (shown.access_key if shown else None), row.profile
            assert row.source == (shown.source if shown else None), row.profile

    def test_agrees_with_botocore(self, sample: Path) -> None:
        """botocore itself picks the same method, or raises the same exception, per profile."""
        import botocore.session

        for row in list_profiles().rows:
            if row.winner == "custom-process":
                continue  # botocore would run the command
            try:
                creds = botocore.session.Session(profile=row.profile).get_credentials()
            except Exception as e:
                assert row.raises == type(e).__name__, row.profile
            else:
                assert row.raises is None, row.profile
                assert row.winner == (creds.method if creds else None), row.profile

    def test_shared_context_matches_a_fresh_one(self, sample: Path) -> None:
        """Walking every profile on one cached Context finds exactly what fresh ones find."""
        shared = Context(dict(os.environ), network=False, is_process_env=True)
        cached = {name: walk(shared, name) for name in shared.profiles()}
        for name, (findings, error) in cached.items():
            fresh = Context(dict(os.environ), network=False, is_process_env=True)
            assert walk(fresh, name)[0] == findings, name
            assert error is None

    def test_no_files(self, home: Path) -> None:
        """Without config or credentials files there are no rows and no warnings."""
        report = list_profiles()
        assert (report.rows, report.warnings) == ((), ())

    def test_env_argument(self, sample: Path, tmp_path: Path) -> None:
        """env= replaces os.environ: AWS_CONFIG_FILE there selects the file listed."""
        other = tmp_path / "other-config"
        other.write_text("[profile solo]\nregion = us-east-1\n")
        env = {"HOME": str(sample), "AWS_CONFIG_FILE": str(other)}
        names = [row.profile for row in list_profiles(env=env).rows]
        assert names == ["solo", "default", "partial", "both", "shadowed-partial"]


class TestCommand:
    def test_table(self, sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """The table has one row per profile, fits 100 columns and shows no secret."""
        assert main(["profiles"]) == 0
        out, err = capsys.readouterr()
        lines = out.splitlines()
        assert all(len(line) <= WIDTH for line in lines)
        header = next(i for i, line in enumerate(lines) if line.startswith("profile "))
        table = lines[header + 1 : header + 1 + len(EXPECTED)]
        assert [line.split()[0] for line in table] == [*list(EXPECTED)[:-2], "default", "partial"]
        assert re.search(r"^loop-a\s+error\s+assume-role\s", out, re.MULTILINE)
        assert "Problems:" in out
        assert "2 ok, 6 warn, 5 error, 1 none" in out
        assert MASKED_KEY_ID in out
        assert_no_secret(out, err)

    def test_json(self, sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--json is one valid, stable JSON document with a row per profile."""
        assert main(["profiles", "--json"]) == 0
        first = capsys.readouterr().out
        assert main(["profiles", "--json"]) == 0
        assert capsys.readouterr().out == first
        data = validate_json(first, "profiles")
        assert set(data) == {
            "schema",
            "botocore_version",
            "config_file",
            "credentials_file",
            "warnings",
            "profiles",
        }
        row = data["profiles"][0]
        assert list(row) == [
            "profile",
            "status",
            "winner",
            "raises",
            "error",
            "role_arn",
            "access_key",
            "source",
            "problems",
            "unchecked",
            "notes",
            "region",
            "region_source",
        ]
        loop = next(r for r in data["profiles"] if r["profile"] == "loop-a")
        assert loop["problems"][0]["kind"] == "InfiniteLoopConfigError"
        assert_no_secret(first)

    def test_strict(self, sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--strict exits 1 when any profile is not ok, 0 when all are."""
        assert main(["profiles", "--strict"]) == 1
        (sample / ".aws" / "credentials").write_text(CREDENTIALS.split("\n\n")[0])
        (sample / ".aws" / "credentials").chmod(0o600)
        (sample / ".aws" / "config").write_text(CONFIG.split("\n\n")[0])
        assert main(["profiles", "--strict", "--json"]) == 0

    def test_malformed_credentials_file(
        self, home: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A credentials file botocore cannot parse: one line on stderr, exit 1."""
        (home / ".aws" / "credentials").write_text("[default\naws_access_key_id = x\n")
        assert main(["profiles"]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith("credchain: error: Unable to parse config file")
        assert err.count("\n") == 1

    def test_long_names_fit(self, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Very long profile names and ARNs are cut so every line still fits 100 columns."""
        name = "a-very-long-profile-name-" * 4
        arn = "arn:aws:iam::123456789012:role/" + "LongRoleName" * 8
        (home / ".aws" / "config").write_text(
            f"[profile {name}]\nrole_arn = {arn}\nsource_profile = default\n"
        )
        (home / ".aws" / "credentials").write_text(CREDENTIALS)
        assert main(["profiles"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert max(len(line) for line in lines) <= WIDTH
        row = next(line for line in lines if line.startswith(name[:12]))
        assert row.split()[0].endswith("...")
        assert re.search(r"\sLongRoleName\S*\.\.\.\s", row)

    def test_color_statuses(self, sample: Path) -> None:
        """The painter colours the status cell only; without colour the text is the same."""
        report = list_profiles()
        plain = render(report)
        colored = render(report, lambda status, text: f"\x1b[1m{text}\x1b[0m")
        assert ANSI.sub("", colored) == plain
        assert colored.count("\x1b[1m") == len(report.rows)


def write_many(home: Path, count: int) -> None:
    """``count`` profiles: static keys, role chains, SSO, processes and config-file keys."""
    config, credentials = [], []
    credentials.append(
        "[default]\naws_access_key_id = AKIAEXAMPLEPLANTEY01\n"
        "aws_secret_access_key = SECRET-NEVER-PRINTED-00\n"
    )
    for i in range(count - 1):
        name = f"p{i:05d}"
        kind = i % 5
        if kind == 0:
            credentials.append(
                f"[{name}]\naws_access_key_id = AKIAMANY{i:05d}SEVENX\n"
                f"aws_secret_access_key = SECRET-NEVER-PRINTED-{i:05d}\n"
            )
        elif kind == 1:
            config.append(
                f"[profile {name}]\nrole_arn = arn:aws:iam::123456789012:role/R{i}\n"
                "source_profile = default\n"
            )
        elif kind == 2:
            config.append(
                f"[profile {name}]\nsso_session = corp\nsso_account_id = 123456789012\n"
                f"sso_role_name = Admin{i}\n"
            )
        elif kind == 3:
            config.append(f"[profile {name}]\ncredential_process = {sys.executable} -c {i}\n")
        else:
            config.append(
                f"[profile {name}]\naws_access_key_id = AKIAMANY{i:05d}CONFIG\n"
                f"aws_secret_access_key = SECRET-NEVER-PRINTED-c{i:05d}\n"
            )
    config.append(
        "[sso-session corp]\nsso_start_url = https://c.example.com\nsso_region = us-east-1\n"
    )
    (home / ".aws" / "config").write_text("\n".join(config))
    (home / ".aws" / "credentials").write_text("\n".join(credentials))
    (home / ".aws" / "credentials").chmod(0o600)


class TestTenThousand:
    def test_table_has_every_row(self, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """10,000 profiles: the table has 10,000 rows, one per profile, and no secret."""
        write_many(home, 10_000)
        assert main(["profiles", "--no-color"]) == 0
        out, err = capsys.readouterr()
        rows = [line for line in out.splitlines() if re.match(r"(p\d{5}|default) ", line)]
        assert len(rows) == 10_000
        assert len({row.split()[0] for row in rows}) == 10_000
        assert_no_secret(out, err)

    def test_json_from_the_console_script(self, home: Path) -> None:
        """The installed command lists 10,000 profiles as JSON in a real process."""
        write_many(home, 10_000)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        exe = Path(sys.executable).with_name("credchain")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "credchain"]
        done = subprocess.run(
            [*cmd, "profiles", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        profiles = validate_json(done.stdout, "profiles")["profiles"]
        assert len(profiles) == 10_000
        winners = {p["winner"] for p in profiles}
        assert winners == {
            "shared-credentials-file",
            "assume-role",
            "sso",
            "custom-process",
            "config-file",
        }
        assert_no_secret(done.stdout, done.stderr)
