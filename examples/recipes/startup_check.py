"""A start-up check in front of any command: a container entrypoint or a systemd unit.

    credchain-entrypoint.py <command> [args...]

Logs the credential chain, demands the role in ``CREDCHAIN_REQUIRE_ROLE`` (and
the account in ``CREDCHAIN_REQUIRE_ACCOUNT``, if set), then replaces itself with
the command. On a mismatch it exits 1 with a readable message and the command
never starts. Without ``CREDCHAIN_REQUIRE_ROLE`` it only starts the command.
"""

from __future__ import annotations

import logging
import os
import sys

import credchain

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: startup_check.py COMMAND [ARGS...]")
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    credchain.require_role(exit=True)  # sts:GetCallerIdentity; SystemExit(1) on mismatch
    os.execvp(sys.argv[1], sys.argv[1:])
