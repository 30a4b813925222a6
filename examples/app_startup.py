"""An application's start-up check: log the chain, then demand the role operators set.

Operators set CREDCHAIN_REQUIRE_ROLE (and optionally CREDCHAIN_REQUIRE_ACCOUNT) in
the service's environment; without them the check does nothing.
"""

import logging

import credchain

logging.basicConfig(level=logging.INFO)
credchain.require_role(exit=True)  # SystemExit(1) with a readable message on mismatch
print("starting the application")
