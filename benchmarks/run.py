"""credchain against its anchors, side by side in one run: the whole performance table.

Usage::

    python benchmarks/run.py [--rounds 11] [--quick] [--markdown] [--update-docs]

Each row runs credchain (A) and its anchor (B) in alternating pairs (A B, B A,
A B, ...), each in a fresh process where the row says so, and reports the
medians and the median of the per-pair ratios (credchain / anchor; lower is
better). Peak memory is each child's own maximum resident set size
(``os.wait4``'s rusage). Nothing here is a test: the figures depend on the
machine and its load, the ratios much less.

``--markdown`` prints the table as Markdown; ``--update-docs`` rewrites the
marked section of ``docs/performance.md`` with it.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "performance.md"
BEGIN, END = "<!-- benchmarks/run.py: begin -->", "<!-- benchmarks/run.py: end -->"

sys.path.insert(0, str(HERE))
from bench_profiles import write_profiles  # noqa: E402


@dataclass
class Sample:
    seconds: float
    rss: int | None = None  # bytes


@dataclass
class Row:
    task: str
    anchor: str
    a: list[Sample] = field(default_factory=list)
    b: list[Sample] = field(default_factory=list)
    goal: str = ""
    memory: bool = False

    @property
    def ratio(self) -> float:
        return statistics.median(x.seconds / y.seconds for x, y in zip(self.a, self.b, strict=True))

    def median(self, side: list[Sample]) -> float:
        return statistics.median(s.seconds for s in side)

    def rss(self, side: list[Sample]) -> float:
        return statistics.median(s.rss or 0 for s in side)


# -- running things ------------------------------------------------------------------------


def run_child(argv: list[str], env: dict[str, str]) -> Sample:
    """Run a fresh process to its end: wall time and its own peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, close_fds=True
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv} failed ({proc.returncode}): {err.decode()[-2000:]}")
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return Sample(elapsed, rss)


def in_process(fn: Callable[[], object], loops: int) -> Sample:
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    return Sample((time.perf_counter() - start) / loops)


def paired(
    row: Row, a: Callable[[], Sample], b: Callable[[], Sample], rounds: int, warm: bool = True
) -> Row:
    if warm:  # the file cache and the bytecode
        a(), b()
    for i in range(rounds):
        if i % 2 == 0:
            row.a.append(a())
            row.b.append(b())
        else:
            row.b.append(b())
            row.a.append(a())
    return row


def credchain_argv(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("credchain")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "credchain", *args]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    # Both sides load their modules' bytecode as an installed package does (see compile_all).
    skip = ("AWS_", "BOTO_", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update(HOME=str(home), **extra)
    return env


def silent_server() -> tuple[socket.socket, int]:
    """A loopback TCP server that accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(srv.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return srv, srv.getsockname()[1]


def small_home(root: Path) -> Path:
    aws = root / ".aws"
    aws.mkdir(parents=True)
    (aws / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    (aws / "credentials").chmod(0o600)
    (aws / "config").write_text("[default]\nregion = eu-west-1\n")
    return root


def chain_home(root: Path, depth: int) -> Path:
    """One profile with keys and a ``source_profile`` chain ``depth`` roles deep above it."""
    aws = root / ".aws"
    aws.mkdir(parents=True)
    lines = ["[profile c0000]\naws_access_key_id = AKIABENCHCHAIN00000\n"]
    lines.append("aws_secret_access_key = SECRET-NEVER-PRINTED-chain\n")
    for i in range(1, depth + 1):
        lines.append(
            f"\n[profile c{i:04d}]\nrole_arn = arn:aws:iam::123456789012:role/R{i}\n"
            f"source_profile = c{i - 1:04d}\n"
        )
    (aws / "config").write_text("".join(lines))
    return root


PARSE = (
    "import botocore.session; s = botocore.session.Session(); s.full_config; s.available_profiles"
)
BOTO3 = "import boto3; boto3.Session().get_credentials()"
BOTOCORE = "import botocore.session; botocore.session.Session().get_credentials()"


# -- the rows --------------------------------------------------------------------------------


def measure(rounds: int, quick: bool, profile_pairs: int) -> tuple[list[Row], list[str]]:
    py = sys.executable
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        home = small_home(root / "small")
        env = clean_env(home)

        def child(argv: list[str], e: dict[str, str] = env) -> Callable[[], Sample]:
            return lambda: run_child(argv, e)

        rows.append(
            paired(
                Row(
                    "`credchain explain --no-network`, fresh process",
                    f"`python -c {BOTO3!r}`".replace("'", '"'),
                    goal="≤ 0.5",
                ),
                child(credchain_argv("explain", "--no-network")),
                child([py, "-c", BOTO3]),
                rounds,
            )
        )
        rows.append(
            paired(
                Row("`credchain --version`", "`python -c pass`", goal="≤ 5"),
                child(credchain_argv("--version")),
                child([py, "-c", "pass"]),
                rounds,
            )
        )
        rows.append(
            paired(
                Row("`credchain explain --help`", "`python -c 'import argparse'`"),
                child(credchain_argv("explain", "--help")),
                child([py, "-c", "import argparse"]),
                rounds,
            )
        )

        counts = (2_000, 5_000) if quick else (10_000, 50_000)
        for count in counts:
            big = root / f"p{count}"
            write_profiles(big, count)
            size = sum(f.stat().st_size for f in (big / ".aws").iterdir()) / 1e6
            e = clean_env(big, AWS_EC2_METADATA_DISABLED="true")
            rows.append(
                paired(
                    Row(
                        f"`credchain profiles`, {count:,} profiles ({size:.1f} MB)",
                        "botocore's parse of the same files "
                        "(`Session().full_config`, `available_profiles`), fresh process",
                        goal="≤ 1.5, memory ≤ 1.5",
                        memory=True,
                    ),
                    child(credchain_argv("profiles"), e),
                    child([py, "-c", PARSE], e),
                    max(1, profile_pairs // 2) if count > 20_000 else profile_pairs,
                    warm=False,  # the files were just written; the other rows warmed the code
                )
            )
        small_row, big_row = rows[-2], rows[-1]
        c = big_row.median(big_row.a) / small_row.median(small_row.a)
        p = big_row.median(big_row.b) / small_row.median(small_row.b)
        notes.append(
            f"Linearity: {counts[1]:,}/{counts[0]:,} profiles takes {c:.2f}x as long for "
            f"`credchain profiles`, {p:.2f}x for botocore's parse ({c / p:.2f}; goal ≤ 1.2)."
        )

        depth = 300 if quick else 1_000
        deep = chain_home(root / "deep", depth)
        e = clean_env(deep, AWS_EC2_METADATA_DISABLED="true")
        rows.append(
            paired(
                Row(
                    f"`credchain profiles`, one {depth:,}-deep `source_profile` chain",
                    "botocore's parse of the same file, fresh process",
                    memory=True,
                ),
                child(credchain_argv("profiles"), e),
                child([py, "-c", PARSE], e),
                max(3, rounds // 3),
            )
        )

        srv, port = silent_server()
        try:
            e = clean_env(
                root / "empty",
                AWS_EC2_METADATA_SERVICE_ENDPOINT=f"http://127.0.0.1:{port}/",
                AWS_METADATA_SERVICE_TIMEOUT="1",
            )
            rows.append(
                paired(
                    Row(
                        "silent metadata service (timeout 1 s): `credchain explain`, fresh process",
                        f"`python -c {BOTOCORE!r}`".replace("'", '"'),
                        goal="≤ 0.52",
                    ),
                    child(credchain_argv("explain"), e),
                    child([py, "-c", BOTOCORE], e),
                    max(7, rounds // 2),  # the ratio sits at its goal: a median of few moves
                )
            )
        finally:
            srv.close()

        rows.append(in_process_row(home, rounds))
    return rows, notes


def in_process_row(home: Path, rounds: int) -> Row:
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(clean_env(home, AWS_EC2_METADATA_DISABLED="true"))
        import botocore.session

        import credchain

        def a() -> Sample:
            return in_process(lambda: credchain.explain(network=False), 50)

        def b() -> Sample:
            return in_process(lambda: botocore.session.Session().get_credentials(), 50)

        return paired(
            Row(
                "`explain(network=False)`, in process",
                "`botocore.session.Session().get_credentials()`, in process",
            ),
            a,
            b,
            rounds,
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)


# -- output ---------------------------------------------------------------------------------


def _time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.01:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds * 1000:.2f} ms"


def _mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def cells(row: Row) -> list[str]:
    a, b = _time(row.median(row.a)), _time(row.median(row.b))
    ratio = f"{row.ratio:.2f}"
    if row.memory:
        a += f", {_mib(row.rss(row.a))}"
        b += f", {_mib(row.rss(row.b))}"
        ratio += f" (memory {row.rss(row.a) / row.rss(row.b):.2f})"
    return [row.task, a, row.anchor, b, ratio, row.goal or "-"]


def header() -> str:
    import botocore

    cpus = os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"botocore {botocore.__version__}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {cpus} CPUs, load average {load}"
    )


def markdown(rows: list[Row], notes: list[str], rounds: int, took: float) -> str:
    out = [
        "| task | credchain | the anchor | anchor | ratio | goal |",
        "|---|---|---|---|---|---|",
    ]
    out += ["| " + " | ".join(cells(r)) + " |" for r in rows]
    out += [
        "",
        f"{header()}; medians of up to {rounds} alternating pairs per row "
        "(fewer for the large files), "
        f"{took:.0f} s in all. {' '.join(notes)}",
    ]
    return "\n".join(out)


def plain(rows: list[Row], notes: list[str], rounds: int, took: float) -> str:
    table = [["task", "credchain", "anchor", "", "ratio", "goal"], *map(cells, rows)]
    widths = [min(max(len(r[i]) for r in table), 60) for i in range(6)]
    out = [header(), ""]
    for r in table:
        out.append("  ".join(r[i][: widths[i]].ljust(widths[i]) for i in range(6)).rstrip())
    out += ["", *notes, f"(up to {rounds} alternating pairs per row, {took:.0f} s)"]
    return "\n".join(out)


def update_docs(text: str) -> None:
    doc = DOCS.read_text()
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"{DOCS} has no {BEGIN} ... {END} section")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def compile_all() -> None:
    """Write credchain's bytecode first, as installing a wheel does (botocore's is already there).

    Without it, an editable checkout run under ``PYTHONDONTWRITEBYTECODE``
    compiles credchain's sources in every fresh process, and measures that.
    """
    import compileall

    import credchain

    compileall.compile_dir(Path(credchain.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11, help="pairs per fast row")
    parser.add_argument("--quick", action="store_true", help="smaller files, fewer pairs")
    parser.add_argument(
        "--profile-pairs", type=int, default=7, help="pairs for 10,000 profiles (half for 50,000)"
    )
    parser.add_argument("--markdown", action="store_true", help="print Markdown")
    parser.add_argument("--update-docs", action="store_true", help=f"rewrite {DOCS.name}")
    args = parser.parse_args()
    rounds = 5 if args.quick else args.rounds
    compile_all()
    start = time.perf_counter()
    rows, notes = measure(rounds, args.quick, args.profile_pairs)
    took = time.perf_counter() - start
    if args.markdown or args.update_docs:
        text = markdown(rows, notes, rounds, took)
        if args.update_docs:
            update_docs(text)
        print(text)
    else:
        print(plain(rows, notes, rounds, took))


if __name__ == "__main__":
    main()
