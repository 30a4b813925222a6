"""``assume-role-with-web-identity``: mirrors ``AssumeRoleWithWebIdentityProvider``.

Reads ``AWS_WEB_IDENTITY_TOKEN_FILE``, ``AWS_ROLE_ARN`` and ``AWS_ROLE_SESSION_NAME``
(ignored under an explicit profile and in source-profile chains), else the
profile's ``web_identity_token_file``, ``role_arn`` and ``role_session_name``.
botocore commits as soon as a token file is named — it defers the STS call,
so a missing token file or a refusing STS fails only at first use; a token file
without a role ARN is ``InvalidConfigError``. The token is never read or shown:
only whether the file exists and is readable.
"""

from __future__ import annotations

from typing import Any, ClassVar

from credchain._context import Context
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding, error

CONFIG_TO_ENV = {
    "web_identity_token_file": "AWS_WEB_IDENTITY_TOKEN_FILE",
    "role_session_name": "AWS_ROLE_SESSION_NAME",
    "role_arn": "AWS_ROLE_ARN",
}

_TOKEN_FILE_KEY = frozenset({"web_identity_token_file"})


@record
class AssumeRoleWithWebIdentityProvider:
    """Inspector for botocore's ``AssumeRoleWithWebIdentityProvider``."""

    METHOD: ClassVar[str] = "assume-role-with-web-identity"
    CANONICAL_NAME: ClassVar[None] = None

    disable_env_vars: bool = False

    @property
    def absent_without(self) -> frozenset[str] | None:
        """Keys of the profile without any of which :meth:`absent` is True (None: the
        environment may name a token file)."""
        return None if not self.disable_env_vars else _TOKEN_FILE_KEY

    def absent(self, ctx: Context, profile: str) -> bool:
        """Whether :meth:`inspect` would say ``not-found`` (listings skip it then)."""
        env_key = CONFIG_TO_ENV["web_identity_token_file"]
        if not self.disable_env_vars and env_key in ctx.env:
            return not ctx.env[env_key]
        try:
            return not ctx.profiles().get(profile, {}).get("web_identity_token_file")
        except Exception:
            return False

    def inspect(self, ctx: Context, profile: str) -> Finding:
        where: dict[str, str] = {}

        def get(key: str) -> Any:
            # botocore: the environment first (unless disabled), then the profile.
            env_key = CONFIG_TO_ENV[key]
            if not self.disable_env_vars and env_key in ctx.env:
                where[key] = env_key
                return ctx.env[env_key]
            value = ctx.profiles().get(profile, {}).get(key)
            if value is not None:
                where[key] = f"{key} in profile {profile}"
            return value

        try:
            token_path = get("web_identity_token_file")
            if not token_path:
                looked = "profile " + profile
                if not self.disable_env_vars:
                    looked = f"AWS_WEB_IDENTITY_TOKEN_FILE or {looked}"
                return Finding(
                    Status.NOT_FOUND,
                    "AWS_WEB_IDENTITY_TOKEN_FILE" if not self.disable_env_vars else None,
                    f"no web identity token file is configured ({looked}).",
                )
            role_arn = get("role_arn")
        except Exception as e:
            return error(e, None, "botocore fails while reading the configuration here.")
        source = where["web_identity_token_file"]
        if not role_arn:
            from botocore.exceptions import InvalidConfigError

            return error(
                InvalidConfigError(
                    error_msg="The provided profile or the current environment is configured "
                    "to assume role with web identity but has no role ARN configured."
                ),
                source,
                f"a web identity token file is set ({source}) but no role ARN "
                "(AWS_ROLE_ARN or role_arn): botocore raises InvalidConfigError.",
                fix="set AWS_ROLE_ARN / role_arn, or unset the token file",
            )
        token_state, usable = _token_state(ctx, str(token_path))
        return Finding(
            Status.FOUND,
            f"{source} ({token_path})",
            f"web identity for {role_arn} from {source}; botocore calls "
            f"sts:AssumeRoleWithWebIdentity at first use. {token_state}",
            role_arn=str(role_arn),
            fix=f"unset {source}" if source.startswith("AWS_") else f"remove {source}",
            usable=usable,
            usable_reason=None
            if usable
            else f"its web identity token file {token_path} "
            "is missing or unreadable: the first call fails",
        )


def _token_state(ctx: Context, path: str) -> tuple[str, bool]:
    """A sentence on the token file, and whether it is there to be read at first use."""
    # botocore reads the token only at first use: credchain looks (stat) and never opens it.
    if not ctx.exists(path):
        return f"The token file {path} does not exist: that first use will fail.", False
    if not ctx.is_readable_file(path):
        return f"The token file {path} is not a readable file: that first use will fail.", False
    return f"The token file {path} exists and is readable (not read).", True
