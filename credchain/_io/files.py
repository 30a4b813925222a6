"""Bounded file reads: regular files only, capped, never blocking past a bound.

Two ways to read, matching who would open the file:

- :func:`read_regular` for everything credchain inspects beyond botocore's own
  walk (providers below the winner, token caches): a FIFO, device, socket or
  directory is refused without blocking, and so is a file over :data:`CAP`.
- :func:`read_like_open` for a file botocore itself opens with a plain
  ``open().read()`` at that point of its walk (``AWS_CREDENTIAL_FILE``, the
  container authorization token file): the same bytes botocore would get, but
  a FIFO nobody writes to is waited on only until the bound, and an endless
  device stops at the cap — both refused with the reason.
"""

from __future__ import annotations

import errno
import io
import os
import select
import stat
import time

#: The most credchain reads of one file.
CAP = 10 * 1024 * 1024
#: How long a FIFO or device botocore would read is waited on when no timeout is given.
DEFAULT_WAIT = 1.0
_CHUNK = 64 * 1024


class Refused(Exception):
    """credchain did not read a file, or stopped: ``reason`` is the sentence for the report."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


def kind(mode: int) -> str:
    """``"a FIFO"``, ``"a directory"``, …: what a non-regular file is, for a sentence."""
    for test, name in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _open(path: str) -> tuple[int, os.stat_result]:
    """Open for reading without blocking (a FIFO's open waits for a writer otherwise)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        return fd, os.fstat(fd)
    except BaseException:
        os.close(fd)
        raise


def _read_capped(fd: int, path: str, what: str, cap: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(fd, min(_CHUNK, cap + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > cap:
            raise Refused(path, f"{what} {path} holds more than {_mb(cap)}: read up to the cap.")


def read_regular(path: str, *, what: str = "the file", cap: int = CAP) -> bytes:
    """The bytes of a regular file of at most ``cap`` bytes.

    Raises:
        OSError: as ``open()`` would (missing, unreadable, a symlink loop).
        Refused: the path is not a regular file, or holds more than ``cap``.
    """
    fd, st = _open(path)
    try:
        if not stat.S_ISREG(st.st_mode):
            raise Refused(
                path, f"{what} {path} is {kind(st.st_mode)}, not a regular file: not opened."
            )
        if st.st_size > cap:
            raise Refused(
                path, f"{what} {path} is {_mb(st.st_size)}, over the {_mb(cap)} cap: not read."
            )
        return _read_capped(fd, path, what, cap)
    finally:
        os.close(fd)


def too_big(path: str, *, what: str = "the file", cap: int = CAP) -> None:
    """Refuse a regular file over ``cap`` before a loader opens it by name (stat only)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return  # the loader says what botocore says about it
    if stat.S_ISREG(st.st_mode) and st.st_size > cap:
        raise Refused(
            path,
            f"{what} {path} is {_mb(st.st_size)}, over the {_mb(cap)} cap: not read "
            "(botocore would read it whole).",
        )


def read_like_open(
    path: str, *, what: str = "the file", wait: float | None = None, cap: int = CAP
) -> bytes:
    """What ``open(path).read()`` would return, bounded in time and size.

    Raises:
        OSError: as ``open()`` would (missing, a directory, unreadable, a loop).
        Refused: a FIFO or device gave no end of file within ``wait`` seconds, or
            more than ``cap`` bytes: botocore would block or read without end there.
    """
    wait = DEFAULT_WAIT if wait is None else wait
    fd, st = _open(path)
    try:
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if stat.S_ISREG(st.st_mode):
            if st.st_size > cap:
                raise Refused(
                    path,
                    f"{what} {path} is {_mb(st.st_size)}, over the {_mb(cap)} cap: not read "
                    "(botocore would read it whole).",
                )
            return _read_capped(fd, path, what, cap)
        return _read_stream(fd, path, what, st.st_mode, wait, cap)
    finally:
        os.close(fd)


def _read_stream(fd: int, path: str, what: str, mode: int, wait: float, cap: int) -> bytes:
    # A FIFO opened without O_NONBLOCK waits for a writer, then reads to its end;
    # poll() stays quiet on a FIFO that never had a writer, so waiting here is the same wait.
    name = kind(mode)
    deadline = time.monotonic() + wait
    chunks: list[bytes] = []
    total = 0
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not poller.poll(max(1, int(left * 1000))):
            if time.monotonic() < deadline:
                continue
            started = "nothing wrote to it" if not chunks else "it did not end"
            raise Refused(
                path,
                f"{what} {path} is {name} and {started} within {wait:g} s: botocore would "
                "block reading it; credchain stopped at its bound.",
            )
        try:
            chunk = os.read(fd, min(_CHUNK, cap + 1 - total))
        except BlockingIOError:
            continue
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > cap:
            raise Refused(
                path,
                f"{what} {path} is {name} that gave more than {_mb(cap)}: botocore would "
                "read it without end; credchain stopped at the cap.",
            )


def text_stream(data: bytes) -> io.TextIOWrapper:
    """``data`` decoded as ``open()`` in text mode would (locale encoding, strict)."""
    return io.TextIOWrapper(io.BytesIO(data))
