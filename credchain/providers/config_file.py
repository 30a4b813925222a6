"""``config-file``: static keys in the config file — mirrors botocore's ``ConfigProvider``.

Reads the config file (``AWS_CONFIG_FILE``, default ``~/.aws/config``) with
botocore's ``load_config``, so the section is ``[default]`` or
``[profile NAME]``. Found when that profile has ``aws_access_key_id``; a key
id without its secret is botocore's ``PartialCredentialsError``.
"""

from __future__ import annotations

from typing import ClassVar

from credchain._context import Context
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding, error
from credchain.providers._static import ACCESS_KEY, static_keys


def section_name(profile: str) -> str:
    return "[default]" if profile == "default" else f"[profile {profile}]"


@record
class ConfigProvider:
    """Inspector for botocore's ``ConfigProvider``."""

    METHOD: ClassVar[str] = "config-file"
    CANONICAL_NAME: ClassVar[str] = "SharedConfig"
    #: Keys of the profile (``Session.full_config``'s section) without any of which
    #: :meth:`absent` is True: a listing tests only profiles holding one of them.
    absent_without: ClassVar[frozenset[str]] = frozenset({ACCESS_KEY})

    def absent(self, ctx: Context, profile: str) -> bool:
        """Whether :meth:`inspect` would say ``not-found`` (listings skip it then)."""
        try:
            profiles = ctx.config_file_profiles(ctx.var("config_file"))["profiles"]
        except Exception as e:  # no file: not-found; one botocore can't parse: an error
            from botocore.exceptions import ConfigNotFound

            return isinstance(e, ConfigNotFound)
        return profile not in profiles or ACCESS_KEY not in profiles[profile]

    def inspect(self, ctx: Context, profile: str) -> Finding:
        raw = ctx.var("config_file")
        path = ctx.expand(raw)
        try:
            profiles = ctx.config_file_profiles(raw)["profiles"]
        except Exception as e:
            from botocore.exceptions import ConfigNotFound

            if isinstance(e, ConfigNotFound):
                return Finding(Status.NOT_FOUND, path, f"there is no config file at {path}.")
            return error(e, path, f"botocore cannot parse {path}.", fix=f"fix the syntax of {path}")
        section = section_name(profile)
        if profile not in profiles:
            return Finding(Status.NOT_FOUND, path, f"{path} has no {section} section.")
        return static_keys(self.METHOD, ctx, profiles[profile], path, section, f"{path} {section}")
