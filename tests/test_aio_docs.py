"""The async docs' examples, executed: the Starlette lifespan check and the async pytest tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).parent.parent / "docs"


def python_blocks(page: str, heading: str) -> list[str]:
    """The ```python blocks of one ``## heading`` section of a docs page."""
    text = (DOCS / page).read_text()
    start = text.index(f"## {heading}\n")
    end = text.find("\n## ", start + 1)
    section = text[start : end if end != -1 else None]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_sections_have_their_examples() -> None:
    """Each example these tests run is where the pages say it is."""
    assert (
        len(python_blocks("async.md", "A start-up check in a Starlette or FastAPI lifespan")) == 1
    )
    assert len(python_blocks("pytest.md", "Async tests")) == 1


# -- the Starlette lifespan example, against moto and a loopback IMDS --------------------------


@pytest.fixture
def app_module(tmp_path: Path) -> dict[str, Any]:
    """The docs' Starlette application, executed as a module."""
    pytest.importorskip("aiobotocore", reason="aiobotocore is not installed (.ci/venv-aio)")
    pytest.importorskip("starlette", reason="starlette is not installed (.ci/venv-aio)")
    pytest.importorskip("httpx", reason="httpx is not installed (.ci/venv-aio)")
    (code,) = python_blocks("async.md", "A start-up check in a Starlette or FastAPI lifespan")
    namespace: dict[str, Any] = {"__name__": "docs_async_example"}
    exec(compile(code, str(DOCS / "async.md"), "exec"), namespace)
    return namespace


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[Any]:
    """An instance with ExampleInstanceRole (FakeIMDS with moto's credentials), STS at moto."""
    from test_aio import ROLE, moto_account

    from credchain.testing import FakeIMDS, Sandbox

    with moto_account() as moto:
        creds = {k: moto[k] for k in ("AccessKeyId", "SecretAccessKey", "Token", "Expiration")}
        with Sandbox(tmp_path / "sandbox") as box, FakeIMDS(ROLE, credentials=creds) as imds:
            box.use_imds(imds)
            box.use_sts(moto["url"])
            yield box, moto


def test_starlette_lifespan_example(app_module: dict[str, Any], instance: Any) -> None:
    """User keys stop the app at start-up, naming the file and [default]; removed, it serves."""
    from starlette.testclient import TestClient

    import credchain

    box, moto = instance
    keys = box.write_credentials(
        aws_access_key_id=moto["user_key_id"], aws_secret_access_key=moto["user_secret"]
    )
    app = app_module["app"]
    with pytest.raises(credchain.RoleAssertionError) as failed, TestClient(app):
        pass
    assert str(keys) in str(failed.value) and "[default]" in str(failed.value)
    assert moto["user_secret"] not in str(failed.value)

    keys.unlink()
    with TestClient(app) as client:
        answer = client.get("/whoami").json()
    assert answer["verified"] is True
    assert answer["arn"].endswith(":assumed-role/ExampleInstanceRole/i-01773d4a8ed647342")


# -- the async pytest example, under pytest-asyncio and anyio ------------------------------------


def test_async_pytest_example(pytester: pytest.Pytester) -> None:
    """The docs' async tests pass with pytest-asyncio and anyio's plugin."""
    pytest.importorskip("pytest_asyncio", reason="pytest-asyncio is not installed (.ci/venv-aio)")
    pytest.importorskip("anyio", reason="anyio is not installed (.ci/venv-aio)")
    (code,) = python_blocks("pytest.md", "Async tests")
    pytester.makepyfile(test_docs_async=code)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
