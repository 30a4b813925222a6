"""A third-party inspector distribution, as a company would ship one."""

from __future__ import annotations

from typing import ClassVar

import attrs

from credchain.providers import Context, Finding, Status


class VaultProvider:
    """A botocore provider an application inserts into its session's resolver."""

    METHOD = "example-vault"
    CANONICAL_NAME = "customExampleVault"

    def load(self) -> None:
        raise AssertionError("credchain must never call load() on an inspected provider")


@attrs.frozen
class VaultInspector:
    """Inspects VaultProvider from configuration alone: the EXAMPLE_VAULT_ADDR variable."""

    METHOD: ClassVar[str] = "example-vault"

    def inspect(self, ctx: Context, profile: str) -> Finding:
        addr = ctx.env.get("EXAMPLE_VAULT_ADDR")
        if not addr:
            return Finding(Status.NOT_FOUND, "EXAMPLE_VAULT_ADDR", "EXAMPLE_VAULT_ADDR is not set.")
        return Finding(Status.FOUND, f"EXAMPLE_VAULT_ADDR={addr}", f"the vault at {addr}.")
