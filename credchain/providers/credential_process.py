"""``custom-process``: ``credential_process`` — mirrors ``botocore.credentials.ProcessProvider``.

Reads the profile's ``credential_process`` and splits it with botocore's own
``compat_shell_split`` (no shell). The command is run only with
``run_process=True`` — as botocore runs it (no shell, the inspected
environment), in its own process group that is killed as a whole at the
timeout, its output capped — and its output is validated as botocore
does (``Version`` 1, ``AccessKeyId``, ``SecretAccessKey``, an ``Expiration``
dateutil can parse). Otherwise it is reported as configured but not run. The
command line is shown with its arguments redacted; its stderr is never shown.
"""

from __future__ import annotations

import codecs
import json
from typing import Any, ClassVar

from credchain._context import Context
from credchain._io.process import Stopped
from credchain._mask import redact_command
from credchain._record import record
from credchain._report import Status
from credchain.providers import Finding, error


@record
class ProcessProvider:
    """Inspector for botocore's ``ProcessProvider``."""

    METHOD: ClassVar[str] = "custom-process"
    CANONICAL_NAME: ClassVar[None] = None
    #: Keys of the profile (``Session.full_config``'s section) without any of which
    #: :meth:`absent` is True: a listing tests only profiles holding one of them.
    absent_without: ClassVar[frozenset[str]] = frozenset({"credential_process"})

    def absent(self, ctx: Context, profile: str) -> bool:
        """Whether :meth:`inspect` would say ``not-found`` (listings skip it then)."""
        try:
            return ctx.profiles().get(profile, {}).get("credential_process") is None
        except Exception:
            return False

    def inspect(self, ctx: Context, profile: str) -> Finding:
        try:
            profile_config = ctx.profiles().get(profile, {})
        except Exception as e:
            return error(e, None, "botocore fails while loading the configuration here.")
        command = profile_config.get("credential_process")
        source = f"credential_process in profile {profile}"
        if command is None:
            return Finding(Status.NOT_FOUND, f"profile {profile}", "no credential_process is set.")
        from botocore.compat import compat_shell_split

        try:
            argv = compat_shell_split(command)
        except Exception as e:
            return error(e, source, "botocore cannot split the credential_process command line.")
        shown = redact_command(argv)
        fix = f"remove credential_process from profile {profile}"
        if not argv:  # botocore's Popen([]) raises IndexError, reached or not
            empty = IndexError("list index out of range")
            return error(empty, source, "the credential_process command is empty.", fix=fix)
        if ctx.which(argv[0]) is None:
            missing = FileNotFoundError(2, "No such file or directory", argv[0])
            return error(missing, source, f"the program {argv[0]!r} does not exist.", fix=fix)
        if not ctx.run_process or not ctx.reached:
            why = "run_process=False" if not ctx.run_process else "it is not reached"
            return Finding(
                Status.FOUND,
                source,
                f"runs `{shown}` (not run: {why}); botocore would run it and use its output.",
                fix=fix,
                usable=None,
                usable_reason="the process was not run, so its output was not checked",
            )
        try:
            return _run(ctx, argv, shown, source, profile_config, fix)
        except Exception as e:
            return error(e, source, f"`{shown}` failed as botocore would see it.", fix=fix)


def _run(
    ctx: Context, argv: list[str], shown: str, source: str, config: dict[str, Any], fix: str
) -> Finding:
    from botocore.exceptions import CredentialRetrievalError

    try:
        p = ctx.run(argv)
    except Stopped as stopped:
        return Finding(
            Status.UNKNOWN,
            source,
            f"`{shown}` {stopped.reason}: credchain killed its process group; botocore "
            "would wait for it (and read all of its output).",
            fix=fix,
            usable_reason=f"the process {stopped.reason}",
        )
    stdout, stderr = p.stdout, p.stderr
    if p.returncode != 0:
        # botocore puts stderr in its message; a failing process may print anything there,
        # secrets included, so credchain says how much there was and shows none of it.
        if p.stderr_truncated:  # the kept part may end inside a character
            kept = codecs.getincrementaldecoder("utf-8")().decode(stderr, final=False)
            lines: object = f"more than {len(kept.splitlines())}"
        else:
            lines = len(stderr.decode("utf-8").splitlines())
        withheld = f"stderr withheld: {lines} line(s); run the command yourself to read it"
        e: Exception = CredentialRetrievalError(provider="custom-process", error_msg=withheld)
        return error(
            e, source, f"`{shown}` exited with status {p.returncode} ({withheld}).", fix=fix
        )
    parsed = json.loads(stdout.decode("utf-8"))
    version = parsed.get("Version", "<Version key not provided>")
    if version != 1:
        e = CredentialRetrievalError(
            provider="custom-process", error_msg=f"Unsupported version '{version}'"
        )
        return error(e, source, f"`{shown}` printed Version {version!r}, not 1.", fix=fix)
    for name in ("AccessKeyId", "SecretAccessKey"):
        if name not in parsed:
            e = CredentialRetrievalError(
                provider="custom-process", error_msg=f"Missing required key in response: '{name}'"
            )
            return error(e, source, f"`{shown}` printed no {name}.", fix=fix)
    for name in ("SecretAccessKey", "SessionToken"):
        ctx.note_value(name, parsed.get(name))
    access_key = parsed["AccessKeyId"]
    parsed.get("SessionToken")
    parsed.get("AccountId") or config.get("aws_account_id")
    expiry = parsed.get("Expiration")
    expires_at = None
    usable: bool | None = True
    usable_reason = None
    if expiry is not None:
        from credchain._expiry import aware, is_expired, parse, relative

        expires_at = aware(parse(expiry))
        if expires_at is None:
            usable = False
            usable_reason = "its Expiration has no time zone, which botocore cannot compare"
        elif is_expired(expires_at, ctx.now()):
            # botocore runs the process again at first use and raises if still expired.
            usable = False
            usable_reason = f"the credentials it printed {relative(expires_at, ctx.now())}"
    if isinstance(access_key, str):
        ctx.key_ids.add(access_key)
    reason = f"ran `{shown}`: it printed valid credentials" + (
        f" (expiring {expiry})." if expiry else " (no expiry)."
    )
    if usable_reason:
        reason += (
            f" But {usable_reason}: botocore runs it again at first use and fails if it "
            "prints expired credentials again."
        )
    return Finding(
        Status.FOUND,
        source,
        reason,
        access_key=access_key if isinstance(access_key, str) else None,
        fix=fix,
        expires_at=expires_at,
        usable=usable,
        usable_reason=usable_reason,
    )
