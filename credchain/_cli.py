"""The ``credchain`` command: ``explain``, ``assert-role`` and ``profiles``.

Exit codes: 0 success, 1 failure (no credentials, botocore would raise, the
role does not match, a file cannot be read), 2 usage (argparse's own). User
errors are one line on stderr, never a traceback (``CREDCHAIN_DEBUG=1`` shows
it). Nothing heavy is imported until a command runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO, cast

OK, FAIL, USAGE = 0, 1, 2

_COLORS = {
    "found": "32",
    "ok": "32",
    "shadowed": "33",
    "warn": "33",
    "unknown": "35",
    "error": "31",
    "not-found": "2",
    "disabled": "2",
}
_STATUS_CELL = re.compile(
    r"^((?:=>|!!|XX| {2}) \S+\s+)(found|shadowed|not-found|error|disabled|unknown)\b"
)


class UsageError(Exception):
    """A bad combination of arguments that argparse cannot see: exit 2."""


# -- colour ----------------------------------------------------------------------------


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def use_color(stream: TextIO, no_color: bool = False, env: Any = None) -> bool:
    """Colour only on a terminal, never with ``--no-color`` or a non-empty ``NO_COLOR``."""
    env = os.environ if env is None else env
    if no_color or env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def painter(enabled: bool) -> Callable[[str, str], str]:
    """``paint(status, text)``: wrap ``text`` in the ANSI colour of ``status`` when enabled."""

    def paint(status: str, text: str) -> str:
        code = _COLORS.get(status)
        return f"\033[{code}m{text}\033[0m" if enabled and code else text

    return paint


def _paint_report(text: str, paint: Callable[[str, str], str]) -> str:
    lines = []
    for line in text.splitlines():
        m = _STATUS_CELL.match(line)
        if m:
            line = m.group(1) + paint(m.group(2), m.group(2)) + line[m.end() :]
        lines.append(line)
    return "\n".join(lines)


# -- commands --------------------------------------------------------------------------


def terminal_width(stream: TextIO) -> int:
    """The width of the terminal ``stream`` writes to, or 100 when it is not a terminal.

    ``COLUMNS`` wins over the terminal's own size, as in ``shutil.get_terminal_size``.
    """
    from credchain._render import WIDTH

    if not _isatty(stream):
        return WIDTH
    with contextlib.suppress(ValueError):
        columns = int(os.environ.get("COLUMNS", ""))
        if columns > 0:
            return columns
    try:
        return os.get_terminal_size(stream.fileno()).columns or WIDTH
    except (AttributeError, ValueError, OSError):
        return WIDTH


class ProgressLine:
    """A one-line note on a terminal's stderr while a probe waits longer than ``delay``.

    ``on_wait`` is the hook ``explain(_progress=...)`` calls as each probe starts; a
    probe's note is drawn once it has run ``delay`` seconds, and erased when it ends
    (or replaced by the note of another probe still waiting).
    """

    def __init__(self, stream: TextIO, delay: float = 0.3) -> None:
        import threading

        self.stream = stream
        self.delay = delay
        self._lock = threading.Lock()
        self._waiting: dict[int, str] = {}  # running probes, in start order
        self._due: set[int] = set()  # those that have run longer than the delay
        self._timers: list[Any] = []
        self._shown = False
        self._closed = False
        self._next = 0

    def on_wait(self, what: str) -> Callable[[], None]:
        import threading

        with self._lock:
            key, self._next = self._next, self._next + 1
            self._waiting[key] = what
            timer = threading.Timer(self.delay, self._overdue, (key,))
            timer.daemon = True
            self._timers.append(timer)
        timer.start()

        def done() -> None:
            with self._lock:
                timer.cancel()
                self._waiting.pop(key, None)
                self._due.discard(key)
                self._redraw()

        return done

    def _overdue(self, key: int) -> None:
        with self._lock:
            if key in self._waiting:
                self._due.add(key)
                self._redraw()

    def _redraw(self) -> None:  # with the lock held
        if self._closed:
            return
        due = [what for key, what in self._waiting.items() if key in self._due]
        if not due:
            if self._shown:
                self._write("\r\033[K")
                self._shown = False
            return
        width = terminal_width(self.stream) - 1
        text = f"credchain: waiting for {due[0]}..."
        if len(text) > width:
            text = text[: max(width - 3, 0)] + "..."
        self._write("\r\033[K" + text)
        self._shown = True

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.stream.write(text)
            self.stream.flush()

    def close(self) -> None:
        """Erase the note and draw nothing more (a probe left running ends silently)."""
        with self._lock:
            self._closed = True
            for timer in self._timers:
                timer.cancel()
            if self._shown:
                self._write("\r\033[K")
                self._shown = False


def _explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    early: _Early | None = getattr(args, "early", None)
    if early is None:  # not read off the command line before the parser: started now
        early = _Early.start(
            args.profile, args.timeout, args.run_process, args.json, args.no_network
        )
    try:
        # Loaded while the metadata probe waits (its bound runs from its first request).
        import json

        from credchain import _expiry, _settings, explain  # noqa: F401
        from credchain._render import WORDS, render_report, speak

        report = explain(
            profile=args.profile,
            network=not args.no_network,
            run_process=args.run_process,
            timeout=args.timeout,
            _progress=None if early.progress is None else early.progress.on_wait,
            _context=early.ctx,
        )
    finally:
        early.close()
    found = report.winner is not None and report.raises is None
    identity: dict[str, Any] | None = None
    if args.verify:
        identity = _verify(args, report) if found else {"error": "no credentials to verify"}
    if args.json:
        data = report.to_dict()
        if identity is not None:
            data["identity"] = identity
        if args.settings:
            data["endpoints"] = {k: e.to_dict() for k, e in report.endpoints().items()}
        plain = identity is None and not args.settings
        out.write((report.to_json() if plain else json.dumps(data)) + "\n")
    else:
        paint = painter(use_color(out, args.no_color))
        words = WORDS["explain"]
        text = render_report(report, width=terminal_width(out), words=words)
        out.write(_paint_report(text, paint) + "\n")
        if args.settings:
            from credchain._render import settings_table

            out.write(f"\nSettings (botocore's session variables):\n{settings_table(report)}\n")
        if identity is not None and "error" in identity:
            why = speak(identity["error"], words)
            out.write(f"\n{paint('error', 'identity')}: not verified: {why}\n")
        elif identity is not None:
            out.write(f"\n{paint('found', 'identity')}: {_describe(identity)}\n")
    if identity is not None and "error" in identity:
        return FAIL
    if found and report.winner is not None and report.winner.usable is False:
        return FAIL  # the credentials would fail at first use
    return OK if found else FAIL


class _Early:
    """``credchain explain``'s progress line and context, its metadata probe already sent.

    A silent metadata service costs one timeout from the probe's first request:
    the command line sends it before the providers, the report and the renderer
    load (and, for the plain spellings :meth:`read` knows, before the argument
    parser is built), and loads the rest while the probe waits.
    """

    __slots__ = ("ctx", "expected", "progress")

    def __init__(self, ctx: Any, progress: ProgressLine | None, expected: tuple[Any, ...]) -> None:
        self.ctx = ctx  # None: explain() builds its own (--no-network, or the start failed)
        self.progress = progress
        self.expected = expected

    @classmethod
    def start(
        cls,
        profile: str | None,
        timeout: float | None,
        run_process: bool,
        json: bool,
        no_network: bool,
    ) -> _Early:
        """The progress line ``explain`` shows on a terminal, and the context it inspects."""
        progress = None
        if not json and _isatty(sys.stderr) and os.environ.get("TERM") != "dumb":
            progress = ProgressLine(_output(sys.stderr))
        ctx = None
        if not no_network:
            import gc

            # What loads before the first request (botocore's HTTP stack) leaves no garbage
            # worth collecting: the collector's passes over it would only delay the request.
            collecting = gc.isenabled()
            gc.disable()
            try:
                from credchain._context import Context
                from credchain._imds import start_early

                ctx = Context(
                    os.environ,
                    instance_vars={} if profile is None else {"profile": profile},
                    network=True,
                    run_process=run_process,
                    timeout=timeout,
                    is_process_env=True,
                )
                ctx.on_wait = None if progress is None else progress.on_wait
                start_early(ctx)
            except Exception:  # explain() builds its own context, and says what is wrong
                if ctx is not None:
                    ctx.close()
                ctx = None
            except BaseException:  # interrupted: nothing left running
                if ctx is not None:
                    ctx.close()
                if progress is not None:
                    progress.close()
                raise
            finally:
                if collecting:
                    gc.enable()
        return cls(ctx, progress, (profile, timeout, run_process, json, no_network))

    @classmethod
    def read(cls, argv: Sequence[str]) -> _Early | None:
        """For ``explain`` with the network, spelled plainly: started before the parser is built.

        Only the full option names, each at most once, with a value that does not
        start with ``-`` are read here; for anything else (abbreviations, usage
        errors, ``--help``, ``--no-network``) None: the parser decides first.
        """
        if argv[:1] != ["explain"]:
            return None
        flags: set[str] = set()
        values: dict[str, str] = {}
        rest = list(argv[1:])
        while rest:
            arg = rest.pop(0)
            if arg in ("--json", "--no-color", "--run-process", "--verify", "--settings"):
                if arg in flags:
                    return None
                flags.add(arg)
                continue
            name, eq, value = arg.partition("=")
            if name not in ("--profile", "--timeout") or name in values:
                return None
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            if not value or value.startswith("-"):
                return None
            values[name] = value
        timeout = None
        if "--timeout" in values:
            try:
                timeout = _seconds(values["--timeout"])
            except argparse.ArgumentTypeError:
                return None
        profile = values.get("--profile")
        return cls.start(profile, timeout, "--run-process" in flags, "--json" in flags, False)

    def fits(self, args: argparse.Namespace) -> bool:
        """Did the parser read the arguments this was started for?"""
        if getattr(args, "command", None) != "explain":
            return False
        given = (args.profile, args.timeout, args.run_process, args.json, args.no_network)
        return given == self.expected

    def close(self) -> None:
        """End the probe (if ``explain()`` did not) and erase the progress line."""
        if self.ctx is not None:
            self.ctx.close()
        if self.progress is not None:
            self.progress.close()


def _verify(args: argparse.Namespace, report: Any) -> dict[str, Any]:
    """``identify()`` as a JSON-ready dict, or ``{"error": one line}``: never raises."""
    from credchain import identify

    try:
        who = identify(profile=args.profile, timeout=args.timeout or 5.0, report=report)
    except Exception as e:
        return {"error": _one_line(e)}
    return {
        "arn": who.arn,
        "account": who.account,
        "role_name": who.role_name,
        "session_name": who.session_name,
        "provider": who.provider,
        "verified": who.verified,
    }


def _describe(identity: dict[str, Any]) -> str:
    return f"{identity['arn']} (account {identity['account']}, via {identity['provider']}, " + (
        "verified by STS)" if identity["verified"] else "not verified)"
    )


def _assert_role(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from credchain._assert_role import REQUIRE_ACCOUNT_VAR, REQUIRE_ROLE_VAR, assert_role
    from credchain.exceptions import RoleAssertionError

    role = args.role or os.environ.get(REQUIRE_ROLE_VAR) or None
    account = args.account or os.environ.get(REQUIRE_ACCOUNT_VAR) or None
    if role is None and account is None:
        raise UsageError(f"give a ROLE ('*' for any role) or --account, or set {REQUIRE_ROLE_VAR}")
    try:
        identity = assert_role(
            role,
            account=account,
            verify=not args.no_verify,
            profile=args.profile,
            timeout=args.timeout,
            min_validity=args.min_validity,
            region=args.region,
        )
    except RoleAssertionError as e:
        from credchain._render import WORDS, speak

        paint = painter(use_color(err, args.no_color))
        err.write(f"credchain: {paint('error', 'FAIL')}: {speak(str(e), WORDS['assert-role'])}\n")
        return FAIL
    except ValueError as e:  # a malformed role or account (argument or variable)
        raise UsageError(str(e)) from None
    paint = painter(use_color(out, args.no_color))
    out.write(f"credchain: {paint('ok', 'ok')}: running as {identity}\n")
    return OK


def _profiles(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from credchain._profiles import collector_paused, list_profiles, render

    if args.names:  # for shell completion: one name a line, nothing else, no chain walked
        from credchain._profiles import profile_names

        out.write("".join(f"{name}\n" for name in profile_names()))
        return OK
    with collector_paused():
        report = list_profiles(_collect_parse=True)
        if args.json:
            out.write(report.to_json() + "\n")
        else:
            paint = painter(True) if use_color(out, args.no_color) else None
            out.write(render(report, paint, width=max(terminal_width(out), 60)) + "\n")
    if args.strict and any(row.problems or row.status != "ok" for row in report.rows):
        return FAIL
    return OK


# -- parser ----------------------------------------------------------------------------


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def _duration(text: str) -> Any:
    from credchain._expiry import parse_duration

    try:
        return parse_duration(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _account(text: str) -> str:
    if not re.fullmatch(r"[0-9]{12}", text):
        raise argparse.ArgumentTypeError(f"not a 12-digit AWS account id: {text!r}")
    return text


class _Version(argparse.Action):
    """``--version``: credchain's and botocore's versions, read without importing botocore."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the versions and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        sys.stdout.write(_version_line())
        parser.exit()


def _version_line() -> str:
    python = ".".join(map(str, sys.version_info[:3]))
    return f"credchain {_dist_version('credchain')} (botocore {_dist_version('botocore')}, " + (
        f"Python {python})\n"
    )


def _dist_version(name: str) -> str:
    """The installed version of a distribution, as ``importlib.metadata.version`` finds it.

    Its ``NAME-VERSION.dist-info`` directory is looked up on ``sys.path`` directly:
    importing ``importlib.metadata`` costs more than the rest of ``--version``.
    """
    prefix, suffix = f"{name}-", ".dist-info"
    for entry in sys.path:
        try:
            found = [n for n in os.listdir(entry or ".") if n.startswith(prefix)]
        except OSError:
            continue
        versions = [n[len(prefix) : -len(suffix)] for n in found if n.endswith(suffix)]
        if len(versions) == 1 and "-" not in versions[0]:
            return versions[0]
        if versions:
            break
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


MAIN_EPILOG = """\
commands:
  explain      which credentials botocore would use here, why, and what they shadow
  assert-role  fail unless botocore's credentials are the given IAM role
  profiles     every profile: the provider that wins, its role, its problems
  completion   a completion script for bash, zsh or fish

Run `credchain COMMAND --help` for the options and examples of each command.
"""

EXPLAIN_EPILOG = """\
exit status: 0 credentials found, 1 none, botocore would raise, the answer
depends on a provider credchain cannot inspect, or the credentials would fail
at first use (an expired SSO token: usable false), 2 usage.

examples:
  credchain explain                      # what boto3.Session() would use here
  credchain explain --profile dev        # what boto3.Session(profile_name="dev") would use
  credchain explain --no-network         # open no socket: the instance role is "unknown"
  credchain explain --json | jq .winner  # machine-readable, stable keys
  credchain explain --verify             # also ask STS who the credentials are
  credchain explain --settings           # every botocore setting and where it comes from
"""

ASSERT_EPILOG = """\
ROLE is a role name, an IAM role ARN (its path is ignored), an assumed-role ARN
or a glob on the name ("AWSReservedSSO_Admin_*"); '*' accepts any role. Without
ROLE, CREDCHAIN_REQUIRE_ROLE (and CREDCHAIN_REQUIRE_ACCOUNT) are used; with
neither a role nor an account it is a usage error.

--min-validity DURATION (90s, 30m, 1h, 1h30m or seconds) also fails when the
credentials, or the SSO token behind them, expire sooner than that.

exit status: 0 the credentials are that role, 1 they are not, would fail at first
use or expire too soon (the reason is on stderr), 2 usage.

examples:
  credchain assert-role MyAppRole
  credchain assert-role MyAppRole --account 123456789012
  credchain assert-role 'AWSReservedSSO_Admin_*' --profile prod
  credchain assert-role MyAppRole --no-verify      # from configuration, no STS call
  credchain assert-role '*' --min-validity 1h      # a worker needs an hour of validity
  credchain assert-role MyAppRole --region eu-west-1  # and botocore's region
  ExecStartPre=/usr/local/bin/credchain assert-role MyAppRole   # systemd unit
"""

PROFILES_EPILOG = """\
Every profile of the config and credentials files (AWS_CONFIG_FILE,
AWS_SHARED_CREDENTIALS_FILE), as boto3.Session(profile_name=NAME) would see it,
decided offline: no socket, no credential_process run. Status: ok, warn (works,
with problems), error (botocore would raise), none (no credentials).

exit status: 0 listed (1 with --strict when any profile is not ok), 1 the files
cannot be read, 2 usage.

examples:
  credchain profiles
  credchain profiles --json | jq '.profiles[] | select(.status == "error")'
  credchain profiles --strict      # CI: fail on any problem
"""


COMPLETION_EPILOG = """\
Profile names are completed from your config and credentials files (through
`credchain profiles --names`, offline).

install:
  bash: credchain completion bash > ~/.local/share/bash-completion/completions/credchain
  zsh:  credchain completion zsh > "${fpath[1]}/_credchain"    # then: compinit
  fish: credchain completion fish > ~/.config/fish/completions/credchain.fish
"""


def _completion(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from credchain._completion import script

    out.write(script(args.shell, build_parser()))
    return OK


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32, width=100)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand per command, each with examples in ``--help``."""
    parser = argparse.ArgumentParser(
        prog="credchain",
        description="See which AWS credentials botocore will use, why, and what they shadow.",
        epilog=MAIN_EPILOG,
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, help="one of the commands below"
    )

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--no-color", action="store_true", help="never colour the output")

    def command(name: str, help: str, epilog: str, run: Callable[..., int]) -> Any:
        sub = commands.add_parser(
            name,
            description=help,
            epilog=epilog,
            parents=[common],
            formatter_class=_formatter,
        )
        sub.set_defaults(run=run, parser=sub)
        return sub

    explain = command(
        "explain",
        "Explain which credentials botocore would use, and why.",
        EXPLAIN_EPILOG,
        _explain,
    )
    explain.add_argument("--profile", metavar="P", help="inspect this profile, like boto3's")
    explain.add_argument("--json", action="store_true", help="print the report as JSON")
    explain.add_argument(
        "--no-network", action="store_true", help="open no socket (metadata endpoints not asked)"
    )
    explain.add_argument(
        "--run-process", action="store_true", help="actually run credential_process commands"
    )
    explain.add_argument(
        "--timeout", metavar="S", type=_seconds, help="bound for each network probe, in seconds"
    )
    explain.add_argument(
        "--verify", action="store_true", help="also call sts:GetCallerIdentity (exit 1 if it fails)"
    )
    explain.add_argument(
        "--settings",
        action="store_true",
        help="also print every botocore setting with its source, and the STS/SSO endpoints",
    )

    assert_ = command(
        "assert-role",
        "Fail unless botocore's credentials are the given IAM role.",
        ASSERT_EPILOG,
        _assert_role,
    )
    assert_.add_argument("role", metavar="ROLE", nargs="?", help="role name, ARN or glob")
    assert_.add_argument("--account", metavar="ID", type=_account, help="12-digit account id")
    assert_.add_argument(
        "--no-verify", action="store_true", help="decide from configuration, without STS"
    )
    assert_.add_argument("--profile", metavar="P", help="check this profile, like boto3's")
    assert_.add_argument(
        "--min-validity",
        metavar="DURATION",
        type=_duration,
        help="fail when the credentials expire sooner (90s, 30m, 1h, 1h30m, seconds)",
    )
    assert_.add_argument(
        "--region", metavar="R", help="also fail unless botocore would use this region"
    )
    assert_.add_argument(
        "--timeout",
        metavar="S",
        type=_seconds,
        default=5.0,
        help="bound for each network call, in seconds (default 5)",
    )

    profiles = command(
        "profiles",
        "List every profile: the provider that wins, its role, its problems.",
        PROFILES_EPILOG,
        _profiles,
    )
    profiles.add_argument("--json", action="store_true", help="print the rows as JSON")
    profiles.add_argument("--strict", action="store_true", help="exit 1 when any profile is not ok")
    profiles.add_argument(
        "--names", action="store_true", help="print only the profile names, one a line"
    )

    completion = command(
        "completion",
        "Print a shell completion script for bash, zsh or fish.",
        COMPLETION_EPILOG,
        _completion,
    )
    completion.add_argument("shell", choices=("bash", "zsh", "fish"), help="the shell")
    return parser


# -- main ------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    from credchain._mask import scrub

    text = " ".join(str(exc).split()) or type(exc).__name__
    return scrub(text)


def main(argv: list[str] | None = None) -> int:
    """Run the ``credchain`` command line; return the exit status.

    Run as the program (``argv`` None: the ``credchain`` script, ``python -m
    credchain``), a command that ran ends the process itself (see :func:`_end`).
    """
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["--version"]:
        sys.stdout.write(_version_line())  # before the parser: the fastest answer
        return OK
    try:
        early = _Early.read(given)  # `explain`: its metadata probe goes out first
    except KeyboardInterrupt:
        sys.stderr.write("credchain: interrupted\n")
        return 130
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as e:  # --help, --version (0) and usage errors (2)
            return e.code if isinstance(e.code, int) else (USAGE if e.code else OK)
        if early is not None and early.fits(args):
            args.early = early
        code = _run(args)
    finally:
        if early is not None:
            early.close()
    if argv is None:
        _end(code)
    return code


def _end(code: int) -> None:
    """End the program now that its command ran, without tearing the interpreter down.

    Every probe, thread and socket of the command is closed by now; what the
    interpreter's own shutdown would add is freeing every module and object
    loaded (botocore's HTTP stack among them): tens of milliseconds after the
    answer is out. Exit handlers still run and the output is flushed (a flush
    that fails exits 120, as Python's shutdown does). Should a thread that is
    not a daemon still run, this returns and the interpreter ends as usual.
    """
    import threading

    if any(not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except Exception:
            code = 120
    os._exit(code)


def _run(args: argparse.Namespace) -> int:
    out, err = _output(sys.stdout), _output(sys.stderr)
    try:
        return int(args.run(args, out, err))
    except UsageError as e:
        args.parser.print_usage(err)
        err.write(f"{args.parser.prog}: error: {_one_line(e)}\n")
        return USAGE
    except KeyboardInterrupt:
        err.write("credchain: interrupted\n")
        return 130
    except BrokenPipeError:  # `credchain profiles | head`
        _silence_stdout()
        return FAIL
    except Exception as e:
        if os.environ.get("CREDCHAIN_DEBUG"):
            raise
        err.write(f"credchain: error: {_one_line(e)}\n")
        return FAIL


class _Output:
    """Where the command writes: every text through the scrubber, then to ``stream``.

    A character the stream's encoding lacks (LANG=C, a Latin-1 console) is
    written as a backslash escape; the stream itself is never reconfigured.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from credchain._mask import scrub

        text = scrub(text)
        try:
            return self._stream.write(text)
        except UnicodeEncodeError:
            encoding = getattr(self._stream, "encoding", None) or "ascii"
            return self._stream.write(
                text.encode(encoding, "backslashreplace").decode(encoding, "replace")
            )

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding…
        return getattr(self._stream, name)


def _output(stream: TextIO) -> TextIO:
    return cast(TextIO, _Output(stream))


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
