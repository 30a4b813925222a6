"""Bounded process runs: own process group, the whole group killed at the bound, capped output.

botocore runs ``credential_process`` with ``Popen(...).communicate()``: it waits
for the process and for its pipes to close, however long that takes (a
background child that inherited stdout keeps them open). credchain runs it the
same way but in a new session, reads both pipes with a deadline, stops at
:data:`OUTPUT_CAP`, and kills the whole process group when either bound is hit,
so no child outlives the inspection.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from credchain._record import record

if TYPE_CHECKING:
    import subprocess

#: The most credchain reads of a process's stdout (more stops it) and keeps of its stderr.
OUTPUT_CAP = 1024 * 1024
#: The bound on a credential_process when ``explain()`` is given no timeout.
DEFAULT_TIMEOUT = 15.0


@record
class Completed:
    """A process that exited and closed its output within the bounds."""

    returncode: int
    stdout: bytes
    stderr: bytes  # at most the cap: the rest was read and dropped
    stderr_truncated: bool = False


class Stopped(Exception):
    """The process (group) was killed at a bound; ``reason`` is the sentence for the report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def which(program: str, path: str | None) -> str | None:
    """Where ``Popen`` would find ``program`` (a path with a separator is taken as is)."""
    if os.sep in program or (os.altsep and os.altsep in program):
        return program if os.path.exists(program) else None
    import shutil

    return shutil.which(program, path=os.defpath if path is None else path)


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    timeout: float,
    cap: int = OUTPUT_CAP,
) -> Completed:
    """Run ``argv`` (no shell) in its own session; bounded in time and output.

    Raises:
        OSError: the program can't be started (as ``Popen`` raises it).
        Stopped: the process or a child holding its output ran past ``timeout``,
            or printed more than ``cap``; the whole group was killed.
    """
    import selectors
    import subprocess  # loaded when a process runs, not on every inspection

    p = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,  # never a prompt: nothing to type into
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    out: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
    sizes = {"stdout": 0, "stderr": 0}
    why: str | None = None
    with selectors.DefaultSelector() as sel:
        assert p.stdout is not None and p.stderr is not None
        for name, pipe in (("stdout", p.stdout), ("stderr", p.stderr)):
            os.set_blocking(pipe.fileno(), False)
            sel.register(pipe, selectors.EVENT_READ, name)
        try:
            while sel.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    exited = p.poll() is not None
                    why = (
                        f"exited, but a child it started kept its output open past {timeout:g} s"
                        if exited
                        else f"did not finish within {timeout:g} s"
                    )
                    break
                for key, _ in sel.select(left):
                    name = str(key.data)
                    try:
                        chunk = os.read(key.fd, 65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    if sizes[name] < cap:
                        out[name].append(chunk[: cap - sizes[name]])
                    sizes[name] += len(chunk)
                    if sizes[name] > cap and name == "stdout":
                        why = f"printed more than {cap // 1024} KB on stdout"
                        break
                if why:
                    break
            if why is None:
                left = max(0.0, deadline - time.monotonic())
                try:
                    p.wait(left)
                except subprocess.TimeoutExpired:
                    why = f"closed its output but did not exit within {timeout:g} s"
        finally:
            # Also after a clean exit: a child left in the group must not outlive the call.
            _kill_group(p)
            p.stdout.close()
            p.stderr.close()
    if why is not None:
        raise Stopped(why)
    return Completed(
        p.returncode,
        b"".join(out["stdout"]),
        b"".join(out["stderr"]),
        stderr_truncated=sizes["stderr"] > cap,
    )


def _kill_group(p: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group the process leads, then reap the process."""
    import signal
    import subprocess

    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(p.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        p.wait(5)
