"""The seed case's output, pinned: keys in ~/.aws/credentials [default] shadowing the
instance role of a loopback metadata service, as ``credchain explain`` prints it.

Regenerate after an intended change, then review the diff of tests/golden/:

    CREDCHAIN_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

The run happens in a sandbox under ``/tmp/cg-XXXXXXXX`` (mkdtemp's suffix is
always 8 characters), so paths have the same length on every machine and the
text wraps the same way; the suffix, the server's port, timestamps and the
botocore version are then replaced by fixed placeholders of the same width.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from clirun import cli_env, run_cli

from credchain import _botocore
from credchain.testing import FakeIMDS, Sandbox

GOLDEN = Path(__file__).parent / "golden"
REGEN = bool(os.environ.get("CREDCHAIN_REGEN_GOLDEN"))


@pytest.fixture
def seed() -> Iterator[tuple[Sandbox, FakeIMDS]]:
    """The seed case: old keys in the credentials file, an instance role behind them."""
    root = tempfile.mkdtemp(prefix="cg-", dir="/tmp" if os.path.isdir("/tmp") else None)
    box = Sandbox(root)
    box.write_credentials(
        "default",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="SECRET-NEVER-PRINTED-01",
    )
    with FakeIMDS(role_name="ExampleInstanceRole") as imds:
        box.use_imds(imds)
        yield box, imds
    box.close()
    shutil.rmtree(root, ignore_errors=True)


def normalise(text: str, box: Sandbox, imds: FakeIMDS) -> str:
    root = str(box.root)
    text = text.replace(root, "/tmp/cg-" + "X" * (len(root) - len("/tmp/cg-")))
    text = text.replace(f"127.0.0.1:{imds.port}", "127.0.0.1:" + "N" * len(str(imds.port)))
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "YYYY-MM-DDTHH:MM:SSZ", text)
    return re.sub(r"botocore \d+\.\d+\.\d+", "botocore X.Y.Z", text)


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGEN:
        path.write_text(text)
        return
    assert path.exists(), f"no {path}: run CREDCHAIN_REGEN_GOLDEN=1 pytest tests/test_golden.py"
    assert text == path.read_text(), f"output changed: regenerate {path} and review the diff"


@pytest.mark.skipif(
    _botocore.known_chain() != _botocore.CHAIN_WITH_LOGIN,
    reason="the golden file pins the chain of botocore 1.41 and later (with login)",
)
def test_seed(seed: tuple[Sandbox, FakeIMDS]) -> None:
    """`credchain explain` on the seed case prints exactly tests/golden/seed.txt."""
    box, imds = seed
    result = run_cli(cli_env(box.env), "explain")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    check("seed.txt", normalise(result.stdout, box, imds))
