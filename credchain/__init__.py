"""credchain: see which AWS credentials botocore will use, why, and what they shadow.

``explain()`` re-walks botocore's credential provider chain without its side
effects; ``assert_role()`` fails unless the process runs as the expected role.
Nothing heavy is imported here: botocore loads on the first inspection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from credchain._report import ProviderResult, Report, Status

if TYPE_CHECKING:
    from credchain._arn import role_matches
    from credchain._assert_role import assert_role, check_report, require_role
    from credchain._explain import explain
    from credchain._identity import Identity, identify
    from credchain._pluggable import Chain
    from credchain._settings import Endpoint, Setting
    from credchain.exceptions import CredchainError, IdentityError, RoleAssertionError

__all__ = [
    "Chain",
    "CredchainError",
    "Endpoint",
    "Identity",
    "IdentityError",
    "ProviderResult",
    "Report",
    "RoleAssertionError",
    "Setting",
    "Status",
    "__version__",
    "assert_role",
    "check_report",
    "explain",
    "identify",
    "require_role",
    "role_matches",
]

_LAZY = {
    "Chain": "credchain._pluggable",
    "Endpoint": "credchain._settings",
    "Setting": "credchain._settings",
    "explain": "credchain._explain",
    "assert_role": "credchain._assert_role",
    "require_role": "credchain._assert_role",
    "check_report": "credchain._assert_role",
    "role_matches": "credchain._arn",
    "identify": "credchain._identity",
    "Identity": "credchain._identity",
    "CredchainError": "credchain.exceptions",
    "IdentityError": "credchain.exceptions",
    "RoleAssertionError": "credchain.exceptions",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("credchain")
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'credchain' has no attribute {name!r}")
