"""Run ``python -m credchain`` for real: through pipes, or on a pseudo-terminal.

``run_cli`` gives stdout and stderr as pipes (neither is a terminal);
``run_on_pty`` puts stdout and/or stderr on a pseudo-terminal of a given size
and returns what the terminal received, byte for byte (``\\r\\n`` line ends).
``silent_server`` accepts connections on 127.0.0.1 and never answers: a probe
of it waits for its whole timeout.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import struct
import subprocess
import sys
import termios
import threading
from collections.abc import Iterator, Mapping
from typing import NamedTuple

TIMEOUT = 60  # a guard against a hang, never a measurement


class PtyRun(NamedTuple):
    returncode: int
    terminal: str  # what the terminal received, raw
    stdout: str  # the pipe's, when stdout was not the terminal
    stderr: str  # the pipe's, when stderr was not the terminal


def cli_env(base: Mapping[str, str], **changes: str | None) -> dict[str, str]:
    """``base`` without the variables that change how the command prints, plus ``changes``."""
    env = {k: v for k, v in base.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "TERM")}
    env["TERM"] = "xterm"
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run_cli(env: Mapping[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    """``python -m credchain ARGV`` with stdout and stderr as pipes."""
    return subprocess.run(
        [sys.executable, "-m", "credchain", *argv],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def run_on_pty(
    env: Mapping[str, str],
    *argv: str,
    columns: int = 100,
    stdout_tty: bool = True,
    stderr_tty: bool = False,
) -> PtyRun:
    """``python -m credchain ARGV`` with stdout and/or stderr on a ``columns``-wide terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    pipe = subprocess.PIPE
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "credchain", *argv],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=slave if stdout_tty else pipe,
            stderr=slave if stderr_tty else pipe,
        )
    finally:
        os.close(slave)
    received: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer closed the terminal
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    finally:
        reader.join(TIMEOUT)
        os.close(master)
    return PtyRun(
        process.returncode,
        b"".join(received).decode("utf-8", "replace"),
        (out or b"").decode("utf-8", "replace"),
        (err or b"").decode("utf-8", "replace"),
    )


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A loopback endpoint that accepts connections and never answers: its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # the kernel completes connections; nobody reads or writes
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        sock.close()
