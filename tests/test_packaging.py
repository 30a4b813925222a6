"""The wheel: typed (``py.typed``), the schemas inside, no tests; metadata per PEP 639."""

from __future__ import annotations

import email
import os
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel with hatchling's PEP 517 hook, in this process (no network)."""
    hatchling = pytest.importorskip("hatchling.build")
    out = tmp_path_factory.mktemp("dist")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        name = hatchling.build_wheel(str(out))
    finally:
        os.chdir(cwd)
    return out / name


def test_wheel_contents(wheel: Path) -> None:
    """py.typed, the package and its schemas are in; tests, docs and examples are not."""
    names = zipfile.ZipFile(wheel).namelist()
    assert "credchain/py.typed" in names
    assert "credchain/schema/report.v1.json" in names
    assert "credchain/schema/profiles.v1.json" in names
    assert "credchain/pytest_plugin.py" in names
    top = {n.split("/")[0] for n in names}
    assert not top & {"tests", "docs", "examples", "benchmarks"}
    assert not any("/tests/" in n or n.startswith("test_") for n in names)
    assert not any(n.endswith((".pyc", "__pycache__/")) for n in names)


def test_wheel_metadata(wheel: Path) -> None:
    """License per PEP 639 (no License classifier), project URLs, Python classifiers."""
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(meta_name))
        licenses = [n for n in zf.namelist() if "/licenses/" in n]
    assert meta["License-Expression"] == "Apache-2.0"
    assert licenses and licenses[0].endswith("LICENSE")
    classifiers = meta.get_all("Classifier") or []
    assert not [c for c in classifiers if c.startswith("License ::")]
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    urls = {u.split(",")[0].strip() for u in meta.get_all("Project-URL") or []}
    assert urls >= {"Documentation", "Changelog", "Source", "Issues"}
