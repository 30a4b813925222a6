"""Tests of credchain.testing against the real botocore (loopback only)."""

from __future__ import annotations

import datetime
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import CredentialRetrievalError, EndpointConnectionError
from botocore.utils import (
    ContainerMetadataFetcher,
    InstanceMetadataFetcher,
    JSONFileCache,
    SSOTokenLoader,
)

from credchain.testing import BLOCKED_ENDPOINT, FakeContainerCredentials, FakeIMDS, Sandbox

ROLE_PATH = "/latest/meta-data/iam/security-credentials/"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """An applied sandbox in the test's tmp_path."""
    with Sandbox(tmp_path / "sandbox") as sb:
        yield sb


def credentials() -> Any:
    """What botocore's default session resolves right now."""
    return botocore.session.Session().get_credentials()


def http(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, str]:
    """Make one request and return status and body, HTTP errors included."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class TestFakeIMDS:
    def test_botocore_resolves_iam_role(self, sandbox: Sandbox) -> None:
        """botocore's default chain returns the fake's role credentials as iam-role."""
        with FakeIMDS(role_name="Deployer") as imds:
            sandbox.use_imds(imds)
            creds = credentials()
            frozen = creds.get_frozen_credentials()
        assert creds.method == "iam-role"
        assert frozen.access_key == imds.credentials["AccessKeyId"]
        assert frozen.secret_key == imds.credentials["SecretAccessKey"]
        assert frozen.token == imds.credentials["Token"]
        assert [(r.method, r.path, r.had_token) for r in imds.requests] == [
            ("PUT", "/latest/api/token", False),
            ("GET", ROLE_PATH, True),
            ("GET", ROLE_PATH + "Deployer", True),
        ]

    def test_botocore_fetcher_sees_role_name(self) -> None:
        """botocore's InstanceMetadataFetcher reads the configured role name."""
        with FakeIMDS(role_name="Deployer") as imds:
            fetched = InstanceMetadataFetcher(
                base_url=imds.endpoint
            ).retrieve_iam_role_credentials()
        assert fetched["role_name"] == "Deployer"
        assert fetched["access_key"] == "ASIAFAKEIMDS0EXAMPLE"

    def test_default_credentials_are_fake_looking(self) -> None:
        """The default access key is ASIA plus 16 uppercase alphanumerics ending in EXAMPLE."""
        key = FakeIMDS().credentials["AccessKeyId"]
        assert key.startswith("ASIA") and key.endswith("EXAMPLE")
        assert len(key) == 20 and key.isalnum() and key.isupper()

    def test_document_has_future_expiration(self) -> None:
        """The credentials document is a Success with an Expiration in botocore's format."""
        with FakeIMDS(role_name="r") as imds:
            status, body = http(imds.endpoint + ROLE_PATH.lstrip("/") + "r")
        document = json.loads(body)
        expiration = datetime.datetime.strptime(document["Expiration"], "%Y-%m-%dT%H:%M:%SZ")
        assert status == 200 and document["Code"] == "Success" and document["Type"] == "AWS-HMAC"
        assert expiration > datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

    def test_custom_credentials(self, sandbox: Sandbox) -> None:
        """Credentials passed in replace the fake ones."""
        custom = {"AccessKeyId": "ASIACUSTOM00EXAMPLE", "SecretAccessKey": "s", "Token": "t"}
        with FakeIMDS(credentials=custom) as imds:
            sandbox.use_imds(imds)
            assert credentials().access_key == "ASIACUSTOM00EXAMPLE"

    def test_v1_disabled_rejects_tokenless_requests(self) -> None:
        """With v1_enabled=False a GET without a token gets 401."""
        with FakeIMDS(v1_enabled=False) as imds:
            assert http(imds.endpoint + ROLE_PATH.lstrip("/"))[0] == 401
        assert imds.requests[0].had_token is False

    def test_token_refusal_falls_back_to_v1(self, sandbox: Sandbox) -> None:
        """A 405 on the token PUT makes botocore fall back to tokenless IMDSv1 GETs."""
        with FakeIMDS(token_status=405) as imds:
            sandbox.use_imds(imds)
            assert credentials().method == "iam-role"
        assert [r.had_token for r in imds.requests] == [False, False, False]

    @pytest.mark.parametrize(
        "options",
        [
            {"token_status": 404, "v1_enabled": False},
            {"no_role": True},
            {"status": 500},
        ],
    )
    def test_failure_modes_leave_botocore_without_credentials(
        self, sandbox: Sandbox, options: dict[str, Any]
    ) -> None:
        """No IMDSv2 with v1 off, no instance profile, or a 500 give botocore no credentials."""
        with FakeIMDS(**options) as imds:
            sandbox.use_imds(imds)
            assert credentials() is None
        assert imds.requests

    def test_slow_responses_time_out(self, sandbox: Sandbox) -> None:
        """A delay longer than botocore's metadata timeout leaves it without credentials."""
        sandbox.set_env(AWS_METADATA_SERVICE_TIMEOUT="1")
        with FakeIMDS(delay=30) as imds:
            sandbox.use_imds(imds)
            assert credentials() is None

    def test_env_points_at_server(self) -> None:
        """env() sets the endpoint and drops AWS_EC2_METADATA_DISABLED from the base."""
        with FakeIMDS() as imds:
            env = imds.env({"AWS_EC2_METADATA_DISABLED": "true", "KEEP": "1"})
        assert env == {"AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.endpoint, "KEEP": "1"}
        assert imds.endpoint.startswith("http://127.0.0.1:")

    def test_endpoint_needs_started_server(self) -> None:
        """Asking a stopped server for its endpoint raises a clear error."""
        with pytest.raises(RuntimeError, match="not started"):
            _ = FakeIMDS().endpoint

    def test_each_server_gets_its_own_port(self) -> None:
        """Two servers listen on different ephemeral ports."""
        with FakeIMDS() as one, FakeIMDS() as two:
            assert one.port != two.port


class TestFakeContainerCredentials:
    def test_botocore_resolves_container_role_with_auth_token(self, sandbox: Sandbox) -> None:
        """FULL_URI plus AUTHORIZATION_TOKEN makes botocore return container-role credentials."""
        with FakeContainerCredentials(auth_token="Bearer fake") as fake:
            sandbox.use_container(fake)
            creds = credentials()
            frozen = creds.get_frozen_credentials()
        assert creds.method == "container-role"
        assert sandbox.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == fake.url
        assert (frozen.access_key, frozen.secret_key, frozen.token) == (
            fake.credentials["AccessKeyId"],
            fake.credentials["SecretAccessKey"],
            fake.credentials["Token"],
        )
        assert [r.had_token for r in fake.requests] == [True]

    def test_token_file(self, sandbox: Sandbox) -> None:
        """The auth token can reach botocore through AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE."""
        with FakeContainerCredentials(auth_token="fake-token") as fake:
            sandbox.use_container(fake, token_file=True)
            assert credentials().method == "container-role"
        assert "AWS_CONTAINER_AUTHORIZATION_TOKEN" not in sandbox.env
        assert Path(sandbox.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]).read_text() == (
            "fake-token"
        )

    def test_wrong_or_missing_token_is_401(self) -> None:
        """Requests without the expected Authorization header get 401."""
        with FakeContainerCredentials(auth_token="right") as fake:
            assert http(fake.url)[0] == 401
            assert http(fake.url, headers={"Authorization": "wrong"})[0] == 401
            assert http(fake.url, headers={"Authorization": "right"})[0] == 200

    def test_document_fields(self) -> None:
        """RoleArn and AccountId are served when given, and missing_field drops a key."""
        with FakeContainerCredentials(
            role_arn="arn:aws:iam::123456789012:role/Task", account_id="123456789012"
        ) as fake:
            document = json.loads(http(fake.url)[1])
        assert document["RoleArn"].endswith(":role/Task") and document["AccountId"]
        with FakeContainerCredentials(missing_field="Token") as fake:
            assert "Token" not in json.loads(http(fake.url)[1])

    def test_failure_modes_over_http(self) -> None:
        """Forced status, bad JSON and an unknown path answer as configured."""
        with FakeContainerCredentials(status=503) as fake:
            assert http(fake.url)[0] == 503
        with FakeContainerCredentials(bad_json=True) as fake:
            status, body = http(fake.url)
            assert status == 200
            with pytest.raises(ValueError):
                json.loads(body)
            assert http(fake.endpoint + "elsewhere")[0] == 404

    def test_botocore_raises_on_server_error(
        self, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A failing endpoint makes botocore raise CredentialRetrievalError after its retries."""
        monkeypatch.setattr(ContainerMetadataFetcher, "SLEEP_TIME", 0)
        with FakeContainerCredentials(status=500) as fake:
            sandbox.use_container(fake)
            with pytest.raises(CredentialRetrievalError):
                credentials()
        assert len(fake.requests) == ContainerMetadataFetcher.RETRY_ATTEMPTS

    def test_botocore_lets_key_error_escape_on_missing_field(self, sandbox: Sandbox) -> None:
        """A document without Token makes botocore raise a bare KeyError."""
        with FakeContainerCredentials(missing_field="Token") as fake:
            sandbox.use_container(fake)
            with pytest.raises(KeyError):
                credentials()

    def test_slow_response_times_out_and_stop_cuts_it_short(self) -> None:
        """A client with a shorter timeout than the delay gives up; stop() still returns."""
        with FakeContainerCredentials(delay=60) as fake, pytest.raises(OSError):
            urllib.request.urlopen(fake.url, timeout=0.1)

    def test_env_replaces_other_container_variables(self) -> None:
        """env() drops a relative URI, which would win over the full one in botocore."""
        with FakeContainerCredentials() as fake:
            env = fake.env({"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/x"})
        assert env == {"AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url}

    def test_token_file_needs_a_token(self, tmp_path: Path) -> None:
        """Asking for a token file without an auth_token is an error."""
        with FakeContainerCredentials() as fake, pytest.raises(ValueError):
            fake.env({}, token_file=tmp_path / "token")


class TestSandbox:
    def test_hides_outer_variables_and_files(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Outer AWS_*/BOTO_* variables and ~/.aws files are invisible to botocore inside."""
        outer_home = tmp_path / "outer"
        (outer_home / ".aws").mkdir(parents=True)
        (outer_home / ".aws" / "credentials").write_text(
            "[outer]\naws_access_key_id = AKIAOUTER000EXAMPLE\naws_secret_access_key = x\n"
        )
        monkeypatch.setenv("HOME", str(outer_home))
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAOUTERENV0EXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "outer-secret")
        monkeypatch.setenv("AWS_PROFILE", "outer")
        monkeypatch.setenv("BOTO_CONFIG", str(outer_home / "boto"))
        monkeypatch.delenv("AWS_CONFIG_FILE", raising=False)
        monkeypatch.delenv("AWS_SHARED_CREDENTIALS_FILE", raising=False)
        assert credentials() is not None
        with Sandbox(tmp_path / "sb") as sandbox:
            assert credentials() is None
            assert "AWS_ACCESS_KEY_ID" not in os.environ and "AWS_PROFILE" not in os.environ
            assert os.environ["HOME"] == str(sandbox.home)
            assert os.environ["BOTO_CONFIG"].startswith(str(sandbox.root))
        assert credentials().access_key == "AKIAOUTERENV0EXAMPLE"

    def test_restores_environ_exactly(self, tmp_path: Path) -> None:
        """restore() puts back exactly the environment apply() replaced."""
        before = dict(os.environ)
        sandbox = Sandbox(tmp_path).apply()
        sandbox.set_env(AWS_PROFILE="x", EXTRA="1")
        sandbox.unset_env("PATH", "AWS_DEFAULT_REGION")
        assert os.environ["EXTRA"] == "1" and "PATH" not in os.environ
        assert Sandbox.current() is sandbox
        sandbox.restore()
        assert dict(os.environ) == before
        assert Sandbox.current() is None

    def test_environment_defaults(self, tmp_path: Path) -> None:
        """The sandbox disables IMDS, blocks credential services and sets a dummy region."""
        env = Sandbox(tmp_path, base_env={"AWS_REGION": "eu-west-1", "NO_PROXY": "corp"}).env
        assert env["AWS_EC2_METADATA_DISABLED"] == "true"
        assert env["AWS_DEFAULT_REGION"] == "us-east-1" and "AWS_REGION" not in env
        assert env["AWS_ENDPOINT_URL_STS"] == env["AWS_ENDPOINT_URL_SSO"] == BLOCKED_ENDPOINT
        assert env["NO_PROXY"].startswith("corp,") and "127.0.0.1" in env["no_proxy"]
        assert env["AWS_CONFIG_FILE"] == str(tmp_path / "home" / ".aws" / "config")

    def test_use_imds_enables_the_metadata_provider(self, tmp_path: Path) -> None:
        """use_imds() removes AWS_EC2_METADATA_DISABLED and points at the fake."""
        sandbox = Sandbox(tmp_path)
        with FakeIMDS() as imds:
            sandbox.use_imds(imds)
        assert "AWS_EC2_METADATA_DISABLED" not in sandbox.env
        assert sandbox.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] == imds.endpoint

    def test_profiles_are_read_by_botocore(self, sandbox: Sandbox) -> None:
        """write_credentials and write_config produce files botocore reads."""
        sandbox.write_credentials("dev", aws_access_key_id="AKIADEV00000EXAMPLE")
        sandbox.write_credentials("dev", aws_secret_access_key="dev-secret")
        sandbox.write_config("cfg", aws_access_key_id="AKIACFG00000EXAMPLE")
        sandbox.write_config("cfg", aws_secret_access_key="cfg-secret", region="eu-west-1")
        dev = botocore.session.Session(profile="dev").get_credentials()
        cfg = botocore.session.Session(profile="cfg").get_credentials()
        assert (dev.method, dev.access_key, dev.secret_key) == (
            "shared-credentials-file",
            "AKIADEV00000EXAMPLE",
            "dev-secret",
        )
        assert (cfg.method, cfg.access_key) == ("config-file", "AKIACFG00000EXAMPLE")
        assert "[profile cfg]" in sandbox.config_file.read_text()

    def test_sso_token_matches_botocore_cache_key(self, sandbox: Sandbox) -> None:
        """add_sso_token writes the cache file botocore's SSOTokenLoader looks up."""
        start_url = "https://corp.example/start"
        sandbox.sso_session("corp", sso_start_url=start_url, sso_region="us-east-1")
        sandbox.write_config(
            "sso", sso_session="corp", sso_account_id="123456789012", sso_role_name="Admin"
        )
        sandbox.add_sso_token("corp")
        sandbox.add_sso_token("https://legacy.example/start", expired=True)
        loader = SSOTokenLoader(cache=JSONFileCache(str(sandbox.sso_cache_dir)))
        token = loader(start_url, session_name="corp")
        legacy = loader("https://legacy.example/start")
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert token["expiresAt"] > now > legacy["expiresAt"]
        assert botocore.session.Session(profile="sso").get_credentials().method == "sso"

    def test_credential_process_works_with_botocore(self, sandbox: Sandbox) -> None:
        """The generated credential_process script is run by botocore."""
        script = sandbox.add_credential_process("proc")
        creds = botocore.session.Session(profile="proc").get_credentials()
        assert script.exists() and os.access(script, os.X_OK)
        assert creds.method == "custom-process"
        assert creds.get_frozen_credentials().access_key == "ASIAFAKEPROC0EXAMPLE"

    def test_failing_credential_process(self, sandbox: Sandbox) -> None:
        """A non-zero exit makes botocore raise CredentialRetrievalError; bad output escapes."""
        sandbox.add_credential_process("fails", "", exit_code=3, stderr="no luck")
        sandbox.add_credential_process("garbage", "not json")
        with pytest.raises(CredentialRetrievalError, match="no luck"):
            botocore.session.Session(profile="fails").get_credentials()
        with pytest.raises(ValueError):
            botocore.session.Session(profile="garbage").get_credentials()

    def test_accidental_sts_call_fails_locally(self, sandbox: Sandbox) -> None:
        """An assume-role profile's STS call goes to the blocked loopback endpoint."""
        sandbox.write_credentials("src", aws_access_key_id="AKIASRC00000EXAMPLE")
        sandbox.write_credentials("src", aws_secret_access_key="src-secret")
        sandbox.write_config(
            "dev", role_arn="arn:aws:iam::123456789012:role/Dev", source_profile="src"
        )
        creds = botocore.session.Session(profile="dev").get_credentials()
        assert creds.method == "assume-role"
        with pytest.raises(EndpointConnectionError, match=r"127\.0\.0\.1:9"):
            creds.get_frozen_credentials()

    def test_use_sts_accepts_only_loopback(self, tmp_path: Path) -> None:
        """use_sts() takes loopback URLs and refuses anything else."""
        sandbox = Sandbox(tmp_path)
        assert not sandbox.has_local_sts
        with pytest.raises(ValueError, match="loopback"):
            sandbox.use_sts("https://sts.amazonaws.com/")
        for url in ("http://localhost:5000/", "http://[::1]:5000/", "http://127.0.0.1:5000"):
            sandbox.use_sts(url)
            assert sandbox.has_local_sts and sandbox.env["AWS_ENDPOINT_URL_STS"] == url

    def test_use_sts_with_moto_server(self, sandbox: Sandbox) -> None:
        """With a local moto STS, an assume-role profile gets credentials for the role."""
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            sandbox.use_sts("http://{}:{}/".format(*server.get_host_and_port()))
            sandbox.write_credentials(
                "src", aws_access_key_id="AKIASRC00000EXAMPLE", aws_secret_access_key="s"
            )
            sandbox.write_config(
                "dev", role_arn="arn:aws:iam::123456789012:role/Dev", source_profile="src"
            )
            session = botocore.session.Session(profile="dev")
            arn = session.create_client("sts").get_caller_identity()["Arn"]
        finally:
            server.stop()
        assert arn.startswith("arn:aws:sts::123456789012:assumed-role/Dev/")

    def test_works_with_moto_mock_aws(self, sandbox: Sandbox) -> None:
        """moto's mock_aws started inside the sandbox serves clients; the sandbox env returns."""
        from moto import mock_aws

        with mock_aws():
            client = botocore.session.Session().create_client("s3")
            client.create_bucket(Bucket="credchain-sandbox")
            assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["credchain-sandbox"]
        assert {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"} == {
            k: v for k, v in sandbox.env.items() if k != "PYTEST_CURRENT_TEST"
        }

    def test_own_root_is_deleted_and_given_root_kept(self, tmp_path: Path) -> None:
        """A temporary root is deleted on exit; a root passed in is left alone."""
        with Sandbox() as own:
            own.write_config(region="us-east-1")
        with Sandbox(tmp_path / "given") as given:
            given.write_config(region="us-east-1")
        assert not own.root.exists()
        assert given.config_file.exists()

    def test_nested_sandboxes_restore_in_order(self, tmp_path: Path) -> None:
        """Nested sandboxes must be restored in reverse order."""
        before = dict(os.environ)
        outer = Sandbox(tmp_path / "a").apply()
        inner = Sandbox(tmp_path / "b").apply()
        with pytest.raises(RuntimeError):
            outer.restore()
        inner.restore()
        outer.restore()
        assert dict(os.environ) == before
