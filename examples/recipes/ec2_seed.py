"""The seed case on EC2: keys in ~/.aws/credentials shadow the instance role.

Run it on the instance, as the user the application runs as:

    python ec2_seed.py ExampleInstanceRole          # diagnose, then verify with STS
    python ec2_seed.py ExampleInstanceRole --fix    # also remove the keys first

Exit status 0 when botocore uses the role (checked with sts:GetCallerIdentity),
1 otherwise.
"""

from __future__ import annotations

import configparser
import datetime
import os
import sys
from pathlib import Path

import credchain

KEY_NAMES = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


def remove_keys(path: Path, profile: str) -> Path:
    """Move the keys of [profile] out of the credentials file; return the backup's path."""
    parser = configparser.RawConfigParser()
    parser.read(path)
    backup = path.with_name(f"{path.name}.removed-{datetime.date.today():%Y%m%d}")
    backup.touch(mode=0o600)
    backup.write_text(path.read_text())  # keep them until the key is deactivated in IAM
    for key in KEY_NAMES:
        parser.remove_option(profile, key)
    if not parser.options(profile):
        parser.remove_section(profile)
    with path.open("w") as f:
        parser.write(f)
    return backup


def main(role: str, fix: bool) -> int:
    # 1. Diagnose: which credentials botocore would use, and what they shadow.
    report = credchain.explain()
    print(report)
    shadowed = [p.method for p in report.shadowed]
    keys_win = report.winner is not None and report.winner.method == "shared-credentials-file"

    # 2. Fix: remove the keys that shadow the instance role.
    if keys_win and "iam-role" in shadowed:
        if not fix:
            print("\nthe instance role is shadowed; rerun with --fix to remove the keys")
            return 1
        path = Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"))
        backup = remove_keys(path.expanduser(), report.profile)
        print(f"\nremoved the keys of [{report.profile}] (copy in {backup});")
        print("deactivate that access key in IAM, then delete the copy")

    # 3. Verify with STS: sts:GetCallerIdentity with the credentials botocore now picks.
    try:
        identity = credchain.assert_role(role)
    except credchain.RoleAssertionError as e:
        print(f"\n{e}")
        return 1
    print(f"\nOK: {identity}")
    return 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--fix"]
    sys.exit(main(args[0] if args else "ExampleInstanceRole", "--fix" in sys.argv[1:]))
