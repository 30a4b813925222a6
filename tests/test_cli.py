"""The ``credchain`` command line: explain, assert-role, profiles, --version and --help.

Every test runs in a throwaway HOME with every ``AWS_*`` / ``BOTO_*`` /
``CREDCHAIN_*`` variable removed, the instance metadata service disabled and
every AWS endpoint on a dead loopback port; a socket guard fails any test that
tries to reach a non-loopback address. Fake secrets contain ``NEVER-PRINTED``.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from schema_check import validate_json

from credchain._cli import main, use_color

BLOCKED = "http://127.0.0.1:9/"  # the discard port: connection refused at once
KEY_ID = "AKIAEXAMPLEPLANTEY01"
MASKED_KEY_ID = "AKIA************EY01"
SECRET = "SECRET-NEVER-PRINTED-01"
TOKEN = "TOKEN-NEVER-PRINTED-02"
ROLE_ARN = "arn:aws:iam::123456789012:role/MyRole"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CONTRACT_KEYS = {"profile", "botocore_version", "winner", "raises", "error", "providers"}
PROVIDER_KEYS = {"method", "status", "source", "reason", "access_key", "role_arn"}


# -- fixtures --------------------------------------------------------------------------


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment with no AWS settings but a HOME, no metadata service, dead endpoints."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "BOTO_", "CREDCHAIN_")) and k not in ("NO_COLOR", "HOME")
    }
    env.update(
        HOME=str(home),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=BLOCKED,
        AWS_DEFAULT_REGION="us-east-1",
    )
    env.update(extra)
    return env


class Home:
    """A throwaway HOME whose environment is also applied to this process."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = path
        self.aws = path / ".aws"
        self.aws.mkdir()
        self._monkeypatch = monkeypatch
        self.env = clean_env(path)
        for name in list(os.environ):
            if name not in self.env:
                monkeypatch.delenv(name)
        for name, value in self.env.items():
            monkeypatch.setenv(name, value)

    def setenv(self, name: str, value: str) -> None:
        self.env[name] = value
        self._monkeypatch.setenv(name, value)

    def config(self, text: str) -> None:
        (self.aws / "config").write_text(text)

    def credentials(self, text: str, mode: int = 0o600) -> None:
        path = self.aws / "credentials"
        path.write_text(text)
        path.chmod(mode)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """An empty HOME with a clean AWS environment."""
    path = tmp_path / "home"
    path.mkdir()
    return Home(path, monkeypatch)


STATIC = f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"
ROLE_PROFILE = f"[profile dev]\nrole_arn = {ROLE_ARN}\nsource_profile = default\n"


@pytest.fixture
def static_home(home: Home) -> Home:
    """Long-term keys in ``~/.aws/credentials`` and a ``dev`` profile assuming MyRole."""
    home.credentials(STATIC)
    home.config(ROLE_PROFILE)
    return home


class FakeSTS:
    """A loopback ``sts:GetCallerIdentity`` that answers with a fixed caller ARN."""

    def __init__(self, arn: str) -> None:
        self.arn = arn
        self.calls = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                fake.calls += 1
                status, reply = fake.reply(body)
                data = reply.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def reply(self, body: str) -> tuple[int, str]:
        if "Action=GetCallerIdentity" not in body:
            return 400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>"
        return 200, (
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            f"<GetCallerIdentityResult><Arn>{self.arn}</Arn><UserId>AROAEXAMPLE:s</UserId>"
            "<Account>123456789012</Account></GetCallerIdentityResult>"
            "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
            "</GetCallerIdentityResponse>"
        )


@pytest.fixture
def fake_sts(home: Home) -> Iterator[FakeSTS]:
    """A loopback STS that says the caller is MyRole, wired in with AWS_ENDPOINT_URL_STS."""
    sts = FakeSTS("arn:aws:sts::123456789012:assumed-role/MyRole/i-0123")
    home.setenv("AWS_ENDPOINT_URL_STS", sts.url)
    yield sts
    sts.server.shutdown()
    sts.server.server_close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``main(argv)`` in this process: (exit status, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    if "--json" in argv and out.strip():
        validate_json(out)
    return code, out, err


def script(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, or ``python -m credchain`` when it is not on disk."""
    exe = Path(sys.executable).with_name("credchain")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "credchain"]
    done = subprocess.run(
        [*cmd, *argv], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if "--json" in argv and done.stdout.strip():
        validate_json(done.stdout)
    return done


def assert_no_secret(*texts: str) -> None:
    """No planted secret, token or full access key id in any of the texts."""
    for text in texts:
        assert "NEVER-PRINTED" not in text
        assert KEY_ID not in text
        assert "Traceback" not in text


# -- explain ---------------------------------------------------------------------------


class TestExplain:
    def test_found_exits_0(self, static_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """Keys in the credentials file: the report names the winner and the exit status is 0."""
        code, out, err = run(capsys, "explain", "--no-network")
        assert code == 0
        assert "=> shared-credentials-file" in out
        assert MASKED_KEY_ID in out
        assert_no_secret(out, err)

    def test_nothing_exits_1(self, home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """An empty HOME has no credentials: exit 1 and the report says so."""
        code, out, _ = run(capsys, "explain", "--no-network")
        assert code == 1
        assert "no credentials" in out

    def test_partial_keys_exit_1(self, home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """A key id without its secret is botocore's PartialCredentialsError: exit 1."""
        home.credentials(f"[default]\naws_access_key_id = {KEY_ID}\n")
        code, out, err = run(capsys, "explain", "--no-network")
        assert code == 1
        assert "PartialCredentialsError" in out
        assert_no_secret(out, err)

    def test_missing_profile_exits_1(self, home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """An explicit profile that does not exist is botocore's ProfileNotFound: exit 1."""
        code, out, _ = run(capsys, "explain", "--no-network", "--profile", "nope", "--json")
        assert code == 1
        assert json.loads(out)["raises"] == "ProfileNotFound"

    def test_profile_option(self, static_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """--profile inspects that profile: the role profile wins with assume-role."""
        code, out, _ = run(capsys, "explain", "--no-network", "--profile", "dev", "--json")
        data = json.loads(out)
        assert code == 0
        assert (data["profile"], data["winner"]) == ("dev", "assume-role")
        assert data["providers"][0] == {**data["providers"][0], "status": "disabled"}

    def test_json_has_the_contract_keys(
        self, static_home: Home, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--json prints one JSON object with the contract's keys, in the contract's order."""
        code, out, _ = run(capsys, "explain", "--no-network", "--json")
        data = json.loads(out)
        assert code == 0
        assert list(data)[:6] == [
            "profile",
            "botocore_version",
            "winner",
            "raises",
            "error",
            "providers",
        ]
        assert set(data) >= CONTRACT_KEYS
        assert all(set(p) >= PROVIDER_KEYS for p in data["providers"])
        assert data["winner"] == "shared-credentials-file"
        assert data["providers"][4]["access_key"] == MASKED_KEY_ID

    def test_json_is_stable(self, static_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """Two runs over the same files print the same JSON, but for the time of the check."""
        first = run(capsys, "explain", "--no-network", "--json")[1]
        second = run(capsys, "explain", "--no-network", "--json")[1]
        assert first.count("\n") == 1
        a, b = json.loads(first), json.loads(second)
        a.pop("checked_at"), b.pop("checked_at")
        assert json.dumps(a) == json.dumps(b)

    def test_no_secret_anywhere(self, home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """Planted secrets and session tokens never appear; the key id only masked."""
        home.credentials(STATIC + f"aws_session_token = {TOKEN}\n")
        home.setenv("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEPLANTNV02")
        home.setenv("AWS_SECRET_ACCESS_KEY", "SECRET-NEVER-PRINTED-03")
        outputs = []
        for argv in (["explain", "--no-network"], ["explain", "--no-network", "--json"]):
            code, out, err = run(capsys, *argv)
            assert code == 0
            outputs += [out, err]
        assert_no_secret(*outputs)
        assert "ASIAEXAMPLEPLANTNV02" not in "".join(outputs)
        assert "ASIA************NV02" in outputs[0]

    def test_run_process(self, home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """--run-process runs credential_process; its secret stays hidden, its key masked."""
        tool = home.path / "creds.py"
        document = {"Version": 1, "AccessKeyId": KEY_ID, "SecretAccessKey": SECRET}
        tool.write_text(f"import json\nprint(json.dumps({document!r}))\n")
        home.config(f"[default]\ncredential_process = {sys.executable} {tool}\n")
        code, out, err = run(capsys, "explain", "--no-network", "--run-process", "--json")
        winner = next(p for p in json.loads(out)["providers"] if p["status"] == "found")
        assert code == 0
        assert (winner["method"], winner["access_key"]) == ("custom-process", MASKED_KEY_ID)
        assert_no_secret(out, err)

    def test_malformed_config_exits_1(self, home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """A config file botocore cannot parse is reported, exit 1, with no traceback."""
        home.config("[default\nregion = us-east-1\n")
        code, out, err = run(capsys, "explain", "--no-network")
        assert code == 1
        assert "ConfigParseError" in out
        assert_no_secret(out, err)

    def test_verify_adds_the_sts_identity(
        self, static_home: Home, fake_sts: FakeSTS, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--verify asks STS (here a loopback fake) and adds the caller to text and JSON."""
        code, out, _ = run(capsys, "explain", "--no-network", "--verify")
        assert code == 0
        assert "identity: arn:aws:sts::123456789012:assumed-role/MyRole/i-0123" in out
        code, out, err = run(capsys, "explain", "--no-network", "--verify", "--json")
        identity = json.loads(out)["identity"]
        assert code == 0
        assert identity["role_name"] == "MyRole"
        assert identity["verified"] is True
        assert fake_sts.calls == 2
        assert_no_secret(out, err)

    def test_verify_failure_is_one_line(
        self, static_home: Home, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An unreachable STS: the report still prints, then one clear line, and exit 1."""
        code, out, err = run(capsys, "explain", "--no-network", "--verify", "--timeout", "2")
        assert code == 1
        assert "=> shared-credentials-file" in out
        assert "identity: not verified: STS at http://127.0.0.1:9/ could not be reached" in out
        assert_no_secret(out, err)

    def test_verify_without_credentials(
        self, home: Home, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--verify with no credentials makes no STS call and says there is nothing to verify."""
        code, out, _ = run(capsys, "explain", "--no-network", "--verify", "--json")
        assert code == 1
        assert json.loads(out)["identity"] == {"error": "no credentials to verify"}

    @pytest.mark.parametrize("value", ["0", "-1", "soon", "inf", "nan"])
    def test_bad_timeout_is_usage(
        self, home: Home, capsys: pytest.CaptureFixture[str], value: str
    ) -> None:
        """--timeout takes a positive number of seconds; anything else is a usage error."""
        code, out, err = run(capsys, "explain", "--timeout", value)
        assert code == 2
        assert "--timeout" in err
        assert out == ""


# -- assert-role -----------------------------------------------------------------------


class TestAssertRole:
    def test_pass_from_configuration(
        self, static_home: Home, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """role_arn names MyRole: --no-verify passes from configuration, exit 0."""
        code, out, err = run(capsys, "assert-role", "MyRole", "--no-verify", "--profile", "dev")
        assert code == 0
        assert "running as" in out and "MyRole" in out
        assert err == ""

    def test_account_and_glob(self, static_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """A glob and the right account pass; another account fails."""
        argv = ["assert-role", "My*", "--no-verify", "--profile", "dev", "--account"]
        assert run(capsys, *argv, "123456789012")[0] == 0
        assert run(capsys, *argv, "210987654321")[0] == 1

    def test_user_keys_fail(self, static_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """IAM user keys are not a role: exit 1, the reason on stderr, nothing secret."""
        code, out, err = run(capsys, "assert-role", "MyRole", "--no-verify")
        assert code == 1
        assert out == ""
        assert "expected role 'MyRole'" in err
        assert "shared-credentials-file" in err
        assert MASKED_KEY_ID in err
        assert_no_secret(out, err)

    def test_verified_pass(
        self, static_home: Home, fake_sts: FakeSTS, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With STS saying the caller is MyRole, the verified assertion passes."""
        code, out, _ = run(capsys, "assert-role", "MyRole")
        assert code == 0
        assert "verified by STS" in out
        assert fake_sts.calls == 1

    def test_verified_mismatch(
        self, static_home: Home, fake_sts: FakeSTS, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """STS says MyRole, OtherRole was demanded: exit 1 with the actual ARN on stderr."""
        code, _, err = run(capsys, "assert-role", "OtherRole")
        assert code == 1
        assert "assumed-role/MyRole" in err
        assert_no_secret(err)

    def test_role_from_environment(
        self, static_home: Home, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without ROLE, CREDCHAIN_REQUIRE_ROLE is the role demanded."""
        static_home.setenv("CREDCHAIN_REQUIRE_ROLE", "MyRole")
        assert run(capsys, "assert-role", "--no-verify", "--profile", "dev")[0] == 0
        static_home.setenv("CREDCHAIN_REQUIRE_ROLE", "OtherRole")
        assert run(capsys, "assert-role", "--no-verify", "--profile", "dev")[0] == 1

    def test_no_role_is_usage(self, static_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
        """No ROLE, no --account and no CREDCHAIN_REQUIRE_ROLE: a usage error, exit 2."""
        code, _, err = run(capsys, "assert-role", "--no-verify")
        assert code == 2
        assert "CREDCHAIN_REQUIRE_ROLE" in err
        assert err.startswith("usage: credchain assert-role")

    @pytest.mark.parametrize(
        "argv",
        [
            ["MyRole", "--account", "123"],
            ["arn:aws:iam::123456789012:user/someone"],
            ["arn:nonsense"],
            ["MyRole", "--frobnicate"],
        ],
    )
    def test_bad_arguments_are_usage(
        self, static_home: Home, capsys: pytest.CaptureFixture[str], argv: list[str]
    ) -> None:
        """A malformed account, a non-role ARN or an unknown option: exit 2, no traceback."""
        code, out, err = run(capsys, "assert-role", "--no-verify", *argv)
        assert code == 2
        assert out == ""
        assert "error:" in err
        assert_no_secret(err)

    def test_bad_account_variable_is_usage(
        self, static_home: Home, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A malformed CREDCHAIN_REQUIRE_ACCOUNT is a usage error too."""
        static_home.setenv("CREDCHAIN_REQUIRE_ACCOUNT", "abc")
        code, _, err = run(capsys, "assert-role", "--no-verify")
        assert code == 2
        assert "12-digit" in err


# -- the program -----------------------------------------------------------------------


class TestProgram:
    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints credchain's and botocore's versions and exits 0."""
        import botocore

        code, out, _ = run(capsys, "--version")
        assert code == 0
        assert out.startswith("credchain ")
        assert f"botocore {botocore.__version__}" in out

    @pytest.mark.parametrize("command", ["explain", "assert-role", "profiles"])
    def test_help_has_examples(self, capsys: pytest.CaptureFixture[str], command: str) -> None:
        """Each command's --help shows its exit statuses and examples, exit 0."""
        code, out, _ = run(capsys, command, "--help")
        assert code == 0
        assert "examples:" in out
        assert "exit status:" in out
        assert f"credchain {command}" in out

    @pytest.mark.parametrize(
        "argv", [[], ["frobnicate"], ["explain", "--bogus"], ["profiles", "extra"]]
    )
    def test_usage_errors_exit_2(self, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
        """No command, an unknown command or option, an extra argument: exit 2."""
        code, out, err = run(capsys, *argv)
        assert code == 2
        assert out == ""
        assert "usage:" in err

    def test_unexpected_error_is_one_line(
        self, home: Home, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failure inside credchain is one line on stderr and exit 1, not a traceback."""
        import credchain

        def explode(**kwargs: Any) -> None:
            raise RuntimeError(f"boom\nwith {KEY_ID}")

        monkeypatch.setattr(credchain, "explain", explode, raising=False)
        code, out, err = run(capsys, "explain")
        assert code == 1
        assert out == ""
        assert err == "credchain: error: boom with AKIA************EY01\n"

    def test_debug_shows_the_traceback(self, home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
        """CREDCHAIN_DEBUG=1 lets the exception through, for bug reports."""
        import credchain

        def explode(**kwargs: Any) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(credchain, "explain", explode, raising=False)
        home.setenv("CREDCHAIN_DEBUG", "1")
        with pytest.raises(RuntimeError, match="boom"):
            main(["explain"])


class TestColor:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def test_use_color_rules(self) -> None:
        """Colour needs a terminal, and NO_COLOR (non-empty), TERM=dumb or --no-color veto it."""
        tty = self.Terminal()
        assert use_color(tty, env={})
        assert not use_color(io.StringIO(), env={})
        assert not use_color(tty, env={"NO_COLOR": "1"})
        assert use_color(tty, env={"NO_COLOR": ""})
        assert not use_color(tty, env={"TERM": "dumb"})
        assert not use_color(tty, no_color=True, env={})

    def test_terminal_gets_colored_statuses(
        self, static_home: Home, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """On a terminal the status words are coloured; the words themselves stay readable."""
        tty = self.Terminal()
        monkeypatch.setattr(sys, "stdout", tty)
        assert main(["explain", "--no-network"]) == 0
        text = tty.getvalue()
        assert "\x1b[32mfound\x1b[0m" in text
        assert ANSI.sub("", text).count(" found ") >= 1

    @pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
    def test_no_color(self, static_home: Home, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
        """NO_COLOR or --no-color: no escape sequence even on a terminal."""
        tty = self.Terminal()
        monkeypatch.setattr(sys, "stdout", tty)
        argv = ["explain", "--no-network"]
        if how == "NO_COLOR":
            static_home.setenv("NO_COLOR", "1")
        else:
            argv.append("--no-color")
        assert main(argv) == 0
        for command in (["profiles"], ["assert-role", "MyRole", "--no-verify", "--profile", "dev"]):
            assert main(command + (["--no-color"] if how != "NO_COLOR" else [])) == 0
        assert "\x1b[" not in tty.getvalue()

    def test_pipe_gets_no_color(
        self, static_home: Home, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Output that is not a terminal is never coloured."""
        assert "\x1b[" not in run(capsys, "explain", "--no-network")[1]


# -- real processes --------------------------------------------------------------------


class TestSubprocess:
    def test_console_script_exit_codes(self, static_home: Home) -> None:
        """The installed script exits 0 / 1 / 2 for found / missing profile / bad option."""
        env = static_home.env
        found = script(env, "explain", "--no-network", "--json")
        assert found.returncode == 0, found.stderr
        assert json.loads(found.stdout)["winner"] == "shared-credentials-file"
        missing = script(env, "explain", "--no-network", "--profile", "nope")
        assert missing.returncode == 1
        usage = script(env, "explain", "--bogus")
        assert usage.returncode == 2
        assert_no_secret(found.stdout, missing.stdout, usage.stderr)

    def test_python_dash_m(self, static_home: Home) -> None:
        """``python -m credchain`` is the same program."""
        done = subprocess.run(
            [sys.executable, "-m", "credchain", "assert-role", "MyRole", "--no-verify"],
            env=static_home.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1
        assert "expected role 'MyRole'" in done.stderr
        assert_no_secret(done.stdout, done.stderr)

    def test_malformed_files_no_traceback(self, home: Home) -> None:
        """Malformed config: explain reports it (exit 1), profiles says it in one line (exit 1)."""
        home.config("[profile broken\nregion = x\n")
        explain = script(home.env, "explain", "--no-network")
        profiles = script(home.env, "profiles")
        assert (explain.returncode, profiles.returncode) == (1, 1)
        assert profiles.stderr.startswith("credchain: error: Unable to parse config file")
        assert profiles.stderr.count("\n") == 1
        assert_no_secret(explain.stdout, explain.stderr, profiles.stdout, profiles.stderr)

    def test_no_color_in_a_pipe_and_ascii_output(self, static_home: Home) -> None:
        """Piped output has no escape sequences, and NO_COLOR is accepted."""
        env = {**static_home.env, "NO_COLOR": "1"}
        done = script(env, "profiles")
        assert done.returncode == 0
        assert "\x1b[" not in done.stdout

    def test_ascii_terminal(self, static_home: Home) -> None:
        """A terminal encoding without "…" gets an escape, not a UnicodeEncodeError."""
        env = {**static_home.env, "PYTHONIOENCODING": "ascii"}
        done = script(env, "assert-role", "MyRole", "--no-verify")
        assert done.returncode == 1
        assert done.stderr.startswith("credchain: FAIL: expected role 'MyRole'")
        assert "Error" not in done.stderr.splitlines()[0].replace("RoleAssertionError", "")
        assert_no_secret(done.stderr)

    def test_import_stays_light(self) -> None:
        """Importing the CLI loads no botocore module: start-up stays fast."""
        code = (
            "import sys, credchain._cli; print(sorted(m for m in sys.modules if 'botocore' in m))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
        )
        assert done.stdout.strip() == "[]"
