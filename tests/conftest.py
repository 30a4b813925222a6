"""Shared test setup: ``tests/oracle.py`` importable as ``oracle``, and a Context factory."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from credchain._context import Context

_TESTS = str(Path(__file__).parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)


@pytest.fixture
def make_ctx(tmp_path: Path) -> Callable[..., Context]:
    """Build a Context over ``tmp_path``: HOME is ``tmp_path/home``, IMDS disabled, files written.

    ``make_ctx(env={...}, files={"home/.aws/config": "..."}, **Context_kwargs)``; ``{root}``
    in file contents and env values stands for ``tmp_path``.
    """

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
        return Context(full, **kwargs)

    return make
