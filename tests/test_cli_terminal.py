"""The real command line: its own words, the terminal's width, colour, the progress line
and shell completion, run as ``python -m credchain`` through pipes and a pseudo-terminal."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import cli_env, run_cli, run_on_pty, silent_server

from credchain.testing import FakeIMDS, Sandbox

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "SECRET-NEVER-PRINTED-01"
LONG_SOURCE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_CREDENTIALS_FULL_URI"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """An empty sandbox: no credentials, the metadata service disabled."""
    box = Sandbox(tmp_path)
    yield box
    box.close()


@pytest.fixture
def keys(sandbox: Sandbox) -> Sandbox:
    """Keys in ~/.aws/credentials [default], and a second profile in the config file."""
    sandbox.write_credentials("default", aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET)
    sandbox.write_config("dev", region="eu-west-1")
    return sandbox


def table(text: str) -> list[str]:
    """The provider table's lines (between the header and the first blank line)."""
    lines = text.replace("\r\n", "\n").splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("provider"))
    end = lines.index("", start)
    return lines[start:end]


class TestWords:
    def test_no_network_is_named_as_typed(self, sandbox: Sandbox) -> None:
        """A reason that says network=False in Python says --no-network on the command line."""
        sandbox.unset_env("AWS_EC2_METADATA_DISABLED")
        result = run_cli(cli_env(sandbox.env), "explain", "--no-network")
        assert result.returncode == 1
        assert "--no-network" in result.stdout
        assert "network=False" not in result.stdout

    def test_python_keeps_python_words(self, sandbox: Sandbox) -> None:
        """str(report) keeps the API's words: network=False."""
        import credchain

        sandbox.unset_env("AWS_EC2_METADATA_DISABLED")
        text = str(credchain.explain(env=sandbox.env, network=False))
        assert "network=False" in text and "--no-network" not in text

    def test_profile_source_is_the_option(self, keys: Sandbox) -> None:
        """--profile is named as such in the header, never "(from explicit)"."""
        result = run_cli(cli_env(keys.env), "explain", "--profile", "dev", "--no-network")
        assert "(from --profile)" in result.stdout
        assert "explicit)" not in result.stdout

    def test_run_process_is_the_option(self, sandbox: Sandbox) -> None:
        """A credential_process not run says --run-process was not given."""
        sandbox.write_config("default", credential_process="/bin/true")
        result = run_cli(cli_env(sandbox.env), "explain", "--no-network")
        assert "--run-process not given" in result.stdout
        assert "run_process=" not in result.stdout

    def test_assert_role_hint_is_the_option(self, sandbox: Sandbox) -> None:
        """assert-role's advice to ask STS names its own option, not verify=True."""
        sandbox.write_credentials(
            "default",
            aws_access_key_id="ASIAIOSFODNN7EXAMPLE",
            aws_secret_access_key=SECRET,
            aws_session_token="TOKEN-NEVER-PRINTED",
        )
        result = run_cli(cli_env(sandbox.env), "assert-role", "Deployer", "--no-verify")
        assert result.returncode == 1
        assert "verify=" not in result.stderr
        assert "without --no-verify" in result.stderr

    def test_botocore_says_quotes_botocore(self, sandbox: Sandbox) -> None:
        """ "botocore says:" prefixes botocore's own message, word for word."""
        sandbox.set_env(AWS_PROFILE="nope")
        result = run_cli(cli_env(sandbox.env), "explain", "--no-network")
        assert "botocore says: The config profile (nope) could not be found" in result.stdout

    def test_botocore_says_never_prefixes_credchain_text(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        """A failing process: its withheld stderr is credchain's words, not quoted as botocore's."""
        script = tmp_path / "creds.sh"
        script.write_text("#!/bin/sh\necho 'SECRET-NEVER-PRINTED-01' >&2\nexit 3\n")
        script.chmod(0o755)
        sandbox.write_config("default", credential_process=str(script))
        result = run_cli(cli_env(sandbox.env), "explain", "--run-process", "--no-network")
        assert result.returncode == 1
        assert "stderr withheld" in result.stdout
        assert "botocore says" not in result.stdout
        assert SECRET not in result.stdout


class TestWidth:
    def test_pipe_keeps_100_columns(self, sandbox: Sandbox) -> None:
        """Not a terminal: 100 columns whatever COLUMNS says, long sources wrapped, not cut."""
        result = run_cli(cli_env(sandbox.env, COLUMNS="200"), "explain", "--no-network")
        lines = table(result.stdout)
        assert max(len(line) for line in lines) <= 100
        assert not any("..." in line for line in lines)
        joined = " ".join(line.strip() for line in lines)
        assert "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI," in joined
        assert "AWS_CONTAINER_CREDENTIALS_FULL_URI" in joined

    def test_long_path_breaks_after_a_slash(self, keys: Sandbox) -> None:
        """A path longer than the column continues on the next line, cut after a `/`."""
        import credchain
        from credchain._render import render_report

        deep = keys.root / ("d" * 40) / ("e" * 40)
        deep.mkdir(parents=True)
        path = deep / "credentials"
        path.write_text(keys.credentials_file.read_text())
        keys.set_env(AWS_SHARED_CREDENTIALS_FILE=str(path))
        report = credchain.explain(env=keys.env, network=False)
        lines = table(render_report(report, width=100))
        start = next(i for i, line in enumerate(lines) if "shared-credentials-file" in line)
        column = lines[0].index("source")
        rest = lines[start + 1 :]
        more = next((i for i, line in enumerate(rest) if line[:column].strip()), len(rest))
        pieces = [line[column:] for line in [lines[start], *rest[:more]]]
        assert all(len(line) <= 100 for line in lines)
        assert pieces[0].endswith("/")
        assert "".join(pieces).startswith(f"{path}")  # whole, in order, nothing cut
        assert pieces[-1].strip() == "[default], line 2"

    def test_wide_terminal_uses_its_width(self, sandbox: Sandbox) -> None:
        """On a 160-column terminal the long source fits on its row."""
        run = run_on_pty(cli_env(sandbox.env), "explain", "--no-network", columns=160)
        row = next(line for line in table(ANSI.sub("", run.terminal)) if "container-role" in line)
        assert row.endswith(LONG_SOURCE)

    def test_narrow_terminal_wraps(self, sandbox: Sandbox) -> None:
        """On a 70-column terminal no table line is wider, and no source loses its start."""
        run = run_on_pty(cli_env(sandbox.env), "explain", "--no-network", columns=70)
        lines = table(ANSI.sub("", run.terminal))
        assert max(len(line) for line in lines) <= 70
        assert any(line.strip() == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI," for line in lines)

    def test_columns_overrides_the_terminal(self, sandbox: Sandbox) -> None:
        """COLUMNS wins over the terminal's own size, as shutil.get_terminal_size has it."""
        env = cli_env(sandbox.env, COLUMNS="180")
        run = run_on_pty(env, "explain", "--no-network", columns=60)
        row = next(line for line in table(ANSI.sub("", run.terminal)) if "container-role" in line)
        assert row.endswith(LONG_SOURCE)


class TestProfilesWidth:
    def write(self, sandbox: Sandbox) -> None:
        long = "a-profile-name-long-enough-to-push-the-problems-column-off-a-narrow-table"
        sandbox.write_credentials(long, aws_access_key_id="AKIAIOSFODNN7EXAMPLE")

    def test_wide_terminal_shows_the_problem_whole(self, sandbox: Sandbox) -> None:
        """On a 200-column terminal the problems column is not cut."""
        self.write(sandbox)
        run = run_on_pty(cli_env(sandbox.env), "profiles", columns=200)
        row = next(x for x in ANSI.sub("", run.terminal).splitlines() if "error" in x)
        assert row.rstrip().endswith("PartialCredentialsError")

    def test_pipe_stays_100_columns(self, sandbox: Sandbox) -> None:
        """Not a terminal: at most 100 columns, the cut cell marked with ..."""
        self.write(sandbox)
        result = run_cli(cli_env(sandbox.env, COLUMNS="200"), "profiles")
        assert max(len(x) for x in result.stdout.splitlines()) <= 100
        assert "..." in result.stdout


class TestColour:
    def test_terminal_gets_colour_pipe_does_not(self, keys: Sandbox) -> None:
        """Status words are coloured on a terminal only."""
        run = run_on_pty(cli_env(keys.env), "explain", "--no-network")
        assert "\x1b[32mfound\x1b[0m" in run.terminal
        piped = run_cli(cli_env(keys.env), "explain", "--no-network")
        assert "\x1b[" not in piped.stdout

    def test_none_is_not_red(self, sandbox: Sandbox) -> None:
        """A profile with no credentials is not an error: `none` is never red."""
        sandbox.write_config("empty", region="eu-west-1")
        run = run_on_pty(cli_env(sandbox.env), "profiles")
        assert "none" in run.terminal
        assert "\x1b[31m" not in run.terminal


class TestProgress:
    def imds_env(self, sandbox: Sandbox, url: str) -> dict[str, str]:
        return cli_env(
            sandbox.env, AWS_EC2_METADATA_DISABLED=None, AWS_EC2_METADATA_SERVICE_ENDPOINT=url
        )

    def test_terminal_stderr_says_what_it_waits_for(self, sandbox: Sandbox) -> None:
        """A silent metadata service: stderr shows the wait, then clears it; stdout has none."""
        with silent_server() as url:
            env = self.imds_env(sandbox, url)
            run = run_on_pty(env, "explain", "--timeout", "1", stdout_tty=False, stderr_tty=True)
        note = f"credchain: waiting for the instance metadata service at {url} (up to 1 s)..."
        assert note in run.terminal
        assert run.terminal.endswith("\r\x1b[K")  # erased before the report is printed
        assert "waiting" not in run.stdout
        assert "did not answer" in run.stdout

    def test_container_endpoint(self, sandbox: Sandbox) -> None:
        """A silent container endpoint: the note names it and botocore's attempts' bound."""
        with silent_server() as url:
            env = cli_env(sandbox.env, AWS_CONTAINER_CREDENTIALS_FULL_URI=url)
            run = run_on_pty(env, "explain", "--timeout", "0.5", stdout_tty=False, stderr_tty=True)
        note = f"credchain: waiting for the container credentials endpoint {url} (up to 0.5 s)..."
        assert note in run.terminal
        assert run.terminal.endswith("\r\x1b[K")
        assert "container-role" in run.stdout and "waiting" not in run.stdout

    def test_not_on_a_pipe(self, sandbox: Sandbox) -> None:
        """stderr not a terminal: no progress line at all."""
        with silent_server() as url:
            result = run_cli(self.imds_env(sandbox, url), "explain", "--timeout", "1")
        assert result.stderr == ""
        assert "waiting" not in result.stdout

    def test_not_with_json(self, sandbox: Sandbox) -> None:
        """--json: no progress line, even with stderr on a terminal; stdout is pure JSON."""
        with silent_server() as url:
            env = self.imds_env(sandbox, url)
            run = run_on_pty(
                env, "explain", "--json", "--timeout", "1", stdout_tty=False, stderr_tty=True
            )
        assert "waiting" not in run.terminal
        assert json.loads(run.stdout)["providers"][-1]["method"] == "iam-role"

    def test_fast_probe_prints_nothing(self, sandbox: Sandbox) -> None:
        """A metadata service that answers at once leaves stderr empty."""
        with FakeIMDS(role_name="Deployer") as imds:
            env = self.imds_env(sandbox, imds.endpoint)
            run = run_on_pty(env, "explain", stdout_tty=False, stderr_tty=True)
        assert "waiting" not in run.terminal
        assert "Deployer" in run.stdout

    def test_library_prints_nothing(
        self, sandbox: Sandbox, capfd: pytest.CaptureFixture[str]
    ) -> None:
        """explain() itself never writes a progress line, whatever the streams are."""
        import credchain

        with silent_server() as url:
            env = self.imds_env(sandbox, url)
            report = credchain.explain(env=env, timeout=0.5)
        assert report.get("iam-role") is not None
        out, err = capfd.readouterr()
        assert out == "" and err == ""


def test_vocabulary_replaces_whole_phrases_only() -> None:
    """speak() swaps the API's phrases for the options, and leaves look-alikes alone."""
    from credchain._render import WORDS, speak

    words = WORDS["explain"]
    assert speak("not asked (network=False).", words) == "not asked (--no-network)."
    assert speak("my_network=False stays", words) == "my_network=False stays"
    assert speak("run with verify=True", words) == "run with --verify"
    assert speak("run with verify=True", WORDS["assert-role"]) == "run without --no-verify"
    assert speak("network=False", WORDS["python"]) == "network=False"


class TestCompletion:
    def test_profiles_names(self, keys: Sandbox) -> None:
        """profiles --names prints one profile name a line, nothing else."""
        result = run_cli(cli_env(keys.env), "profiles", "--names")
        assert result.returncode == 0
        assert result.stdout.splitlines() == ["dev", "default"]

    @pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
    def test_bash_completes_commands_options_and_profiles(
        self, keys: Sandbox, tmp_path: Path
    ) -> None:
        """The bash script, sourced in a real bash, completes commands, options and profiles."""
        script = run_cli(cli_env(keys.env), "completion", "bash").stdout
        (tmp_path / "credchain.bash").write_text(script)
        launcher = tmp_path / "bin" / "credchain"
        launcher.parent.mkdir()
        import sys

        launcher.write_text(f'#!/bin/sh\nexec {sys.executable} -m credchain "$@"\n')
        launcher.chmod(0o755)
        probe = f"""
source {tmp_path / "credchain.bash"}
show() {{ COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _credchain; echo "${{COMPREPLY[*]}}"; }}
show credchain ex
show credchain explain --no
show credchain explain --profile d
show credchain completion b
"""
        env = cli_env(keys.env, PATH=f"{launcher.parent}:{keys.env['PATH']}")
        out = subprocess.run(
            ["bash", "-c", probe], env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.splitlines() == [
            "explain",
            "--no-color --no-network",
            "dev default",
            "bash",
        ]

    @pytest.mark.parametrize("shell", ["zsh", "fish"])
    def test_other_shells(self, keys: Sandbox, shell: str) -> None:
        """zsh and fish scripts name every command and complete --profile from the files."""
        result = run_cli(cli_env(keys.env), "completion", shell)
        assert result.returncode == 0
        for command in ("explain", "assert-role", "profiles", "completion"):
            assert command in result.stdout
        assert "profiles --names" in result.stdout
        if shutil.which(shell):
            check = ["zsh", "-n"] if shell == "zsh" else ["fish", "--no-execute"]
            syntax = subprocess.run(check, input=result.stdout, text=True, timeout=60)
            assert syntax.returncode == 0

    def test_unknown_shell_is_usage(self, sandbox: Sandbox) -> None:
        """An unknown shell is a usage error, exit 2."""
        result = run_cli(cli_env(sandbox.env), "completion", "tcsh")
        assert result.returncode == 2


class TestProgressLine:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def test_only_overdue_probes_are_shown(self) -> None:
        """A probe ending early draws nothing; another one's note appears only once due."""
        from credchain._cli import ProgressLine

        tty = self.Terminal()
        line = ProgressLine(tty, delay=3600)  # timers never fire: the test decides
        fast = line.on_wait("fast")
        slow = line.on_wait("slow")
        fast()
        assert tty.getvalue() == ""
        line._overdue(1)
        assert tty.getvalue() == "\r\x1b[Kcredchain: waiting for slow..."
        slow()
        assert tty.getvalue().endswith("\r\x1b[K")
        line.close()

    def test_close_erases_and_silences(self) -> None:
        """close() erases a note still shown, and a probe ending later draws nothing."""
        from credchain._cli import ProgressLine

        tty = self.Terminal()
        line = ProgressLine(tty, delay=3600)
        done = line.on_wait("endpoint")
        line._overdue(0)
        line.close()
        shown = tty.getvalue()
        assert shown.endswith("\r\x1b[K")
        line._overdue(0)
        done()
        assert tty.getvalue() == shown
