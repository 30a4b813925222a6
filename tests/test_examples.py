"""Every file in ``examples/`` and every code block the docs mark runnable, run for real.

Each runs in a child interpreter with a sandboxed environment built here: a
temporary HOME, the instance metadata service disabled, STS / SSO / Signin
pointed at a closed loopback port (or at moto's server on loopback where a
role must be verified), the working directory a temporary folder.

A code block is runnable when the line right above its opening fence is
``<!-- run -->`` (run as a script, must exit 0) or ``<!-- run: pytest -->``
(saved as a test module and run with pytest, must pass). See docs/testing.md.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import oracle
import pytest

import credchain

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: A marker, the fence right below it, the code, the closing fence.
RUNNABLE = re.compile(
    r"^<!-- run(?:: (?P<how>[a-z]+))? -->\n```python\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL
)
TIMEOUT = 120
USER_KEYS = (
    "[default]\naws_access_key_id = AKIAEXAMPLEDOCS00001\n"
    "aws_secret_access_key = SECRET-NEVER-PRINTED-EXAMPLES\n"
)


def sandbox(tmp: Path, **extra: str) -> dict[str, str]:
    """A complete environment for a child: nothing of this process's AWS set-up leaks in."""
    home = tmp / "home"
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", os.defpath),
        "PYTHONPATH": str(Path(credchain.__file__).parents[1]),  # the credchain under test
        "LC_ALL": "C.UTF-8",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_DEFAULT_REGION": "us-east-1",
        "BOTO_CONFIG": str(home / ".boto"),
        **oracle.GUARDS,
        **extra,
    }


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def no_secret(*texts: str) -> None:
    for text in texts:
        assert oracle.SECRET_MARK not in text
        assert "AKIAEXAMPLEDOCS00001" not in text


@pytest.fixture(scope="module")
def sts() -> Iterator[dict[str, str]]:
    """moto's STS on loopback, and credentials of the role ci/Deployer it issued."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = "http://{}:{}".format(*server.get_host_and_port())
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    trust = {"Version": "2012-10-17", "Statement": []}
    iam = session.client("iam", endpoint_url=url)
    role = iam.create_role(
        Path="/ci/", RoleName="Deployer", AssumeRolePolicyDocument=json.dumps(trust)
    )["Role"]
    creds = session.client("sts", endpoint_url=url).assume_role(
        RoleArn=role["Arn"], RoleSessionName="deploy-job"
    )["Credentials"]
    yield {
        "url": url,
        "role_arn": role["Arn"],
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }
    server.stop()


# -- examples/ -------------------------------------------------------------------------------------


def explain_here(path: Path, tmp: Path, sts: Callable[[], dict[str, str]]) -> None:
    env = sandbox(tmp)
    nothing = run([str(path)], env, tmp)
    assert nothing.returncode == 1, nothing.stderr
    assert "iam-role" in nothing.stdout
    (tmp / "home" / ".aws" / "credentials").write_text(USER_KEYS)
    for flags in ([], ["--offline"]):
        keys = run([str(path), *flags], env, tmp)
        assert keys.returncode == 0, keys.stderr
        assert "botocore will use shared-credentials-file" in " ".join(keys.stdout.split())
        assert "AKIA************0001" in keys.stdout
        no_secret(keys.stdout, keys.stderr)


def app_startup(path: Path, tmp: Path, sts: Callable[[], dict[str, str]]) -> None:
    unset = run([str(path)], sandbox(tmp), tmp)
    assert unset.returncode == 0, unset.stderr
    assert "starting the application" in unset.stdout
    (tmp / "home" / ".aws" / "credentials").write_text(USER_KEYS)
    wrong = run([str(path)], sandbox(tmp, CREDCHAIN_REQUIRE_ROLE="Deployer"), tmp)
    assert wrong.returncode == 1
    assert "starting the application" not in wrong.stdout
    assert "Deployer" in wrong.stdout + wrong.stderr
    no_secret(wrong.stdout, wrong.stderr)


def ci_assert_role(path: Path, tmp: Path, sts: Callable[[], dict[str, str]]) -> None:
    aws = sts()
    keys = {k: v for k, v in aws.items() if k.startswith("AWS_")}
    env = sandbox(tmp, **keys, AWS_ENDPOINT_URL_STS=aws["url"], DEPLOY_ROLE=aws["role_arn"])
    ok = run([str(path)], env, tmp)
    assert ok.returncode == 0, ok.stderr
    assert "deploying as arn:aws:sts::123456789012:assumed-role/Deployer/deploy-job" in ok.stdout
    refused = run([str(path)], {**env, "DEPLOY_ROLE": "Auditor"}, tmp)
    assert refused.returncode == 1
    assert "deploying" not in refused.stdout and "Auditor" in refused.stderr
    no_secret(refused.stderr)
    assert aws["AWS_SECRET_ACCESS_KEY"] not in ok.stdout + refused.stderr


def conftest_example(path: Path, tmp: Path, sts: Callable[[], dict[str, str]]) -> None:
    (tmp / "test_with_the_example_conftest.py").write_text(path.read_text())
    result = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp)], sandbox(tmp), tmp)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def try_the_seed(path: Path, tmp: Path, sts: Callable[[], dict[str, str]]) -> None:
    result = run([str(path)], sandbox(tmp), tmp)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "botocore will use shared-credentials-file" in text
    assert "after the fix:" in text and "ExampleInstanceRole" in text
    assert "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" not in result.stdout + result.stderr


RUNNERS = {
    "try_the_seed.py": try_the_seed,
    "explain_here.py": explain_here,
    "app_startup.py": app_startup,
    "ci_assert_role.py": ci_assert_role,
    "conftest_example.py": conftest_example,
}


def test_every_example_is_run() -> None:
    """Each file in examples/ has a runner here: a new example can't go untested."""
    assert sorted(p.name for p in EXAMPLES) == sorted(RUNNERS)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example(path: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The example does what its docstring says, in a sandbox."""
    RUNNERS[path.name](path, tmp_path, lambda: request.getfixturevalue("sts"))


# -- runnable code blocks in README.md and docs/*.md --------------------------------------------


def blocks() -> list[tuple[str, str, str]]:
    """(where, how, code) of every block marked runnable."""
    found = []
    for document in DOCUMENTS:
        text = document.read_text()
        for match in RUNNABLE.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            where = f"{document.relative_to(ROOT)}:{line}"
            found.append((where, match["how"] or "script", match["code"]))
    return found


BLOCKS = blocks()


def test_markers_are_well_formed() -> None:
    """Every run marker sits right above a python block and names a known way to run it."""
    markers = sum(len(re.findall(r"^<!-- run", d.read_text(), re.MULTILINE)) for d in DOCUMENTS)
    assert markers == len(BLOCKS)
    assert {how for _, how, _ in BLOCKS} <= {"script", "pytest"}
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize(("where", "how", "code"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_runnable_block(where: str, how: str, code: str, tmp_path: Path) -> None:
    """The block runs as written: a script exits 0, a test module passes."""
    env = sandbox(tmp_path)
    if how == "pytest":
        (tmp_path / "test_block.py").write_text(code)
        result = run(["-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)], env, tmp_path)
        assert "passed" in result.stdout, result.stdout + result.stderr
    else:
        (tmp_path / "block.py").write_text(code)
        result = run([str(tmp_path / "block.py")], env, tmp_path)
    assert result.returncode == 0, f"{where}:\n{result.stdout}{result.stderr}"
