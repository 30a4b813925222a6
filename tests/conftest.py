"""Shared test setup: a loopback-only network, ``tests/oracle.py`` importable as ``oracle``,
a Context factory, and JSON Schema validation of every report the tests produce."""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from credchain._context import Context

_TESTS = str(Path(__file__).parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from schema_check import validate_json as _validate_json  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def json_output_matches_schema() -> Iterator[None]:
    """Every ``to_dict()`` of a Report or ProfilesReport in the suite is checked against
    ``credchain/schema/*.v1.json`` (so is ``to_json()``, built on it, and the CLI's --json)."""
    from credchain._profiles import ProfilesReport
    from credchain._report import Report

    def checked(original: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
        def to_dict(self: Any) -> dict[str, Any]:
            return _validate_json(original(self))

        return to_dict

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Report, "to_dict", checked(Report.to_dict))
        mp.setattr(ProfilesReport, "to_dict", checked(ProfilesReport.to_dict))
        yield


@pytest.fixture
def validate_json() -> Callable[..., dict[str, Any]]:
    """``validate_json(document_or_text, name=None)``: fail unless it matches its schema."""
    return _validate_json


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refuse, and fail the test on, any connection to a non-loopback address."""
    attempts: list[object] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        if isinstance(address, tuple):
            host = str(address[0]).split("%")[0]
            if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
                attempts.append(address)
                raise ConnectionRefusedError(f"test tried to reach {host}")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert attempts == [], "a test tried to reach a non-loopback address"


@pytest.fixture
def make_ctx(tmp_path: Path) -> Iterator[Callable[..., Context]]:
    """Build a Context over ``tmp_path``: HOME is ``tmp_path/home``, IMDS disabled, files written.

    ``make_ctx(env={...}, files={"home/.aws/config": "..."}, **Context_kwargs)``; ``{root}``
    in file contents and env values stands for ``tmp_path``. Every context is closed at
    the end of the test, as explain() closes its own (probes ended, sessions closed).
    """
    made: list[Context] = []

    def make(
        env: Mapping[str, str] | None = None,
        files: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Context:
        (tmp_path / "home").mkdir(exist_ok=True)
        for rel, text in (files or {}).items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.replace("{root}", str(tmp_path)))
        full = {"HOME": str(tmp_path / "home"), "AWS_EC2_METADATA_DISABLED": "true"}
        full.update({k: v.replace("{root}", str(tmp_path)) for k, v in (env or {}).items()})
        made.append(Context(full, **kwargs))
        return made[-1]

    yield make
    for ctx in made:
        ctx.close()
