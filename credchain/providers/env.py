"""``env``: credentials in environment variables — mirrors ``botocore.credentials.EnvProvider``.

Reads ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN`` /
``AWS_SECURITY_TOKEN``, ``AWS_CREDENTIAL_EXPIRATION`` and ``AWS_ACCOUNT_ID``.
Found when ``AWS_ACCESS_KEY_ID`` is set and not empty (botocore treats a blank
value as unset); a missing or blank secret key is botocore's
``PartialCredentialsError``; an unparseable expiry raises dateutil's error.
An explicit profile removes this provider from botocore's chain (``disabled``).
"""

from __future__ import annotations

from typing import ClassVar

from credchain._context import Context
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding, error

ACCESS_KEY = "AWS_ACCESS_KEY_ID"
SECRET_KEY = "AWS_SECRET_ACCESS_KEY"
TOKENS = ("AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN")
EXPIRY = "AWS_CREDENTIAL_EXPIRATION"
SOURCE = f"{ACCESS_KEY}, {SECRET_KEY}"


@record
class EnvProvider:
    """Inspector for botocore's ``EnvProvider``."""

    METHOD: ClassVar[str] = "env"
    CANONICAL_NAME: ClassVar[str] = "Environment"

    def inspect(self, ctx: Context, profile: str) -> Finding:
        env = ctx.env
        access_key = env.get(ACCESS_KEY, "")
        if not access_key:
            state = "is empty" if ACCESS_KEY in env else "is not set"
            return Finding(Status.NOT_FOUND, SOURCE, f"{ACCESS_KEY} {state}.")
        ctx.key_ids.add(access_key)
        secret = env.get(SECRET_KEY, "")
        if not secret:
            from botocore.exceptions import PartialCredentialsError

            state = "empty" if SECRET_KEY in env else "not set"
            return error(
                PartialCredentialsError(provider=self.METHOD, cred_var=SECRET_KEY),
                SOURCE,
                f"{ACCESS_KEY} is set but {SECRET_KEY} is {state}: botocore stops here.",
                access_key=access_key,
                fix=f"set {SECRET_KEY}, or unset {ACCESS_KEY}",
            )
        ctx.secrets.add(secret)
        token = next((env[t] for t in TOKENS if env.get(t)), None)
        if token:
            ctx.secrets.add(token)
        kind = "temporary (session token set)" if token else "long-term"
        expiry = env.get(EXPIRY, "")
        expires_at = None
        usable: bool | None = True
        usable_reason = None
        if expiry:
            from credchain._expiry import aware, is_expired, parse, relative

            try:
                parsed = parse(expiry)
            except Exception as e:
                return error(
                    e,
                    f"{SOURCE}, {EXPIRY}",
                    f"{EXPIRY} is not a date botocore can parse.",
                    access_key=access_key,
                    fix=f"fix or unset {EXPIRY}",
                )
            expires_at = aware(parsed)
            if expires_at is None:
                # botocore compares it with an aware "now" at first use: TypeError.
                usable = False
                usable_reason = f"{EXPIRY} has no time zone, which botocore cannot compare"
            elif is_expired(expires_at, ctx.now()):
                # botocore re-reads the variables at first use and raises while still expired.
                usable = False
                usable_reason = f"they {relative(expires_at, ctx.now())} ({EXPIRY})"
        names = [ACCESS_KEY, SECRET_KEY, *[t for t in TOKENS if env.get(t)][:1]]
        reason = f"{kind} credentials in the environment variables {', '.join(names)}."
        if usable_reason:
            reason += f" But {usable_reason}: the first call fails."
        return Finding(
            Status.FOUND,
            ", ".join(names),
            reason,
            access_key=access_key,
            fix=f"unset {', '.join(n for n in (*names, EXPIRY) if n in env)}",
            expires_at=expires_at,
            usable=usable,
            usable_reason=usable_reason,
        )
