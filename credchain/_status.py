"""Status: what one provider contributes (shared by providers, reports and rendering)."""

from __future__ import annotations

import enum


class Status(str, enum.Enum):
    """What one provider of the chain contributes.

    .. versionadded:: 0.1.0
    """

    FOUND = "found"
    SHADOWED = "shadowed"
    NOT_FOUND = "not-found"
    ERROR = "error"
    DISABLED = "disabled"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value
