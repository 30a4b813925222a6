"""The custom-process inspector mirrors botocore's ProcessProvider; it runs only when allowed."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from credchain._context import Context
from credchain.providers import Status
from credchain.providers.credential_process import ProcessProvider

MakeCtx = Callable[..., Context]
KEY = "ASIAEXAMPLEPROCEEST1"
SECRET = "SECRET-NEVER-PRINTED-PROCESS".ljust(40, "K")


def process_ctx(make_ctx: MakeCtx, command: str, script: str = "", **kwargs: object) -> Context:
    files = {"home/.aws/config": f"[default]\ncredential_process = {command}\n"}
    if script:
        files["creds.py"] = script
    return make_ctx(files=files, **kwargs)


def printing(out: object, code: int = 0, stderr: str = "") -> str:
    text = out if isinstance(out, str) else json.dumps(out)
    return (
        f"import sys\nsys.stderr.write({stderr!r})\nsys.stdout.write({text!r})\nsys.exit({code})\n"
    )


PY = f"{sys.executable} {{root}}/creds.py"
GOOD = {"Version": 1, "AccessKeyId": KEY, "SecretAccessKey": SECRET}


def test_not_configured_is_not_found(make_ctx: MakeCtx) -> None:
    """No credential_process: not found."""
    assert ProcessProvider().inspect(make_ctx(), "default").status is Status.NOT_FOUND


def test_not_run_without_permission(make_ctx: MakeCtx) -> None:
    """Without run_process the command is found but not run, its arguments redacted."""
    ctx = process_ctx(make_ctx, PY + " --token hunter2", printing(GOOD))
    finding = ProcessProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert "not run" in finding.reason
    assert "hunter2" not in finding.reason and "--token" in finding.reason


def test_run_reads_the_output(make_ctx: MakeCtx) -> None:
    """With run_process the output is validated and the access key id reported."""
    ctx = process_ctx(make_ctx, PY, printing(GOOD), run_process=True)
    finding = ProcessProvider().inspect(ctx, "default")
    assert finding.status is Status.FOUND
    assert finding.access_key == KEY
    assert SECRET in ctx.secrets


def test_failures_raise_what_botocore_raises(make_ctx: MakeCtx) -> None:
    """Exit status, bad JSON, version and missing keys give botocore's exception classes."""
    cases = [
        (printing("", 1, "denied"), "CredentialRetrievalError"),
        (printing("not json"), "JSONDecodeError"),
        (printing({**GOOD, "Version": 2}), "CredentialRetrievalError"),
        (printing({"Version": 1, "AccessKeyId": KEY}), "CredentialRetrievalError"),
        (printing({**GOOD, "Expiration": "whenever"}), "ParserError"),
        (printing([1]), "AttributeError"),
    ]
    for script, raises in cases:
        ctx = process_ctx(make_ctx, PY, script, run_process=True)
        assert ProcessProvider().inspect(ctx, "default").raises == raises, script


def test_stderr_is_withheld(make_ctx: MakeCtx) -> None:
    """A failing process's stderr is never shown, even a short secret in it."""
    ctx = process_ctx(make_ctx, PY, printing("", 2, "leaked hunter2\nmore"), run_process=True)
    finding = ProcessProvider().inspect(ctx, "default")
    assert finding.raises == "CredentialRetrievalError"
    assert "hunter2" not in finding.reason + (finding.message or "")
    assert "2 line(s)" in finding.reason


def test_command_line_problems(make_ctx: MakeCtx) -> None:
    """A missing program is FileNotFoundError and an unbalanced quote shlex's ValueError,
    even without run_process."""
    missing = process_ctx(make_ctx, "{root}/no-such-program")
    assert ProcessProvider().inspect(missing, "default").raises == "FileNotFoundError"
    quote = process_ctx(make_ctx, "prog 'unbalanced")
    assert ProcessProvider().inspect(quote, "default").raises == "ValueError"


def test_program_found_on_the_inspected_path(make_ctx: MakeCtx) -> None:
    """A bare program name is looked up on the inspected environment's PATH."""
    ctx = process_ctx(make_ctx, "my-creds-helper", env={"PATH": "{root}/bin"})
    assert ProcessProvider().inspect(ctx, "default").raises == "FileNotFoundError"
