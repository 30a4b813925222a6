"""``credchain explain`` sends its metadata probe before the rest of credchain loads.

The command line reads plain ``explain`` arguments before building its parser,
starts the probe (settings, botocore's HTTP stack and the probe module only),
and loads the providers, the report and the renderer while the probe waits.
These check what is loaded when the first request goes out, that the verdict
is the one ``explain()`` gives, that nothing outlives the command, and which
spellings are read early. Not timings (see benchmarks/run.py for those).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import loopback
import oracle
import pytest

import credchain
from credchain import _cli
from credchain._cli import _Early, main

#: Loaded only once the first request is out (the walk, the report, the renderer).
LATER = (
    "credchain._explain",
    "credchain._chain",
    "credchain._report",
    "credchain._render",
    "credchain._next_steps",
    "credchain._settings",
    "credchain.providers",
    "credchain._mask",
)

# main(argv) in this interpreter; at the first connection to PORT, the loaded modules.
WRAPPER = """
import json, sys
out, port, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
seen = {}

def hook(event, args):
    if event == "socket.connect" and "modules" not in seen:
        address = args[1]
        if isinstance(address, tuple) and address[1] == port:
            seen["modules"] = sorted(sys.modules)

sys.addaudithook(hook)
from credchain._cli import main
seen["code"] = main(argv)
with open(out, "w") as f:
    json.dump(seen, f)
"""


@pytest.fixture
def silent() -> Iterator[loopback.RawServer]:
    with loopback.RawServer("silent") as server:
        yield server


def cli_env(home: Path, url: str, **extra: str) -> dict[str, str]:
    """A HOME whose config has a ``dev`` profile (no credentials), IMDS at ``url``."""
    (home / ".aws").mkdir(exist_ok=True)
    (home / ".aws" / "config").write_text("[profile dev]\nregion = eu-west-1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOTO_"))}
    env.update(
        HOME=str(home),
        AWS_EC2_METADATA_SERVICE_ENDPOINT=url + "/",
        AWS_METADATA_SERVICE_TIMEOUT="1",
        **oracle.GUARDS,
        **extra,
    )
    return env


def use_cli_env(monkeypatch: pytest.MonkeyPatch, home: Path, url: str) -> None:
    """Make :func:`cli_env` this process's environment (for ``main()`` called in process)."""
    for name in [n for n in os.environ if n.startswith(("AWS_", "BOTO_"))]:
        monkeypatch.delenv(name)
    for name, value in cli_env(home, url).items():
        monkeypatch.setenv(name, value)


def run_wrapped(tmp_path: Path, env: dict[str, str], port: int, *argv: str) -> dict[str, Any]:
    out = tmp_path / "seen.json"
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(out), str(port), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.exists(), proc.stderr
    seen: dict[str, Any] = json.loads(out.read_text())
    seen["stdout"] = proc.stdout
    return seen


@pytest.mark.parametrize(
    "argv",
    [["explain"], ["explain", "--json", "--profile=dev", "--timeout", "1"]],
)
def test_the_probe_goes_out_before_the_walk_loads(
    tmp_path: Path, silent: loopback.RawServer, argv: list[str]
) -> None:
    """At the first request: no provider, report, renderer or scrubber module loaded yet."""
    seen = run_wrapped(tmp_path, cli_env(tmp_path, silent.url), silent.port, *argv)
    assert seen["code"] == 1  # no credentials
    assert "modules" in seen, "no connection to the metadata service"
    assert [m for m in LATER if m in seen["modules"]] == []
    assert "botocore.httpsession" in seen["modules"]
    assert "botocore.credentials" not in seen["modules"]


def test_an_abbreviated_option_probes_after_the_parser(
    tmp_path: Path, silent: loopback.RawServer
) -> None:
    """A spelling only the parser knows (``--prof``) still probes, with the same verdict."""
    seen = run_wrapped(
        tmp_path, cli_env(tmp_path, silent.url), silent.port, "explain", "--prof", "dev"
    )
    assert seen["code"] == 1
    assert "modules" in seen
    assert "did not answer within 1 s" in seen["stdout"]


@pytest.mark.parametrize("argv", [[], ["--profile", "dev"], ["--prof=dev"]])
def test_the_verdict_is_explains(
    tmp_path: Path, silent: loopback.RawServer, argv: list[str]
) -> None:
    """``credchain explain --json`` says what ``explain()`` says about a silent service."""
    env = cli_env(tmp_path, silent.url)
    proc = subprocess.run(
        [sys.executable, "-m", "credchain", "explain", "--json", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    printed = json.loads(proc.stdout)
    profile = "dev" if argv else None
    report = credchain.explain(env=env, profile=profile).to_dict()
    for d in (printed, report):
        d.pop("checked_at", None)
    assert printed["providers"] == report["providers"]
    assert printed["winner"] is None and printed["raises"] is None


def test_nothing_outlives_the_command(
    tmp_path: Path, silent: loopback.RawServer, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """In this process: after main(), no credchain thread runs and no socket stays open."""
    use_cli_env(monkeypatch, tmp_path, silent.url)
    assert main(["explain"]) == 1
    assert "did not answer within 1 s" in capsys.readouterr().out
    assert loopback.credchain_threads() == []
    assert loopback.client_sockets(silent.port) == 0
    assert silent.peers_closed()


class TestReadEarly:
    """Which spellings are read before the parser is built (the rest wait for it)."""

    @pytest.fixture(autouse=True)
    def started(self, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
        calls: list[tuple[Any, ...]] = []

        def start(cls: Any, *args: Any) -> str:
            calls.append(args)
            return "started"

        monkeypatch.setattr(_Early, "start", classmethod(start))
        return calls

    @pytest.mark.parametrize(
        ("argv", "expected"),
        [
            (["explain"], (None, None, False, False, False)),
            (["explain", "--json"], (None, None, False, True, False)),
            (["explain", "--profile", "dev"], ("dev", None, False, False, False)),
            (["explain", "--profile=dev", "--timeout=2.5"], ("dev", 2.5, False, False, False)),
            (
                ["explain", "--run-process", "--verify", "--settings", "--no-color"],
                (None, None, True, False, False),
            ),
        ],
    )
    def test_plain_spellings(
        self, started: list[tuple[Any, ...]], argv: list[str], expected: tuple[Any, ...]
    ) -> None:
        assert _Early.read(argv) == "started"
        assert started == [expected]

    @pytest.mark.parametrize(
        "argv",
        [
            [],
            ["--help"],
            ["profiles"],
            ["explain", "--no-network"],
            ["explain", "--help"],
            ["explain", "-h"],
            ["explain", "--prof", "dev"],  # an abbreviation: the parser's business
            ["explain", "--profile"],
            ["explain", "--profile", "--json"],
            ["explain", "--profile="],
            ["explain", "--profile", "a", "--profile", "b"],
            ["explain", "--json", "--json"],
            ["explain", "--timeout", "0"],
            ["explain", "--timeout", "soon"],
            ["explain", "--timeout", "-1"],
            ["explain", "--json=yes"],
            ["explain", "extra"],
            ["explain", "--", "--json"],
        ],
    )
    def test_anything_else_waits_for_the_parser(
        self, started: list[tuple[Any, ...]], argv: list[str]
    ) -> None:
        assert _Early.read(argv) is None
        assert started == []


def test_a_usage_error_after_an_early_start_closes_it(
    tmp_path: Path, silent: loopback.RawServer, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Arguments the parser then rejects: exit 2, the probe ended, nothing left running."""
    for name, value in cli_env(tmp_path, silent.url).items():
        monkeypatch.setenv(name, value)
    real = _Early.read

    def read(argv: Any) -> Any:  # as if the early reading had accepted a bad spelling
        return real(["explain"])

    monkeypatch.setattr(_Early, "read", staticmethod(read))
    assert main(["explain", "--bogus"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err
    assert loopback.credchain_threads() == []
    assert loopback.client_sockets(silent.port) == 0


def test_the_program_ends_as_usual_while_a_thread_runs() -> None:
    """``_end`` leaves the ending to the interpreter when a non-daemon thread still runs."""
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert _cli._end(0) is None  # returned: the interpreter will wait for the thread
    finally:
        release.set()
        thread.join()


def test_the_program_flushes_and_keeps_its_exit_status(tmp_path: Path) -> None:
    """Run as the program: the whole output, the exit status, and exit handlers run."""
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('handler ran\\n'))\n"
        "from credchain._cli import main\n"
        "sys.argv = ['credchain', 'explain', '--no-network']\n"
        "main()\n"
        "print('not reached')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOTO_"))}
    env.update(HOME=str(tmp_path), **oracle.GUARDS)
    env.pop("PYTHONUNBUFFERED", None)  # buffered: only the flush before the end writes it
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1  # no credentials
    assert proc.stdout.startswith("credchain: botocore ")
    assert "Why, provider by provider:" in proc.stdout and proc.stdout.endswith("\n")
    assert "not reached" not in proc.stdout
    assert proc.stderr == "handler ran\n"


def test_a_disabled_metadata_service_loads_no_http_stack(tmp_path: Path) -> None:
    """AWS_EC2_METADATA_DISABLED=true: nothing to probe, so botocore's HTTP stack stays unloaded."""
    script = (
        "import json, sys\n"
        "from credchain._cli import main\n"
        "code = main(['explain'])\n"
        "heavy = [m for m in ('urllib3', 'botocore.httpsession') if m in sys.modules]\n"
        "sys.stderr.write(json.dumps([code, heavy]))\n"
    )
    env = cli_env(tmp_path, "http://127.0.0.1:9", AWS_EC2_METADATA_DISABLED="true")
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert json.loads(proc.stderr.splitlines()[-1]) == [1, []]
    assert "AWS_EC2_METADATA_DISABLED=true" in proc.stdout


def test_an_early_start_that_fails_leaves_it_to_explain(
    tmp_path: Path, silent: loopback.RawServer, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Should starting the probe early fail, explain() starts it itself: the same verdict."""
    import credchain._imds

    use_cli_env(monkeypatch, tmp_path, silent.url)

    def broken(ctx: Any) -> None:
        raise RuntimeError("not now")

    monkeypatch.setattr(credchain._imds, "start_early", broken)
    assert main(["explain"]) == 1
    assert "did not answer within 1 s" in capsys.readouterr().out
    assert loopback.credchain_threads() == []
    assert loopback.client_sockets(silent.port) == 0
