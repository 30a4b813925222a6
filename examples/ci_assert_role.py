"""A deploy step: refuse to go on unless this job runs as the deploy role.

DEPLOY_ROLE=arn:aws:iam::123456789012:role/ci/Deployer python examples/ci_assert_role.py
"""

import os
import sys

import credchain

try:
    identity = credchain.assert_role(os.environ.get("DEPLOY_ROLE", "Deployer"))
except credchain.RoleAssertionError as e:
    print(e, file=sys.stderr)  # says what is in effect instead, from where, and the fix
    sys.exit(1)
print(f"deploying as {identity.arn}")
