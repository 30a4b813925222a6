"""A developer laptop on IAM Identity Center: is my SSO profile ready to use?

    python laptop_sso.py dev

Offline (no sign-in, no token refresh, no network): says which role the
profile resolves to, when its SSO token expires, and what to run when it has
expired or is missing. Exit status 0 when the profile will work, 1 otherwise.
"""

from __future__ import annotations

import sys

import credchain


def main(profile: str) -> int:
    report = credchain.explain(profile=profile, network=False)
    winner = report.winner
    if report.raises or winner is None:
        print(report)
        return 1
    if winner.method != "sso":
        print(f"[{profile}] does not use IAM Identity Center: botocore uses {winner.method}")
        return 1
    role = winner.role_name or winner.role_arn
    if winner.usable is False:
        print(f"[{profile}] {role}: {winner.usable_reason}")
        print(f"run: aws sso login --profile {profile}")
        return 1
    print(f"[{profile}] {role} in account {winner.account}, token valid until {winner.expires_at}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "default"))
