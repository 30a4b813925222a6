"""Masking and scrubbing: the only way text that may hold a secret leaves credchain."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Access key ids (AKIA…, ASIA…, and the other IAM unique-id prefixes) anywhere in free text.
_KEY_ID = re.compile(r"\b(A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASCA)[A-Z0-9]{12,}\b")
# Anything that looks like a secret access key or a long token (40+ base64-ish characters).
_LONG_SECRET = re.compile(r"[A-Za-z0-9/+=_\-]{40,}")


def mask_key(key: str | None) -> str | None:
    """Keep the first 4 and the last 4 characters of an access key id, star the rest."""
    if key is None:
        return None
    key = str(key)
    n = len(key)
    return "".join(c if i < 4 or i >= n - 4 else "*" for i, c in enumerate(key))


def scrub(text: str, secrets: Iterable[str | None] = (), key_ids: Iterable[str] = ()) -> str:
    """Remove known secrets from text, and mask known and key-id-shaped access key ids."""
    for key_id in sorted(set(key_ids), key=len, reverse=True):
        if len(key_id) > 8 and key_id in text:
            text = text.replace(key_id, mask_key(key_id) or "")
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= 6 and secret in text:
            text = text.replace(secret, "****")
    return _KEY_ID.sub(lambda m: mask_key(m.group(0)) or "", text)


def scrub_foreign(
    text: str, secrets: Iterable[str | None] = (), key_ids: Iterable[str] = ()
) -> str:
    """``scrub``, and also hide secret-shaped words: for text credchain did not write
    (a process's stderr, an endpoint's reply)."""

    def hide(m: re.Match[str]) -> str:
        word = m.group(0)
        if _LONG_SECRET.fullmatch(word) and not word.startswith(("/", "http")):
            return "****"
        return word

    return re.sub(r"\S+", hide, scrub(text, secrets, key_ids))


def redact_command(argv: list[str]) -> str:
    """Show a credential_process command: the program, and arguments with values hidden.

    Flags (``--profile``) stay readable; anything else after the program is
    replaced, since commands often carry tokens or passwords as arguments.
    """
    if not argv:
        return ""
    shown = [argv[0]]
    for arg in argv[1:]:
        if arg.startswith("-") and "=" not in arg:
            shown.append(arg)
        elif arg.startswith("-") and "=" in arg:
            shown.append(arg.split("=", 1)[0] + "=***")
        else:
            shown.append("***")
    return " ".join(shown)
