"""How long ``credchain profiles`` takes on 10,000 profiles, against looping botocore sessions.

Usage::

    python benchmarks/bench_profiles.py [--profiles 10000] [--sample 20] [--repeat 3]

It writes the profiles into a throwaway HOME (static keys in the credentials
file, role chains, SSO and config-file keys), removes every ``AWS_*`` variable,
disables the instance metadata service, then times:

- ``list_profiles()``: the logic of ``credchain profiles`` (best of ``--repeat``);
- the table rendering, and the whole command in a fresh process;
- ``credchain.explain(profile=p, network=False)`` per profile, on a sample;
- ``botocore.session.Session(profile=p).get_credentials()`` per profile, on a
  sample, extrapolated to every profile (each session parses both files again).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def write_profiles(home: Path, count: int) -> list[str]:
    aws = home / ".aws"
    aws.mkdir(parents=True)
    config, credentials = [], []
    names = ["default"]
    credentials.append(
        "[default]\naws_access_key_id = AKIABENCHDEFEXAMPLE0\n"
        "aws_secret_access_key = SECRET-NEVER-PRINTED-default\n"
    )
    for i in range(count - 1):
        name = f"p{i:05d}"
        names.append(name)
        kind = i % 4
        if kind == 0:
            credentials.append(
                f"[{name}]\naws_access_key_id = AKIABENCH{i:05d}KEYS\n"
                f"aws_secret_access_key = SECRET-NEVER-PRINTED-{i:05d}\n"
            )
        elif kind == 1:
            config.append(
                f"[profile {name}]\nrole_arn = arn:aws:iam::123456789012:role/Role{i}\n"
                "source_profile = default\nregion = us-east-1\n"
            )
        elif kind == 2:
            config.append(
                f"[profile {name}]\nsso_session = corp\nsso_account_id = 123456789012\n"
                f"sso_role_name = Admin{i}\n"
            )
        else:
            config.append(
                f"[profile {name}]\naws_access_key_id = AKIABENCH{i:05d}CONF\n"
                f"aws_secret_access_key = SECRET-NEVER-PRINTED-c{i:05d}\n"
            )
    config.append(
        "[sso-session corp]\nsso_start_url = https://corp.example.com/start\n"
        "sso_region = us-east-1\n"
    )
    (aws / "config").write_text("\n".join(config))
    (aws / "credentials").write_text("\n".join(credentials))
    (aws / "credentials").chmod(0o600)
    return names


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def per_profile(fn: Callable[[str], object], names: list[str]) -> float:
    start = time.perf_counter()
    for name in names:
        fn(name)
    return (time.perf_counter() - start) / len(names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=20, help="profiles timed one by one")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        names = write_profiles(home, args.profiles)
        for name in [n for n in os.environ if n.startswith(("AWS_", "BOTO_"))]:
            del os.environ[name]
        os.environ.update(HOME=str(home), AWS_EC2_METADATA_DISABLED="true")
        size = sum(f.stat().st_size for f in (home / ".aws").iterdir()) / 1e6
        print(f"{len(names)} profiles, {size:.1f} MB of files, Python {sys.version.split()[0]}")

        import botocore.session

        from credchain import explain
        from credchain._profiles import list_profiles, render

        report = list_profiles()
        assert len(report.rows) == len(names)
        listing = best(list_profiles, args.repeat)
        rendering = best(lambda: render(report), args.repeat)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "credchain", "profiles"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        command = time.perf_counter() - start

        step = max(len(names) // args.sample, 1)
        sample = names[::step][: args.sample]
        explain_each = per_profile(lambda p: explain(profile=p, network=False), sample)
        botocore_each = per_profile(
            lambda p: botocore.session.Session(profile=p).get_credentials(), sample
        )

    n = len(names)
    print(f"list_profiles() (best of {args.repeat}):      {listing:8.2f} s")
    print(f"render the table:                   {rendering:8.2f} s")
    print(f"`credchain profiles`, fresh process: {command:8.2f} s")
    print(
        f"explain(profile=p) one by one:      {explain_each * n:8.0f} s "
        f"({explain_each * 1000:.0f} ms each, {len(sample)} timed)"
    )
    print(
        f"botocore Session(profile=p) loop:   {botocore_each * n:8.0f} s "
        f"({botocore_each * 1000:.0f} ms each, {len(sample)} timed)"
    )
    print(f"speed-up over botocore:             {botocore_each * n / listing:8.0f} x")


if __name__ == "__main__":
    main()
