"""``login``: ``aws login`` sessions — mirrors ``botocore.credentials.LoginProvider``.

Reads the profile's ``login_session`` and its token cache entry
(``AWS_LOGIN_CACHE_DIRECTORY`` or ``~/.aws/login/cache/<sha256>.json``).
Without ``botocore[crt]`` botocore raises ``MissingDependencyException`` here
and never reaches the providers below it. With it, botocore loads the cached
token at once (a missing or malformed one raises) and refreshes only later;
credchain reads the same file, never refreshes, never writes.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from credchain import _botocore
from credchain._context import Context
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding, error

REQUIRED = ("accessToken", "refreshToken", "dpopKey", "clientId")


@record
class LoginProvider:
    """Inspector for botocore's ``LoginProvider``."""

    METHOD: ClassVar[str] = "login"
    CANONICAL_NAME: ClassVar[None] = None
    #: Keys of the profile (``Session.full_config``'s section) without any of which
    #: :meth:`absent` is True: a listing tests only profiles holding one of them.
    absent_without: ClassVar[frozenset[str]] = frozenset({"login_session"})

    def absent(self, ctx: Context, profile: str) -> bool:
        """Whether :meth:`inspect` would say ``not-found`` (listings skip it then)."""
        try:
            return "login_session" not in ctx.profiles().get(profile, {})
        except Exception:
            return False

    def inspect(self, ctx: Context, profile: str) -> Finding:
        try:
            profile_config = ctx.profiles().get(profile, {})
        except Exception as e:
            return error(e, None, "botocore fails while loading the configuration here.")
        if "login_session" not in profile_config:
            return Finding(Status.NOT_FOUND, f"profile {profile}", "no login_session is set.")
        source = f"login_session in profile {profile}"
        if not _botocore.has_crt():
            from botocore.exceptions import MissingDependencyException

            return error(
                MissingDependencyException(
                    msg="Using the login credential provider requires an additional "
                    'dependency. You will need to pip install "botocore[crt]" before proceeding.'
                ),
                source,
                f"profile {profile} sets login_session, which needs botocore[crt] (awscrt), "
                "not installed: botocore raises here and never reaches the providers below.",
                fix='pip install "botocore[crt]", or remove login_session',
            )
        try:
            return _cached(ctx, profile_config["login_session"], source)
        except Exception as e:
            return error(e, source, "botocore fails loading the cached login token here.")


def _cached(ctx: Context, session_name: Any, source: str) -> Finding:
    """``LoginCredentialFetcher.load_cached_credentials``, same checks, same exceptions."""
    from botocore.exceptions import LoginTokenLoadError

    if "AWS_LOGIN_CACHE_DIRECTORY" in ctx.env:
        cache_dir = ctx.expand(ctx.env["AWS_LOGIN_CACHE_DIRECTORY"])
    else:
        cache_dir = ctx.expand(ctx.path("~", ".aws", "login", "cache"))
    import hashlib

    key = hashlib.sha256(session_name.encode("utf-8")).hexdigest()
    path = ctx.path(cache_dir, key + ".json")
    relogin = f"run `aws login` (session {session_name})"
    # botocore's JSONFileCache: a regular file (os.path.isfile), then open().read().
    if not ctx.is_file(path):
        e: Exception = LoginTokenLoadError(
            error_msg=f"Unable to load a existing login session for session {session_name}."
        )
        return error(e, path, f"no cached login token at {path}.", fix=relogin)
    try:
        token = json.loads(ctx.read_text(path, what="the login token cache"))
    except (OSError, ValueError):
        return error(KeyError(key), path, f"{path} is not readable JSON.", fix=relogin)
    if token is None:
        e = LoginTokenLoadError(error_msg=f"No login session {session_name} in {path}.")
        return error(e, path, f"{path} holds no token.", fix=relogin)
    missing = [k for k in REQUIRED if k not in token]
    if missing:
        e = LoginTokenLoadError(error_msg=f"missing required fields: {', '.join(missing)}")
        return error(e, path, f"{path} lacks {', '.join(missing)}.", fix=relogin)
    # botocore's _token_to_credentials reads these in this order (KeyError / TypeError).
    access = token["accessToken"]
    access_key = access["accessKeyId"]
    for name in ("secretAccessKey", "sessionToken"):
        ctx.note_value(name, access[name])
    expires = access["expiresAt"]
    access["accountId"]
    ctx.note_value("refreshToken", token.get("refreshToken"))
    ctx.note_value("dpopKey", token.get("dpopKey"))
    from credchain._expiry import aware, is_expired, iso_utc, parse, relative

    parsed = parse(expires)
    stamp = parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    expires_at = aware(parsed)
    usable: bool | None = True
    usable_reason = None
    fix = f"remove login_session from the profile ({source})"
    stop = None
    note = ""
    if expires_at is None:
        usable = False
        usable_reason = "its cached login credentials have an expiry without a time zone"
        fix, stop = relogin, fix
    elif is_expired(expires_at, ctx.now()):
        # LoginProvider refreshes expired credentials with the cached refresh token (one
        # signin call) at first use; whether the sign-in session still allows it is unknown.
        stamp = iso_utc(expires_at)
        usable = None
        usable_reason = (
            f"its cached login credentials {relative(expires_at, ctx.now())}; botocore will "
            "try to refresh them at first use"
        )
        note = f" They expired: if the refresh fails, {relogin}."
    if isinstance(access_key, str):
        ctx.key_ids.add(access_key)
    return Finding(
        Status.FOUND,
        path,
        f"cached `aws login` credentials (expiry {stamp}; botocore refreshes them when due, "
        f"credchain does not).{note}",
        access_key=access_key if isinstance(access_key, str) else None,
        fix=fix,
        stop=stop,
        expires_at=expires_at,
        usable=usable,
        usable_reason=usable_reason,
    )
