"""Static keys in an INI section: shared by the credentials-file and config-file inspectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credchain._context import Context
from credchain._report import Status
from credchain.providers import Finding, error

ACCESS_KEY = "aws_access_key_id"
SECRET_KEY = "aws_secret_access_key"
TOKENS = ("aws_security_token", "aws_session_token")


def static_keys(
    method: str,
    ctx: Context,
    values: Mapping[str, Any],
    path: str,
    section: str,
    source: str,
) -> Finding:
    """botocore's ``_extract_creds_from_mapping`` on one profile section."""
    if ACCESS_KEY not in values:
        has = sorted(k for k in values if not k.startswith("aws_secret"))
        what = f"only {', '.join(has)}" if has else "no keys"
        return Finding(
            Status.NOT_FOUND,
            source,
            f"{section} in {path} has no {ACCESS_KEY} ({what}).",
        )
    access_key = values[ACCESS_KEY]
    if isinstance(access_key, str):
        ctx.key_ids.add(access_key)
    line = ctx.line_of(path, section.strip("[]"), ACCESS_KEY)
    at = f"{source}, line {line}" if line else source
    if SECRET_KEY not in values:
        from botocore.exceptions import PartialCredentialsError

        return error(
            PartialCredentialsError(provider=method, cred_var=SECRET_KEY),
            at,
            f"{section} in {path} has {ACCESS_KEY} but no {SECRET_KEY}: botocore stops here.",
            access_key=access_key if isinstance(access_key, str) else None,
            fix=f"add {SECRET_KEY} to {section} in {path}, or remove {ACCESS_KEY}",
        )
    token = None
    for name in TOKENS:
        if name in values:
            token = values[name]
            break
    kind = "temporary keys (session token)" if token else "long-term keys"
    return Finding(
        Status.FOUND,
        at,
        f"{kind} in {section} of {path}.",
        access_key=access_key if isinstance(access_key, str) else None,
        fix=f"remove {ACCESS_KEY} / {SECRET_KEY} from {section} in {path}",
        usable=True,
    )
