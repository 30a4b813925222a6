"""Raw loopback endpoints the HTTP fake in ``oracle.Endpoint`` can't be: a closed port, a
server that accepts and stays silent, one that trickles bytes; and checks that credchain
left no thread or socket behind."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from typing import Any


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RawServer:
    """Accepts connections on 127.0.0.1, then stays ``silent`` or ``trickle``s bytes.

    A trickling server sends a valid status line, then one byte of an endless
    header every ``interval`` seconds, until the client goes away.
    """

    def __init__(self, mode: str, interval: float = 0.5) -> None:
        assert mode in ("silent", "trickle")
        self.mode = mode
        self.interval = interval
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.accepted.append(conn)
            if self.mode == "trickle":
                t = threading.Thread(target=self._trickle, args=(conn,), daemon=True)
                self._threads.append(t)
                t.start()

    def _trickle(self, conn: socket.socket) -> None:
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not self._stop.wait(self.interval):
                conn.sendall(b"a")
        except OSError:
            pass

    def peers_closed(self) -> bool:
        """Whether the client end of every accepted connection is closed (reads give EOF)."""
        for conn in self.accepted:
            try:
                while True:
                    data = conn.recv(65536, socket.MSG_DONTWAIT)
                    if not data:
                        break  # EOF: the client closed or shut down its end
            except BlockingIOError:
                return False
            except OSError:
                pass  # reset by the client: closed too
        return True

    def close(self) -> None:
        self._stop.set()
        # accept() does not wake up on close() alone: shut the listener down first.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for conn in self.accepted:
            conn.close()
        for t in self._threads:
            t.join(5)

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def credchain_threads() -> list[str]:
    """Names of live threads credchain started (its probes and pools)."""
    return [t.name for t in threading.enumerate() if t.name.startswith("credchain")]


def client_sockets(port: int) -> int:
    """How many open file descriptors of this process are TCP sockets connected to ``port``."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[9] in inodes:
                count += 1
    return count
