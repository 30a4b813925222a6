"""AWS Lambda: verify the execution role once, at cold start.

Lambda hands the execution role's credentials to the function as environment
variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``) next to ``AWS_LAMBDA_FUNCTION_NAME``; the ``env``
provider wins. A function packaged with a credentials file or code that sets
other keys is caught here, before the first request. Set
``CREDCHAIN_REQUIRE_ROLE`` on the function (the execution role's name).
"""

from __future__ import annotations

import os
from typing import Any

import credchain

# Cold start: sts:GetCallerIdentity once; a mismatch fails the init (the error is logged).
# network=False: a function has no instance metadata service to probe.
REPORT = credchain.explain(network=False)
IDENTITY = credchain.check_report(
    REPORT,
    os.environ.get("CREDCHAIN_REQUIRE_ROLE", "*"),
    identity=credchain.identify(report=REPORT),
)


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Answer with who the function runs as (no secret: the key id is masked)."""
    winner = REPORT.winner
    return {
        "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "provider": winner.method if winner else None,
        "access_key": winner.access_key if winner else None,
        "arn": IDENTITY.arn,
        "verified": IDENTITY.verified,
    }


if __name__ == "__main__":  # a local smoke test: python lambda_function.py
    import json

    print(json.dumps(handler({}, None)))
