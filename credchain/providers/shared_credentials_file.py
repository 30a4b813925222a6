"""``shared-credentials-file``: mirrors ``botocore.credentials.SharedCredentialProvider``.

Reads the credentials file (``AWS_SHARED_CREDENTIALS_FILE``, default
``~/.aws/credentials``) with botocore's own INI loader; the section is the bare
profile name (``[dev]``, not ``[profile dev]``). Found when the section has
``aws_access_key_id``; a key id without ``aws_secret_access_key`` is botocore's
``PartialCredentialsError``.
"""

from __future__ import annotations

from typing import ClassVar

from credchain._context import Context
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding
from credchain.providers._static import ACCESS_KEY, static_keys


@record
class SharedCredentialProvider:
    """Inspector for botocore's ``SharedCredentialProvider``."""

    METHOD: ClassVar[str] = "shared-credentials-file"
    CANONICAL_NAME: ClassVar[str] = "SharedCredentials"
    #: Keys of the profile (``Session.full_config``'s section) without any of which
    #: :meth:`absent` is True: a listing tests only profiles holding one of them.
    absent_without: ClassVar[frozenset[str]] = frozenset({ACCESS_KEY})

    def absent(self, ctx: Context, profile: str) -> bool:
        """Whether :meth:`inspect` would say ``not-found`` (listings skip it then)."""
        try:
            sections = ctx.ini(ctx.var("credentials_file"))
        except Exception as e:  # no file: not-found; one botocore can't parse: an error
            from botocore.exceptions import ConfigNotFound

            return isinstance(e, ConfigNotFound)
        return profile not in sections or ACCESS_KEY not in sections[profile]

    def inspect(self, ctx: Context, profile: str) -> Finding:
        raw = ctx.var("credentials_file")
        path = ctx.expand(raw)
        try:
            sections = ctx.ini(raw)
        except Exception as e:
            from botocore.exceptions import ConfigNotFound

            from credchain.providers import error

            if isinstance(e, ConfigNotFound):
                return Finding(Status.NOT_FOUND, path, f"there is no credentials file at {path}.")
            return error(e, path, f"botocore cannot parse {path}.", fix=f"fix the syntax of {path}")
        source = f"{path} [{profile}]"
        if profile not in sections:
            return Finding(Status.NOT_FOUND, path, f"{path} has no [{profile}] section.")
        return static_keys(self.METHOD, ctx, sections[profile], path, f"[{profile}]", source)
