"""``boto-config``: the legacy boto2 file — mirrors ``botocore.credentials.BotoProvider``.

Reads ``BOTO_CONFIG`` when set, otherwise ``/etc/boto.cfg`` then ``~/.boto``,
with botocore's INI loader. Found when a ``[Credentials]`` section has
``aws_access_key_id``; a key id without its secret is ``PartialCredentialsError``.
A file without credentials passes on to the next one, as in botocore.
"""

from __future__ import annotations

from typing import ClassVar

from credchain._context import Context
from credchain._record import evolve, record
from credchain._report import Status
from credchain.providers import Finding, error
from credchain.providers._static import static_keys

ENV = "BOTO_CONFIG"
DEFAULT_FILES = ("/etc/boto.cfg", "~/.boto")


@record
class BotoProvider:
    """Inspector for botocore's ``BotoProvider``."""

    METHOD: ClassVar[str] = "boto-config"
    CANONICAL_NAME: ClassVar[str] = "Boto2Config"

    def inspect(self, ctx: Context, profile: str) -> Finding:
        from botocore.exceptions import ConfigNotFound

        locations = [ctx.env[ENV]] if ENV in ctx.env else list(DEFAULT_FILES)
        looked = []
        for raw in locations:
            path = ctx.expand(raw)
            looked.append(path)
            try:
                config = ctx.ini(raw)
            except ConfigNotFound:
                continue
            except Exception as e:
                return error(e, path, f"botocore cannot parse {path}.", fix=f"fix or remove {path}")
            creds = config.get("Credentials")
            if isinstance(creds, dict) and "aws_access_key_id" in creds:
                finding = static_keys(
                    self.METHOD, ctx, creds, path, "[Credentials]", f"{path} [Credentials]"
                )
                if finding.status is Status.FOUND:
                    finding = evolve(finding, fix=f"remove the keys from {path}")
                return finding
        where = " or ".join(looked)
        return Finding(Status.NOT_FOUND, where, f"no [Credentials] keys in {where}.")
