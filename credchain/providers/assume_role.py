"""``assume-role``: ``role_arn`` profiles — mirrors ``botocore.credentials.AssumeRoleProvider``.

Reads the profile's ``role_arn`` (ignored when ``web_identity_token_file`` is also
set), ``source_profile`` or ``credential_source`` (``Environment``,
``Ec2InstanceMetadata``, ``EcsContainer``), ``mfa_serial``, ``external_id``,
``role_session_name`` and ``duration_seconds``. botocore resolves the *source*
credentials at once — walking ``source_profile`` hops through the profile
providers, or asking the named source — and defers ``sts:AssumeRole`` to first
use. credchain walks the same hops with the same checks (both or neither
source set, unknown sources, missing profiles, cycles, self-reference) and
reports every hop; it never calls STS and never prompts for an MFA code.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from credchain._context import Context
from credchain._record import evolve, record
from credchain._report import Status
from credchain.providers import Finding, Provider, error

ROLE_ARN = "role_arn"
WEB_IDENTITY_TOKEN_FILE = "web_identity_token_file"
STATIC_KEYS = ("aws_secret_access_key", "aws_access_key_id")
_STATIC_KEYS = frozenset(STATIC_KEYS)


class _Stop(Exception):
    """A botocore exception somewhere in the hops: ``finding`` says which and where."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding


def has_assume_role_vars(profile: Any) -> bool:
    return ROLE_ARN in profile and WEB_IDENTITY_TOKEN_FILE not in profile


def has_static(profile: Any) -> bool:
    if isinstance(profile, dict):  # one set operation (a section is a dict)
        return not _STATIC_KEYS.isdisjoint(profile)
    return any(k in profile for k in STATIC_KEYS)


@record
class AssumeRoleProvider:
    """Inspector for botocore's ``AssumeRoleProvider``.

    ``sources`` are the inspectors botocore's ``CanonicalNameCredentialSourcer``
    holds (env, container, instance metadata); ``profile_chain`` builds the
    profile providers for a source profile, as ``ProfileProviderBuilder`` does.
    """

    METHOD: ClassVar[str] = "assume-role"
    CANONICAL_NAME: ClassVar[None] = None
    #: Keys of the profile (``Session.full_config``'s section) without any of which
    #: :meth:`absent` is True: a listing tests only profiles holding one of them.
    absent_without: ClassVar[frozenset[str]] = frozenset({ROLE_ARN})

    sources: Sequence[Any]
    profile_chain: Callable[[], Sequence[Provider]]

    def absent(self, ctx: Context, profile: str) -> bool:
        """Whether :meth:`inspect` would say ``not-found`` (listings skip it then)."""
        try:
            return not has_assume_role_vars(ctx.profiles().get(profile, {}))
        except Exception:
            return False

    def inspect(self, ctx: Context, profile: str) -> Finding:
        try:
            profiles = ctx.profiles()
            config = profiles.get(profile, {})
            if not has_assume_role_vars(config):
                why = "no role_arn" if ROLE_ARN not in config else "web_identity_token_file wins"
                return Finding(Status.NOT_FOUND, f"profile {profile}", f"profile {profile}: {why}.")
        except Exception as e:
            return error(e, None, "botocore fails while loading the configuration here.")
        hops: list[str] = []
        walk = _Walk(self, ctx, profiles, [profile], hops)
        try:
            role_arn, notes = walk.assume(profile)
        except _Stop as stop:
            f = stop.finding
            return evolve(f, details=tuple(hops) + f.details)
        except Exception as e:
            return error(e, f"profile {profile}", "botocore fails on this role chain.")
        remove = f"remove role_arn from profile {profile}, or choose another profile"
        usability = walk.usability()
        return Finding(
            Status.FOUND,
            f"role_arn in profile {profile}",
            f"assumes {role_arn} (botocore calls sts:AssumeRole at first use){notes}.",
            role_arn=str(role_arn),
            details=tuple(hops),
            **{"fix": remove, **usability, "stop": remove if "fix" in usability else None},
        )


@record(frozen=False)
class _Walk:
    provider: AssumeRoleProvider
    ctx: Context
    profiles: dict[str, Any]
    visited: list[str]
    hops: list[str]
    source: tuple[str, Finding] | None = None  # (method, finding) at the chain's bottom
    mfa: str | None = None
    count: int = 0  # role_arn hops walked (botocore recurses on each)

    def usability(self) -> dict[str, Any]:
        """``usable`` of the role: its source's, or None when botocore will prompt for MFA."""
        method, f = self.source if self.source is not None else (None, None)
        # The token behind the role's source credentials (SSO, aws login) limits it.
        behind = f.expires_at if f is not None and method in ("sso", "login") else None
        if f is not None and f.usable is False:
            return {
                "usable": False,
                "usable_reason": f"its source credentials ({method}) fail: {f.usable_reason}",
                "expires_at": behind,
                "fix": f.fix,
            }
        if self.mfa is not None:
            return {
                "usable": None,
                "usable_reason": f"botocore will prompt for an MFA code ({self.mfa}) at first use",
                "expires_at": behind,
            }
        if f is not None and f.usable is None:
            return {
                "usable": None,
                "usable_reason": f"its source credentials were not checked: {f.usable_reason}",
                "expires_at": behind,
            }
        return {"usable": True, "expires_at": behind}

    def stop(self, exc: BaseException, source: str, reason: str, fix: str | None = None) -> _Stop:
        return _Stop(error(exc, source, reason, fix=fix))

    def assume(self, name: str) -> tuple[str, str]:
        """botocore's ``_load_creds_via_assume_role``: role config, then source credentials."""
        self.count += 1
        if self.count > max_hops():
            raise RecursionError("maximum recursion depth exceeded")

        profile = self.profiles[name]
        source_profile = profile.get("source_profile")
        role_arn = profile[ROLE_ARN]
        credential_source = profile.get("credential_source")
        mfa_serial = profile.get("mfa_serial")
        duration = profile.get("duration_seconds")
        if duration is not None:
            with contextlib.suppress(ValueError):  # botocore ignores it; a TypeError escapes
                int(duration)
        if credential_source is not None and source_profile is not None:
            from botocore.exceptions import InvalidConfigError

            raise self.stop(
                InvalidConfigError(
                    error_msg=f'The profile "{name}" contains both source_profile and '
                    "credential_source."
                ),
                f"profile {name}",
                f"profile {name} sets both source_profile and credential_source.",
                fix=f"keep only one of them in profile {name}",
            )
        if credential_source is None and source_profile is None:
            from botocore.exceptions import PartialCredentialsError

            raise self.stop(
                PartialCredentialsError(
                    provider="assume-role", cred_var="source_profile or credential_source"
                ),
                f"profile {name}",
                f"profile {name} sets role_arn without source_profile or credential_source.",
                fix=f"add source_profile or credential_source to profile {name}",
            )
        if credential_source is not None:
            self.check_credential_source(name, credential_source)
        else:
            self.check_source_profile(name, source_profile)
        notes = ""
        if mfa_serial is not None:
            self.mfa = str(mfa_serial)
            notes += f"; MFA {mfa_serial} is required: botocore will prompt for a code at first use"
        for key in ("external_id", "duration_seconds", "role_session_name"):
            if profile.get(key) is not None:
                notes += f"; {key} is set"
        self.hops.append(f"profile {name}: role_arn {role_arn}")
        if credential_source is not None:
            notes += self.from_source(name, credential_source)
        else:
            self.visited.append(source_profile)
            notes += self.from_profile(source_profile)
        return str(role_arn), notes

    def check_credential_source(self, parent: str, source: Any) -> None:
        from botocore.exceptions import InvalidConfigError

        names = [s.CANONICAL_NAME for s in self.provider.sources]
        if source not in names:  # botocore's is_supported: case-sensitive
            raise self.stop(
                InvalidConfigError(
                    error_msg=f'The credential source "{source}" referenced in profile '
                    f'"{parent}" is not valid.'
                ),
                f"credential_source in profile {parent}",
                f"credential_source {source!r} in profile {parent} is not one of "
                f"{', '.join(names)}.",
                fix=f"use one of {', '.join(names)}",
            )

    def check_source_profile(self, parent: str, source: Any) -> None:
        where = f"source_profile in profile {parent}"
        if source not in self.profiles:
            from botocore.exceptions import InvalidConfigError

            raise self.stop(
                InvalidConfigError(
                    error_msg=f'The source_profile "{source}" referenced in the profile '
                    f'"{parent}" does not exist.'
                ),
                where,
                f"profile {parent} names source_profile {source}, which does not exist.",
                fix=f"add profile {source} or fix source_profile in profile {parent}",
            )
        if source not in self.visited:
            return
        if source != parent or not has_static(self.profiles[source]):
            from botocore.exceptions import InfiniteLoopConfigError

            chain = " -> ".join([*self.visited, str(source)])
            raise self.stop(
                InfiniteLoopConfigError(source_profile=source, visited_profiles=self.visited),
                where,
                f"source_profile loops: {chain}.",
                fix="break the source_profile cycle",
            )

    def from_source(self, parent: str, name: str) -> str:
        """``CanonicalNameCredentialSourcer.source_credentials``: ask the named provider."""
        from botocore.exceptions import CredentialRetrievalError

        inspector = next(
            s for s in self.provider.sources if str(s.CANONICAL_NAME).lower() == name.lower()
        )
        f = inspector.inspect(self.ctx, parent)
        self.source = (str(inspector.METHOD), f)
        self.hops.append(f"credential_source {name} ({inspector.METHOD}): {f.status}: {f.reason}")
        if f.status is Status.ERROR:
            raise _Stop(f)
        if f.status is Status.UNKNOWN:
            return f"; its source {name} was not checked ({f.reason.rstrip('.')})"
        if f.status is not Status.FOUND:
            raise self.stop(
                CredentialRetrievalError(
                    provider=name,
                    error_msg=f"No credentials found in credential_source referenced in "
                    f"profile {parent}",
                ),
                f"credential_source {name} in profile {parent}",
                f"credential_source {name} in profile {parent} has no credentials: {f.reason}",
                fix=f"make {name} provide credentials, or change credential_source",
            )
        suffix = " (not probed)" if "not probed" in f.reason or "not run" in f.reason else ""
        return f"; source credentials from {name}{suffix}"

    def from_profile(self, name: str) -> str:
        """botocore's ``_resolve_credentials_from_profile``."""
        profile = self.profiles[name]
        if has_static(profile) or not has_assume_role_vars(profile):
            # The same for every role above it: once per inspection (many roles share one).
            key = ("source-profile", id(self.provider), name, self.ctx.reached)
            if key not in self.ctx.memo:
                self.ctx.memo[key] = self.credentials_of(name)
            hop, source, notes, stop = self.ctx.memo[key]
            notes = str(notes)
            if hop is not None:
                self.hops.append(hop)
            if stop is not None:
                raise _Stop(stop)
            if source is not None:
                self.source = source
            return notes
        return self.assume_shared(name)

    def credentials_of(
        self, name: str
    ) -> tuple[str | None, tuple[str, Finding] | None, str, Finding | None]:
        """The profile providers on a source profile that is no role of its own:
        (its hop line, the source found, the notes, or the finding botocore stops at)."""
        from botocore.exceptions import InvalidConfigError

        for inspector in self.provider.profile_chain():
            f = inspector.inspect(self.ctx, name)
            if f.status is Status.NOT_FOUND:
                continue
            hop = f"source_profile {name} ({inspector.METHOD}): {f.reason}"
            if f.status is Status.ERROR:
                return hop, None, "", f
            if f.status is Status.FOUND:
                caveat = " (not run)" if "not run" in f.reason else ""
                notes = f"; source credentials from profile {name} ({inspector.METHOD}){caveat}"
                return hop, (str(inspector.METHOD), f), notes, None
            return hop, None, f"; source profile {name} could not be checked", None
        stop = self.stop(
            InvalidConfigError(error_msg=f'The source profile "{name}" must have credentials.'),
            f"profile {name}",
            f"source_profile {name} has no credentials of its own.",
            fix=f"give profile {name} credentials, or change source_profile",
        )
        return None, None, "", stop.finding

    def assume_shared(self, name: str) -> str:
        """``assume(name)`` for a source profile, through the inspection's memo of walks.

        A source profile's own walk (from a fresh path) is made once per inspection,
        deepest first, and replayed here unless one of the profiles it names is
        already on this walk's path or it ends in a loop: then the walk goes on
        here, exactly as botocore's. So ``credchain profiles`` walks each hop of a
        long ``source_profile`` chain once, not once per profile above it.
        """
        memo = self.ctx.memo
        key = self.key(name)
        if key not in memo:
            self.fill(name)
        entry = memo.get(key)
        if (
            not isinstance(entry, _Memo)
            or entry.loop
            or not entry.checked.isdisjoint(self.visited[:-1])
        ):
            _role, notes = self.assume(name)
            return notes
        self.hops.extend(entry.hops)
        self.visited.extend(entry.visited[1:])
        self.count += entry.count
        if self.count > max_hops():
            raise RecursionError("maximum recursion depth exceeded")
        if entry.exc is not None:
            raise entry.exc.with_traceback(None)
        if entry.stop is not None:
            raise _Stop(entry.stop)
        self.source = entry.source
        if entry.mfa is not None:
            self.mfa = entry.mfa
        return entry.notes

    def key(self, name: str) -> tuple[Any, ...]:
        return ("assume-role", id(self.provider), name, self.ctx.reached)

    def fill(self, name: str) -> None:
        """Make the memo entries of ``name`` and the role profiles below it, deepest first."""
        memo, path, current = self.ctx.memo, [], name
        while self.key(current) not in memo and current not in path:
            profile = self.profiles.get(current)
            if profile is None or has_static(profile) or not has_assume_role_vars(profile):
                break
            path.append(current)
            source = profile.get("source_profile")
            if profile.get("credential_source") is not None or not isinstance(source, str):
                break
            current = source
        for current in reversed(path):
            memo[self.key(current)] = None  # being made: a loop back to it walks on directly
            memo[self.key(current)] = self.walk_alone(current)

    def walk_alone(self, name: str) -> _Memo:
        walk = _Walk(self.provider, self.ctx, self.profiles, [name], [])
        entry = _Memo()
        try:
            _role, entry.notes = walk.assume(name)
        except _Stop as stop:
            entry.stop = stop.finding
            entry.loop = stop.finding.raises == "InfiniteLoopConfigError"
        except Exception as e:
            entry.exc = e
        entry.hops, entry.visited, entry.count = tuple(walk.hops), tuple(walk.visited), walk.count
        entry.checked = frozenset(entry.visited[1:])
        entry.source, entry.mfa = walk.source, walk.mfa
        return entry


@record(frozen=False)
class _Memo:
    """A source profile's walk, made on its own: what to replay into a walk through it."""

    notes: str = ""
    hops: tuple[str, ...] = ()
    visited: tuple[str, ...] = ()
    checked: frozenset[str] = frozenset()
    count: int = 0
    source: tuple[str, Finding] | None = None
    mfa: str | None = None
    stop: Finding | None = None
    exc: BaseException | None = None
    loop: bool = False


def max_hops() -> int:
    """How many ``role_arn`` hops botocore's recursive walk takes before RecursionError.

    botocore recurses three frames per hop (``_load_creds_via_assume_role``,
    ``_resolve_source_credentials``, ``_resolve_credentials_from_profile``) below
    ``get_credentials()``; credchain walks without deep recursion and raises
    the same error past the same number of hops, wherever it is called from.
    """
    return (sys.getrecursionlimit() - _BOTOCORE_BASE_FRAMES) // 3


#: Frames between a script's top level and botocore's first assume-role hop.
_BOTOCORE_BASE_FRAMES = 19
