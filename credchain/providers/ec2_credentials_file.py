"""``ec2-credentials-file``: mirrors ``botocore.credentials.OriginalEC2Provider``.

Reads the file named by ``AWS_CREDENTIAL_FILE`` (the original EC2 command line
tools' format: ``AWSAccessKeyId=…`` / ``AWSSecretKey=…`` lines) with botocore's
``parse_key_val_file``. Unlike the other file providers, botocore raises
``ConfigNotFound`` when the variable names a file it can't open, and a plain
``KeyError`` when the key id has no secret.
"""

from __future__ import annotations

from typing import ClassVar

from credchain._context import Context
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding, error

ENV = "AWS_CREDENTIAL_FILE"
ACCESS_KEY = "AWSAccessKeyId"
SECRET_KEY = "AWSSecretKey"


@record
class OriginalEC2Provider:
    """Inspector for botocore's ``OriginalEC2Provider``."""

    METHOD: ClassVar[str] = "ec2-credentials-file"
    CANONICAL_NAME: ClassVar[str] = "Ec2Config"

    def inspect(self, ctx: Context, profile: str) -> Finding:
        if ENV not in ctx.env:
            return Finding(Status.NOT_FOUND, ENV, f"{ENV} is not set.")
        raw = ctx.env[ENV]
        # botocore expands only "~" here (os.path.expanduser), not $VARS.
        path = ctx.expand(raw) if raw.startswith("~") and "$" not in raw else raw
        source = f"{ENV}={path}"
        try:
            creds = ctx.key_val_file(path, what=ENV)
        except Exception as e:
            return error(
                e,
                source,
                f"{ENV} names {path!r}, which botocore cannot read: it raises here.",
                fix=f"unset {ENV} or point it at a readable file",
            )
        if ACCESS_KEY not in creds:
            return Finding(Status.NOT_FOUND, source, f"{path} has no {ACCESS_KEY} line.")
        access_key = creds[ACCESS_KEY]
        ctx.key_ids.add(access_key)
        if SECRET_KEY not in creds:
            return error(
                KeyError(SECRET_KEY),
                source,
                f"{path} has {ACCESS_KEY} but no {SECRET_KEY}: botocore raises KeyError.",
                access_key=access_key,
                fix=f"add {SECRET_KEY} to {path} or unset {ENV}",
            )
        ctx.secrets.add(creds[SECRET_KEY])
        return Finding(
            Status.FOUND,
            source,
            f"long-term keys in {path} (named by {ENV}).",
            access_key=access_key,
            fix=f"unset {ENV}",
            usable=True,
        )
