"""ECS task role or EKS Pod Identity: check that the container's role wins.

Run it in the container (or as its entrypoint's first step):

    python container_role.py OrdersTaskRole

botocore reaches the task role (ECS) or the pod's role (EKS Pod Identity)
through the container credentials endpoint (``container-role``), which comes
after the environment, the AWS config files and ``credential_process``: keys
baked into the image or the task definition silently win over it. Exit status
0 when the container role is in use and STS confirms the role, 1 otherwise.
"""

from __future__ import annotations

import sys

import credchain


def main(role: str) -> int:
    report = credchain.explain()
    winner = report.winner.method if report.winner else None
    if winner != "container-role":
        print(report)
        print(f"\nthe container role is not in use: botocore uses {winner or 'nothing'}")
        return 1
    try:
        identity = credchain.assert_role(role)  # sts:GetCallerIdentity, then match the role
    except credchain.RoleAssertionError as e:
        print(e)
        return 1
    print(f"OK: {identity} from {report.winner.source}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "*"))
