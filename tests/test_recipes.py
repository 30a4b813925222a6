"""The how-to recipes of docs/recipes/ run as written, against local fakes.

Each recipe's code lives in ``examples/recipes/`` and is included in the docs
with ``literalinclude``; these tests run those files in a subprocess whose
environment is a :class:`credchain.testing.Sandbox` (a temporary HOME): the
instance metadata service and the container endpoint are
:class:`~credchain.testing.FakeIMDS` / :class:`~credchain.testing.FakeContainerCredentials`
on 127.0.0.1, and STS is moto's ``ThreadedMotoServer``. Nothing leaves loopback.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import credchain
from credchain.testing import FakeContainerCredentials, FakeIMDS, Sandbox

ROOT = Path(__file__).resolve().parent.parent
RECIPES = ROOT / "examples" / "recipes"
DOCS = ROOT / "docs"
ACCOUNT = "123456789012"  # moto's default account
USER = "ExampleIAMuser"


@attrs.frozen
class STS:
    """moto's server: its URL and a way to mint role credentials and user keys."""

    url: str
    session: Any

    def role(self, name: str) -> str:
        """Create the role (idempotent) and return its ARN."""
        iam = self.session.create_client("iam", endpoint_url=self.url)
        try:
            return str(iam.get_role(RoleName=name)["Role"]["Arn"])
        except iam.exceptions.NoSuchEntityException:
            trust = {"Version": "2012-10-17", "Statement": []}
            role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
            return str(role["Role"]["Arn"])

    def role_credentials(self, name: str) -> dict[str, str]:
        """Temporary credentials of the role, as IMDS and container endpoints serve them."""
        sts = self.session.create_client("sts", endpoint_url=self.url)
        creds = sts.assume_role(RoleArn=self.role(name), RoleSessionName="recipe")["Credentials"]
        return {
            "AccessKeyId": creds["AccessKeyId"],
            "SecretAccessKey": creds["SecretAccessKey"],
            "Token": creds["SessionToken"],
            "Expiration": creds["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def user_keys(self) -> tuple[str, str]:
        """A fresh access key of the IAM user (the seed's long-term keys)."""
        iam = self.session.create_client("iam", endpoint_url=self.url)
        name = f"{USER}{uuid.uuid4().hex[:8]}"  # IAM allows two keys per user
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return str(key["AccessKeyId"]), str(key["SecretAccessKey"])


@pytest.fixture(scope="module")
def sts() -> Iterator[STS]:
    """moto's ThreadedMotoServer on a loopback port, as STS and IAM."""
    import botocore.session
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    with pytest.MonkeyPatch.context() as mp:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        session = botocore.session.Session()
        session.set_credentials("testing", "testing")
        session.set_config_variable("region", "us-east-1")
        yield STS(f"http://{host}:{port}", session)
    server.stop()


@pytest.fixture
def sandbox(tmp_path: Path, sts: STS) -> Sandbox:
    """A temporary HOME whose STS is moto and whose metadata service is disabled."""
    box = Sandbox(tmp_path / "sandbox")
    box.use_sts(sts.url)
    box.set_env(AWS_METADATA_SERVICE_TIMEOUT="2", AWS_METADATA_SERVICE_NUM_ATTEMPTS="1")
    return box


def run(sandbox: Sandbox, *argv: str, check: int | None = None) -> subprocess.CompletedProcess[str]:
    """Run a recipe file (or ``-m credchain``) with the sandbox's environment."""
    first = argv[0]
    cmd = (
        [sys.executable, "-m", "credchain", *argv[1:]]
        if first == "credchain"
        else [
            sys.executable,
            str(RECIPES / first),
            *argv[1:],
        ]
    )
    done = subprocess.run(
        cmd, env=sandbox.env, cwd=sandbox.root, capture_output=True, text=True, timeout=120
    )
    if check is not None:
        assert done.returncode == check, done.stdout + done.stderr
    return done


def no_secrets(done: subprocess.CompletedProcess[str], *secrets: str) -> None:
    """None of the secrets appear in the output."""
    for secret in secrets:
        assert secret not in done.stdout + done.stderr


@pytest.fixture
def instance_role(sandbox: Sandbox, sts: STS) -> Iterator[dict[str, str]]:
    """An EC2 instance with ExampleInstanceRole attached (moto-issued credentials)."""
    creds = sts.role_credentials("ExampleInstanceRole")
    with FakeIMDS(role_name="ExampleInstanceRole", credentials=creds) as imds:
        sandbox.use_imds(imds)
        yield creds


class TestEC2Seed:
    def test_diagnose_fix_verify(
        self, sandbox: Sandbox, sts: STS, instance_role: dict[str, str]
    ) -> None:
        """The seed walkthrough: keys shadow the role, --fix removes them, STS confirms the role."""
        key_id, secret = sts.user_keys()
        sandbox.write_credentials(aws_access_key_id=key_id, aws_secret_access_key=secret)

        explained = run(sandbox, "credchain", "explain", check=0)
        assert re.search(r"iam-role\s+shadowed", explained.stdout)

        diagnosed = run(sandbox, "ec2_seed.py", "ExampleInstanceRole", check=1)
        assert "rerun with --fix" in diagnosed.stdout
        run(sandbox, "credchain", "assert-role", "ExampleInstanceRole", check=1)

        fixed = run(sandbox, "ec2_seed.py", "ExampleInstanceRole", "--fix", check=0)
        assert f"arn:aws:sts::{ACCOUNT}:assumed-role/ExampleInstanceRole/" in fixed.stdout
        assert "verified by STS" in fixed.stdout
        assert "aws_access_key_id" not in sandbox.credentials_file.read_text()
        backups = list(sandbox.aws_dir.glob("credentials.removed-*"))
        assert len(backups) == 1 and backups[0].stat().st_mode & 0o077 == 0
        run(sandbox, "credchain", "assert-role", "ExampleInstanceRole", check=0)
        no_secrets(diagnosed, secret, instance_role["SecretAccessKey"], instance_role["Token"])
        no_secrets(fixed, secret, instance_role["SecretAccessKey"], instance_role["Token"])

    def test_clean_instance_passes(self, sandbox: Sandbox, instance_role: dict[str, str]) -> None:
        """On an instance without keys the walkthrough only verifies."""
        done = run(sandbox, "ec2_seed.py", "ExampleInstanceRole", check=0)
        assert "assumed-role/ExampleInstanceRole/" in done.stdout


class TestContainers:
    def test_ecs_task_role(self, sandbox: Sandbox, sts: STS) -> None:
        """ECS: the task role from the container endpoint wins, and STS confirms it."""
        creds = sts.role_credentials("OrdersTaskRole")
        with FakeContainerCredentials(credentials=creds, role_arn=sts.role("OrdersTaskRole")) as f:
            sandbox.use_container(f)
            done = run(sandbox, "container_role.py", "OrdersTaskRole", check=0)
            assert "assumed-role/OrdersTaskRole/" in done.stdout
            no_secrets(done, creds["SecretAccessKey"], creds["Token"])

            key_id, secret = sts.user_keys()  # keys baked into the task definition
            sandbox.set_env(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret)
            shadowed = run(sandbox, "container_role.py", "OrdersTaskRole", check=1)
            assert "botocore uses env" in shadowed.stdout
            assert re.search(r"container-role\s+shadowed", shadowed.stdout)
            no_secrets(shadowed, secret)

    def test_eks_pod_identity(self, sandbox: Sandbox, sts: STS) -> None:
        """EKS Pod Identity: a full URI and an authorization token file, then STS."""
        creds = sts.role_credentials("OrdersPodRole")
        fake = FakeContainerCredentials(
            path="/v1/credentials",
            auth_token="FAKE-POD-IDENTITY-TOKEN-NEVER-PRINTED",
            credentials=creds,
            account_id=ACCOUNT,
        )
        with fake:
            sandbox.use_container(fake, token_file=True)
            assert "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" in sandbox.env
            done = run(sandbox, "container_role.py", "OrdersPodRole", check=0)
            assert "assumed-role/OrdersPodRole/" in done.stdout
            assert all(r.had_token for r in fake.requests)
            no_secrets(done, creds["SecretAccessKey"], "FAKE-POD-IDENTITY-TOKEN-NEVER-PRINTED")


class TestLambda:
    def _function_env(self, sandbox: Sandbox, sts: STS, role: str) -> dict[str, str]:
        creds = sts.role_credentials("orders-fn-role")
        sandbox.set_env(
            AWS_ACCESS_KEY_ID=creds["AccessKeyId"],
            AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"],
            AWS_SESSION_TOKEN=creds["Token"],
            AWS_LAMBDA_FUNCTION_NAME="orders",
            CREDCHAIN_REQUIRE_ROLE=role,
        )
        return creds

    def test_cold_start_verifies_the_execution_role(self, sandbox: Sandbox, sts: STS) -> None:
        """The execution role's keys in the environment pass the cold-start check."""
        creds = self._function_env(sandbox, sts, "orders-fn-role")
        done = run(sandbox, "lambda_function.py", check=0)
        answer = json.loads(done.stdout)
        assert answer["function"] == "orders" and answer["provider"] == "env"
        assert answer["verified"] is True
        assert "assumed-role/orders-fn-role/" in answer["arn"]
        assert answer["access_key"] != creds["AccessKeyId"] and "*" in answer["access_key"]
        no_secrets(done, creds["SecretAccessKey"], creds["Token"])

    def test_wrong_role_fails_the_init(self, sandbox: Sandbox, sts: STS) -> None:
        """Another role than required fails the init with a RoleAssertionError."""
        creds = self._function_env(sandbox, sts, "payments-fn-role")
        done = run(sandbox, "lambda_function.py", check=1)
        assert "RoleAssertionError" in done.stderr and "payments-fn-role" in done.stderr
        no_secrets(done, creds["SecretAccessKey"], creds["Token"])


class TestGitHubActionsOIDC:
    def test_web_identity_role(self, sandbox: Sandbox, sts: STS) -> None:
        """A token file and AWS_ROLE_ARN: botocore calls AssumeRoleWithWebIdentity at moto."""
        arn = sts.role("gha-deploy")
        token = sandbox.root / "web-identity-token"
        token.write_text("eyJhbGciOiJSUzI1NiJ9.FAKE-OIDC-TOKEN-NEVER-PRINTED.c2ln")
        sandbox.set_env(
            AWS_WEB_IDENTITY_TOKEN_FILE=str(token),
            AWS_ROLE_ARN=arn,
            AWS_ROLE_SESSION_NAME="gha-run-1",
        )
        done = run(sandbox, "github_oidc.py", arn, check=0)
        assert "assume-role-with-web-identity" in done.stdout
        assert "assumed-role/gha-deploy/gha-run-1" in done.stdout
        no_secrets(done, "FAKE-OIDC-TOKEN-NEVER-PRINTED")

    def test_missing_token_file(self, sandbox: Sandbox, sts: STS) -> None:
        """A step without the token file fails before any STS call, saying why."""
        sandbox.set_env(
            AWS_WEB_IDENTITY_TOKEN_FILE=str(sandbox.root / "missing"),
            AWS_ROLE_ARN=sts.role("gha-deploy"),
        )
        done = run(sandbox, "github_oidc.py", check=1)
        assert "will not work" in done.stdout


class TestLaptopSSO:
    def _profile(self, sandbox: Sandbox) -> None:
        sandbox.sso_session(
            "corp", sso_start_url="https://corp.awsapps.com/start", sso_region="us-east-1"
        )
        sandbox.write_config(
            "dev", sso_session="corp", sso_account_id=ACCOUNT, sso_role_name="Admin"
        )

    def test_signed_in(self, sandbox: Sandbox) -> None:
        """A valid cached token: the role, the account and the expiry."""
        self._profile(sandbox)
        sandbox.add_sso_token("corp")
        done = run(sandbox, "laptop_sso.py", "dev", check=0)
        assert "AWSReservedSSO_Admin_" in done.stdout and ACCOUNT in done.stdout
        no_secrets(done, "FAKE-SSO-ACCESS-TOKEN-NEVER-PRINTED")

    def test_expired_token_says_what_to_run(self, sandbox: Sandbox) -> None:
        """An expired token: the recipe says to sign in again, and touches nothing."""
        self._profile(sandbox)
        token = sandbox.add_sso_token("corp", expired=True)
        before = token.read_text()
        done = run(sandbox, "laptop_sso.py", "dev", check=1)
        assert "aws sso login --profile dev" in done.stdout
        assert token.read_text() == before


class TestStartupCheck:
    APP = ("python3", "-c", "print('application started')")

    def test_right_role_starts_the_command(
        self, sandbox: Sandbox, instance_role: dict[str, str]
    ) -> None:
        """The entrypoint checks the role, then becomes the command."""
        sandbox.set_env(CREDCHAIN_REQUIRE_ROLE="ExampleInstanceRole")
        done = run(sandbox, "startup_check.py", sys.executable, *self.APP[1:], check=0)
        assert "application started" in done.stdout
        assert "iam-role" in done.stderr  # the chain, logged at INFO

    def test_shadowing_keys_stop_the_start(
        self, sandbox: Sandbox, sts: STS, instance_role: dict[str, str]
    ) -> None:
        """Keys that shadow the role: exit 1, the command never runs; same for ExecStartPre."""
        key_id, secret = sts.user_keys()
        sandbox.write_credentials(aws_access_key_id=key_id, aws_secret_access_key=secret)
        sandbox.set_env(CREDCHAIN_REQUIRE_ROLE="ExampleInstanceRole")
        done = run(sandbox, "startup_check.py", sys.executable, *self.APP[1:], check=1)
        assert "application started" not in done.stdout
        assert "ExampleInstanceRole" in done.stderr
        pre = run(sandbox, "credchain", "assert-role", "ExampleInstanceRole", check=1)
        no_secrets(done, secret)
        no_secrets(pre, secret)


# -- the fleet audit --------------------------------------------------------------------


def _host_report(tmp: Path, name: str, sts: STS, kind: str) -> dict[str, Any]:
    """A real report of one kind of host: ``seed``, ``clean``, ``container`` or ``empty``."""
    box = Sandbox(tmp / name)
    if kind == "seed":
        key_id, secret = sts.user_keys()
        box.write_credentials(aws_access_key_id=key_id, aws_secret_access_key=secret)
    if kind in ("seed", "clean"):
        with FakeIMDS(role_name="ExampleInstanceRole") as imds:
            box.use_imds(imds)
            return credchain.explain(env=box.env, timeout=5).to_dict()
    if kind == "container":
        with FakeContainerCredentials(role_arn=f"arn:aws:iam::{ACCOUNT}:role/Pod") as fake:
            box.use_container(fake)
            return credchain.explain(env=box.env, timeout=5).to_dict()
    return credchain.explain(env=box.env, network=False).to_dict()


FLEET = {
    "i-0aaa0000000000001": "seed",
    "i-0aaa0000000000002": "clean",
    "i-0aaa0000000000003": "clean",
    "i-0aaa0000000000004": "seed",
    "mi-0bbb000000000005": "empty",
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, sts: STS) -> dict[str, dict[str, Any]]:
    """Reports of five hosts: two seeds, two clean, one without credentials."""
    tmp = tmp_path_factory.mktemp("fleet")
    kinds: dict[str, dict[str, Any]] = {}
    for kind in sorted(set(FLEET.values())):
        kinds[kind] = _host_report(tmp, kind, sts, kind)
    return {host: kinds[kind] for host, kind in FLEET.items()}


def _ssm_output(root: Path, reports: dict[str, dict[str, Any]]) -> Path:
    """Lay reports out as Run Command writes them to S3 (after ``aws s3 sync``)."""
    command = root / "credchain-audit" / "0b3c5d1e-1111-2222-3333-444455556666"
    for host, report in reports.items():
        out = command / host / "awsrunShellScript" / "0.awsrunShellScript" / "stdout"
        out.parent.mkdir(parents=True)
        out.write_text(json.dumps(report, indent=2) + "\n")
    return command


class TestFleetAudit:
    def test_reports_validate(self, fleet: dict[str, dict[str, Any]], validate_json: Any) -> None:
        """The generated reports are schema-1 documents."""
        for report in fleet.values():
            validate_json(report, "report")

    def test_python_aggregator_on_ssm_output(
        self, fleet: dict[str, dict[str, Any]], tmp_path: Path
    ) -> None:
        """Hosts grouped by winner; every host whose keys shadow a role is flagged."""
        command = _ssm_output(tmp_path, fleet)
        done = subprocess.run(
            [sys.executable, str(RECIPES / "fleet_aggregate.py"), str(command), "--json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, done.stderr
        summary = json.loads(done.stdout)
        assert summary["hosts"] == 5
        assert summary["by_winner"] == {
            "iam-role": ["i-0aaa0000000000002", "i-0aaa0000000000003"],
            "none": ["mi-0bbb000000000005"],
            "shared-credentials-file": ["i-0aaa0000000000001", "i-0aaa0000000000004"],
        }
        assert {h: f["shadows"] for h, f in summary["flagged"].items()} == {
            "i-0aaa0000000000001": ["iam-role"],
            "i-0aaa0000000000004": ["iam-role"],
            "mi-0bbb000000000005": [],
        }
        text = subprocess.run(
            [sys.executable, str(RECIPES / "fleet_aggregate.py"), str(command)],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        assert "!! i-0aaa0000000000001: shared-credentials-file shadows iam-role" in text

    def test_clean_fleet_exits_zero(self, fleet: dict[str, dict[str, Any]], tmp_path: Path) -> None:
        """A fleet where every host uses its role is not flagged."""
        clean = {h: r for h, r in fleet.items() if FLEET[h] == "clean"}
        done = subprocess.run(
            [
                sys.executable,
                str(RECIPES / "fleet_aggregate.py"),
                str(_ssm_output(tmp_path, clean)),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def test_kubernetes_manifest_output(self, sandbox: Sandbox, tmp_path: Path) -> None:
        """The manifests' shell lines print JSON lines the aggregator reads (pip line left out)."""
        yaml = pytest.importorskip("yaml")
        lines = []
        with FakeContainerCredentials(role_arn=f"arn:aws:iam::{ACCOUNT}:role/Pod") as fake:
            sandbox.use_container(fake)
            for manifest in ("k8s-daemonset.yaml", "k8s-job.yaml"):
                doc = yaml.safe_load((RECIPES / "fleet" / manifest).read_text())
                spec = doc["spec"]["template"]["spec"]["containers"][0]
                script = "\n".join(
                    line
                    for line in spec["args"][0].splitlines()
                    if not line.startswith(("pip ", "sleep "))
                )
                env = {**sandbox.env, "NODE_NAME": f"node-{manifest[4:7]}"}
                env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
                done = subprocess.run(
                    ["/bin/sh", "-c", script], env=env, capture_output=True, text=True, timeout=60
                )
                assert done.returncode == 0, done.stderr
                lines.append(done.stdout)
        logs = tmp_path / "kubectl-logs.txt"
        logs.write_text("".join(lines))
        done = subprocess.run(
            [sys.executable, str(RECIPES / "fleet_aggregate.py"), str(logs), "--json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert json.loads(done.stdout)["by_winner"] == {"container-role": ["node-dae", "node-job"]}

    def test_jq_snippet(self, fleet: dict[str, dict[str, Any]], tmp_path: Path) -> None:
        """The documented jq filter groups and flags like the Python aggregator."""
        jq = shutil.which("jq")
        if jq is None:
            pytest.skip("jq is not installed")
        wrapped = [{"host": h, "report": r} for h, r in fleet.items()]
        for i, doc in enumerate(wrapped):
            (tmp_path / f"{i}.json").write_text(json.dumps(doc))
        done = subprocess.run(
            [
                jq,
                "-s",
                "-f",
                str(RECIPES / "fleet" / "aggregate.jq"),
                *map(str, sorted(tmp_path.glob("*.json"))),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out["by_winner"]["iam-role"] == ["i-0aaa0000000000002", "i-0aaa0000000000003"]
        assert sorted(f["host"] for f in out["flagged"]) == [
            "i-0aaa0000000000001",
            "i-0aaa0000000000004",
        ]

    def test_ssm_script_is_valid_shell(self) -> None:
        """The Run Command dispatcher parses as POSIX shell and uses AWS-RunShellScript on a tag."""
        script = RECIPES / "fleet" / "ssm-send-command.sh"
        subprocess.run(["/bin/sh", "-n", str(script)], check=True, timeout=30)
        text = script.read_text()
        assert "--document-name AWS-RunShellScript" in text
        assert "--targets Key=tag:" in text and "--output-s3-bucket-name" in text
        params = text[text.index("params=") : text.index("command_id=")]
        done = subprocess.run(
            ["/bin/sh", "-c", f'APP_USER=app\n{params}\nprintf %s "$params"'],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        commands = json.loads(done.stdout)["commands"]
        assert commands[-1] == "sudo -u app -H -i python3 -m credchain explain --json || true"


def test_every_recipe_is_in_the_docs_and_tested() -> None:
    """Each examples/recipes file is included by a docs/recipes page and named in this file."""
    pages = "\n".join(p.read_text() for p in (DOCS / "recipes").glob("*.md"))
    included = set(re.findall(r"literalinclude\W+\.\./\.\./examples/recipes/(\S+)", pages))
    files = {str(p.relative_to(RECIPES)) for p in RECIPES.rglob("*") if p.is_file()}
    files = {f for f in files if "__pycache__" not in f}
    assert files <= included, files - included
    assert included <= files, included - files
    here = Path(__file__).read_text()
    assert all(Path(f).name in here for f in files)


def test_try_the_seed() -> None:
    """The tutorial's one-command reproduction shows the shadowed role, then the fix passing."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "try_the_seed.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert re.search(r"iam-role\s+shadowed", done.stdout)
    assert "after the fix: role ExampleInstanceRole" in done.stdout
    assert "wJalrXUtnFEMI" not in done.stdout + done.stderr
    assert "AKIAIOSFODNN7EXAMPLE" not in done.stdout + done.stderr


def test_landing_page_reaches_the_diagnosis() -> None:
    """The landing page links the tutorial (one click), whose first command is the diagnosis."""
    index = (DOCS / "index.md").read_text()
    assert "{doc}`tutorial`" in index
    for caption in ("Tutorials", "How-to recipes", "Reference", "Explanation"):
        assert f":caption: {caption}" in index
    tutorial = (DOCS / "tutorial.md").read_text()
    first_block = tutorial.split("```sh\n", 1)[1].split("```", 1)[0]
    assert first_block.strip() == "pipx run credchain explain"
