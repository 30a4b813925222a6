"""The oracle's other side: botocore alone, in an interpreter of its own.

``tests/oracle.py`` starts this file as ``python -I tests/botocore_oracle.py``
(isolated mode: no ``PYTHON*`` variables, no user site, not even this file's
folder on ``sys.path``) and removes every ``sys.path`` entry from which
``credchain`` could be imported, so nothing of credchain's can run here. It
answers one JSON request per line on stdin with one JSON line on stdout:

``{"op": "run", "env": {...}, "profile": ..., "cwd": ...}``
    ``os.environ`` becomes exactly ``env`` (built here, from the request), then
    ``botocore.session.Session(profile=...).get_credentials()``: the chain's
    METHOD order, what each provider's ``load()`` did up to the one that
    decided, the winner's METHOD and masked key, or the exception's class name
    and the provider whose ``load()`` raised it.
``{"op": "probe", ..., "methods": [...]}``
    A fresh session; ``load()`` of each named provider on its own (the
    providers above it removed): its credentials' METHOD, None, or the
    exception's class name.
``{"op": "hello"}``
    Who is answering: botocore's version and whether credchain is importable.

Nothing may leave the loopback interface: ``connect`` and name resolution of
any other address are refused and reported as ``violations``. The standard
input botocore could read from is ``/dev/null``; stray output goes to stderr.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import json
import os
import socket
import sys
import traceback
from pathlib import Path
from typing import Any


def _isolate() -> None:
    """Drop every sys.path entry that holds credchain (an editable install adds the repository)."""
    sys.path[:] = [p for p in sys.path if not (Path(p or ".") / "credchain").exists()]
    for name in list(sys.modules):
        if name == "credchain" or name.startswith("credchain."):
            del sys.modules[name]


_isolate()

import botocore  # noqa: E402
import botocore.session  # noqa: E402
from botocore.credentials import (  # noqa: E402
    DeferredRefreshableCredentials,
    RefreshableCredentials,
)
from botocore.utils import ContainerMetadataFetcher  # noqa: E402

# botocore pauses 1 s between container attempts: the attempts matter, the pause doesn't.
ContainerMetadataFetcher.SLEEP_TIME = 0

VIOLATIONS: list[str] = []


def _loopback(host: Any) -> bool:
    host = str(host).split("%")[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guard_network() -> None:
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(sock: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and not _loopback(address[0]):
            VIOLATIONS.append(repr(address))
            raise ConnectionRefusedError(f"the oracle may not reach {address!r}")
        return real_connect(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _loopback(host if isinstance(host, str) else host.decode()):
            VIOLATIONS.append(f"resolve {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"the oracle may not resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo


def mask(key: Any) -> str | None:
    """First 4 and last 4 characters kept, every other one ``*``."""
    if not isinstance(key, str):
        return None
    n = len(key)
    return "".join(c if i < 4 or i >= n - 4 else "*" for i, c in enumerate(key))


def _enter(request: dict[str, Any]) -> None:
    if "env" not in request:
        return
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request.get("cwd") or "/")


def _loaded(result: Any) -> dict[str, Any]:
    if result is None:
        return {"result": None}
    return {"result": "credentials", "method": getattr(result, "method", None)}


def run(request: dict[str, Any]) -> dict[str, Any]:
    """``Session(profile=...).get_credentials()``, recording each top-level load()."""
    session = botocore.session.Session(profile=request.get("profile"))
    out: dict[str, Any] = {"chain": None, "loads": {}, "method": None, "raises": None}
    out.update(error=None, access_key=None, deferred=False, message="")
    try:
        resolver = session.get_component("credential_provider")
    except Exception as e:  # botocore raises while building its chain
        out.update(raises=type(e).__name__, message=str(e))
        return out
    out["chain"] = [p.METHOD for p in resolver.providers]
    active: list[str] = []
    depth = [0]
    for provider in resolver.providers:
        # credential_source calls the same env / container / iam-role objects from inside
        # assume-role: only the chain's own (depth 0) calls count.
        def load(original: Any = provider.load, method: str = provider.METHOD) -> Any:
            top = depth[0] == 0
            if top:
                active.append(method)
            depth[0] += 1
            try:
                result = original()
            except Exception as e:
                if top:
                    out["loads"][method] = {"result": "raises", "raises": type(e).__name__}
                raise
            finally:
                depth[0] -= 1
            if top:
                out["loads"][method] = _loaded(result)
            return result

        provider.load = load
    try:
        creds = session.get_credentials()
    except Exception as e:
        out.update(raises=type(e).__name__, message=str(e), error=active[-1] if active else None)
        return out
    if creds is None:
        return out
    out["method"] = creds.method
    if isinstance(creds, DeferredRefreshableCredentials):
        out["deferred"] = True
    else:
        # As loaded: on refreshable credentials .access_key may refresh them.
        refreshable = isinstance(creds, RefreshableCredentials)
        out["access_key"] = mask(creds._access_key if refreshable else creds.access_key)
    return out


def probe(request: dict[str, Any]) -> dict[str, Any]:
    """``load()`` of each named provider of a fresh chain, on its own.

    Each provider gets a session of its own: a load that raised can leave its
    session changed (``Session.full_config`` keeps the config file's profiles
    once the credentials file failed to parse, and says nothing the next time),
    which no walk that reaches the next provider would have seen.
    """
    loads: dict[str, Any] = {}
    for method in request["methods"]:
        session = botocore.session.Session(profile=request.get("profile"))
        try:
            resolver = session.get_component("credential_provider")
        except Exception as e:
            return {"loads": loads, "build_error": type(e).__name__}
        for provider in resolver.providers:
            if method != provider.METHOD:
                continue
            # The chain with every provider above this one removed starts with this load().
            try:
                loads[method] = _loaded(provider.load())
            except Exception as e:
                loads[method] = {"result": "raises", "raises": type(e).__name__}
    return {"loads": loads}


def hello(request: dict[str, Any]) -> dict[str, Any]:
    return {
        "botocore": botocore.__version__,
        "botocore_file": botocore.__file__,
        "credchain_importable": importlib.util.find_spec("credchain") is not None,
        "credchain_loaded": any(m.split(".")[0] == "credchain" for m in sys.modules),
        "sys_path": sys.path,
        "isolated": bool(sys.flags.isolated),
        "stdin": os.readlink("/proc/self/fd/0") if os.path.exists("/proc/self/fd/0") else "",
    }


OPS = {"run": run, "probe": probe, "hello": hello}


def main() -> None:
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # nothing botocore starts or prompts with can read the requests
    os.dup2(2, 1)  # stray prints must not corrupt the answers
    _guard_network()
    for line in requests:
        request = json.loads(line)
        del VIOLATIONS[:]
        try:
            _enter(request)
            answer = OPS[request["op"]](request)
        except Exception:
            answer = {"crash": traceback.format_exc()}
        answer["violations"] = list(VIOLATIONS)
        answer["credchain_loaded"] = any(m.split(".")[0] == "credchain" for m in sys.modules)
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
