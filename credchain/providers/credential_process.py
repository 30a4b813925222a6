"""``custom-process``: ``credential_process`` — mirrors ``botocore.credentials.ProcessProvider``.

Reads the profile's ``credential_process`` and splits it with botocore's own
``compat_shell_split`` (no shell). The command is run only with
``run_process=True`` — as botocore runs it (no shell, the inspected
environment), bounded by a timeout — and its output is validated as botocore
does (``Version`` 1, ``AccessKeyId``, ``SecretAccessKey``, an ``Expiration``
dateutil can parse). Otherwise it is reported as configured but not run. The
command line is shown with its arguments redacted; its stderr is never shown.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any, ClassVar

import attrs

from credchain._context import Context
from credchain._mask import redact_command
from credchain._report import Status
from credchain.providers import Finding, error

DEFAULT_TIMEOUT = 15.0  # a process that hangs is reported after this, botocore would wait


@attrs.frozen
class ProcessProvider:
    """Inspector for botocore's ``ProcessProvider``."""

    METHOD: ClassVar[str] = "custom-process"
    CANONICAL_NAME: ClassVar[None] = None

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
        if not _findable(argv[0], ctx):
            missing = FileNotFoundError(2, "No such file or directory", argv[0])
            return error(missing, source, f"the program {argv[0]!r} does not exist.", fix=fix)
        if not ctx.run_process or not ctx.reached:
            why = "run_process=False" if not ctx.run_process else "it is not reached"
            return Finding(
                Status.FOUND,
                source,
                f"runs `{shown}` (not run: {why}); botocore would run it and use its output.",
                fix=fix,
            )
        try:
            return _run(ctx, argv, shown, source, profile_config, fix)
        except Exception as e:
            return error(e, source, f"`{shown}` failed as botocore would see it.", fix=fix)


def _findable(program: str, ctx: Context) -> bool:
    if os.sep in program:
        return os.path.exists(program)
    return shutil.which(program, path=ctx.env.get("PATH", os.defpath)) is not None


def _run(
    ctx: Context, argv: list[str], shown: str, source: str, config: dict[str, Any], fix: str
) -> Finding:
    from botocore.exceptions import CredentialRetrievalError

    timeout = ctx.timeout if ctx.timeout is not None else DEFAULT_TIMEOUT
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(ctx.env))
    try:
        stdout, stderr = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return Finding(
            Status.UNKNOWN,
            source,
            f"`{shown}` did not finish within {timeout:g} s (killed); botocore would wait for it.",
            fix=fix,
        )
    if p.returncode != 0:
        # botocore puts stderr in its message; a failing process may print anything there,
        # secrets included, so credchain says how much there was and shows none of it.
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
    if expiry is not None:
        from dateutil.parser import parse

        parse(expiry)
    if isinstance(access_key, str):
        ctx.key_ids.add(access_key)
    return Finding(
        Status.FOUND,
        source,
        f"ran `{shown}`: it printed valid credentials"
        + (f" (expiring {expiry})." if expiry else " (no expiry)."),
        access_key=access_key if isinstance(access_key, str) else None,
        fix=fix,
    )
