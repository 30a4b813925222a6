"""Mutation evidence: break credchain on purpose and see which tests notice.

Not a test module (pytest does not collect it) and not run in CI: it takes
minutes per mutation. Each named mutation below is one deliberate bug in one of
the core promises — the winner, the exception, shadowed providers, the whole
chain, the inspected environment, no side effects, no leaks. For each, the
repository is copied to a temporary folder, the bug is applied there (the
edit must match the source exactly once, so a mutation that no longer applies
says so instead of passing), and the chosen tests run against the copy. A
mutation is *caught* when at least one test fails.

    python tests/mutate.py --list
    python tests/mutate.py                       # every mutation, the default tests
    python tests/mutate.py merge-environment -- tests/test_no_side_effects.py

Prints one line per mutation (caught / SURVIVED, and the failing tests per
file) and a Markdown table at the end; exits 1 if any mutation survived.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TESTS = (
    "tests/test_scenarios.py",
    "tests/test_no_side_effects.py",
    "tests/test_report.py",
    "tests/test_oracle.py",
)


@dataclass(frozen=True)
class Mutation:
    name: str
    promise: str
    path: str
    old: str
    new: str


MUTATIONS = (
    Mutation(
        "drop-not-found-boto-config",
        "the whole chain",
        "credchain/_explain.py",
        "        results.append(result)\n    if undetermined is not None:",
        "        if not (method == 'boto-config' and status is Status.NOT_FOUND):\n"
        "            results.append(result)\n    if undetermined is not None:",
    ),
    Mutation(
        "drop-not-found",
        "the whole chain",
        "credchain/_explain.py",
        "        results.append(result)\n    if undetermined is not None:",
        "        if status is not Status.NOT_FOUND:\n"
        "            results.append(result)\n    if undetermined is not None:",
    ),
    Mutation(
        "merge-environment",
        "env= replaces os.environ",
        "credchain/_explain.py",
        "os.environ if env is None else dict(env),",
        "os.environ if env is None else {**os.environ, **env},",
    ),
    Mutation(
        "winner-last-found",
        "the winner",
        "credchain/_explain.py",
        "    if undetermined is not None:\n        # botocore's answer",
        "    found = [r for r in results if r.status in (Status.FOUND, Status.SHADOWED)]\n"
        "    if winner is not None and found:\n"
        "        winner = found[-1]\n"
        "    if undetermined is not None:\n        # botocore's answer",
    ),
    Mutation(
        "raises-dropped",
        "the exception",
        "credchain/_explain.py",
        "raises, message = finding.raises, finding.message",
        "raises, message = None, finding.message",
    ),
    Mutation(
        "shadowed-as-not-found",
        "shadowed providers",
        "credchain/_explain.py",
        "            status = Status.SHADOWED",
        "            status = Status.NOT_FOUND",
    ),
    Mutation(
        "writes-a-file",
        "no side effects",
        "credchain/_explain.py",
        "    try:\n        report = _walk(",
        "    open(os.path.join(ctx.env.get('HOME') or '/tmp', '.credchain-seen'), 'a').close()\n"
        "    try:\n        report = _walk(",
    ),
    Mutation(
        "secret-not-scrubbed",
        "no leaks",
        "credchain/_mask.py",
        '            text = text.replace(secret, "****")',
        "            pass",
    ),
    Mutation(
        "key-id-not-masked",
        "no leaks",
        "credchain/_mask.py",
        '    return "".join(c if i < 4 or i >= n - 4 else "*" for i, c in enumerate(key))',
        "    return key",
    ),
)


def copy_repository(dst: Path) -> None:
    ignore = shutil.ignore_patterns(
        ".venv", ".git", ".ci", "__pycache__", ".mypy_cache", ".ruff_cache", "_build", ".hypothesis"
    )
    shutil.copytree(ROOT, dst, ignore=ignore, symlinks=True)


def apply(mutation: Mutation, root: Path) -> None:
    path = root / mutation.path
    text = path.read_text()
    count = text.count(mutation.old)
    if count != 1:
        raise SystemExit(f"{mutation.name}: its edit matches {count} times in {mutation.path}")
    path.write_text(text.replace(mutation.old, mutation.new))


def failures(junit: Path) -> list[str]:
    if not junit.exists():
        return []
    failed = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f"{case.get('classname')}::{case.get('name')}")
    return failed


def run(mutation: Mutation, tests: list[str], workers: str) -> tuple[list[str], str]:
    """(failing tests, pytest's last line) with ``mutation`` applied to a copy."""
    with tempfile.TemporaryDirectory(prefix=f"credchain-mutant-{mutation.name}-") as tmp:
        copy = Path(tmp) / "repo"
        copy_repository(copy)
        apply(mutation, copy)
        env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
        # The peer corpora sit beside the real repository, not beside the copy.
        env.setdefault("CREDCHAIN_PEER_SCENARIOS", str(ROOT.parent / "shared" / "peer-scenarios"))
        where = subprocess.run(
            [sys.executable, "-c", "import credchain; print(credchain.__file__)"],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert where.startswith(str(copy)), f"the tests would not import the mutant: {where}"
        junit = Path(tmp) / "junit.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        command += ["-n", workers, f"--junitxml={junit}", *tests]
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
        last = (done.stdout.strip().splitlines() or [""])[-1]
        return failures(junit), last


def by_test(failed: list[str]) -> str:
    """``test_scenarios.test_expected (12), ...``: failing tests counted by test function."""
    names = []
    for name in failed:
        classname, _, function = name.partition("::")
        parts = classname.split(".")
        module = next((p for p in parts if p.startswith("test_")), parts[-1])
        names.append(f"{module}.{function.split('[')[0]}")
    return ", ".join(f"{name} ({n})" for name, n in sorted(Counter(names).items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("-n", "--workers", default="2", help="pytest-xdist workers (default 2)")
    parser.add_argument("--tests", nargs="+", default=list(DEFAULT_TESTS), help="tests to run")
    args = parser.parse_args()
    known = {m.name: m for m in MUTATIONS}
    if args.list:
        for m in MUTATIONS:
            print(f"{m.name:28} {m.promise:26} {m.path}")
        return 0
    unknown = [n for n in args.names if n not in known]
    if unknown:
        parser.error(f"unknown mutation(s): {', '.join(unknown)}")
    chosen = [known[n] for n in args.names] if args.names else list(MUTATIONS)
    rows = []
    for mutation in chosen:
        started = time.monotonic()
        failed, last = run(mutation, args.tests, args.workers)
        verdict = "caught" if failed else "SURVIVED"
        took = time.monotonic() - started
        print(f"{mutation.name}: {verdict} in {took:.0f} s: {last}", flush=True)
        for name in failed[:5]:
            print(f"    {name}", flush=True)
        rows.append((mutation, verdict, len(failed), by_test(failed)))
    print("\n| mutation | promise | verdict | failing tests (by test function) |")
    print("|---|---|---|---|")
    for mutation, verdict, n, files in rows:
        print(f"| {mutation.name} | {mutation.promise} | {verdict} | {n}: {files} |")
    return 1 if any(verdict != "caught" for _, verdict, _, _ in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
