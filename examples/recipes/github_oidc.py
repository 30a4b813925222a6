"""GitHub Actions with OIDC: botocore exchanges the job's token for the role.

The workflow writes the job's OIDC token to a file and sets
``AWS_WEB_IDENTITY_TOKEN_FILE`` and ``AWS_ROLE_ARN``; botocore's
``assume-role-with-web-identity`` provider calls
``sts:AssumeRoleWithWebIdentity`` with it at first use. This step fails the job
unless that is what happens and STS confirms the role:

    python github_oidc.py "$AWS_ROLE_ARN"
"""

from __future__ import annotations

import os
import sys

import credchain


def main(role: str) -> int:
    report = credchain.explain(network=False)  # a hosted runner has no metadata service
    print(report)
    winner = report.winner
    if winner is None or winner.method != "assume-role-with-web-identity":
        print("\nbotocore does not use the workflow's OIDC role: check the env of this step")
        return 1
    if winner.usable is False:
        print(f"\nthe web identity token will not work: {winner.usable_reason}")
        return 1
    try:
        identity = credchain.assert_role(role)  # AssumeRoleWithWebIdentity, GetCallerIdentity
    except credchain.RoleAssertionError as e:
        print(f"\n{e}")
        return 1
    print(f"\nOK: {identity}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.environ["AWS_ROLE_ARN"]))
