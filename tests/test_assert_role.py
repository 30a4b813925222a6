"""assert_role(), identify() and require_role() end to end, with moto's server as the real STS.

The seed article, step by step: an EC2 instance has the role ExampleInstanceRole,
but ``~/.aws/credentials`` holds the keys of the IAM user ExampleIAMuser, which
shadow it. The instance metadata service is a loopback server handing out the
role's credentials from moto's ``sts:AssumeRole``; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import datetime
import json
import logging
import pickle
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pytest

from credchain._assert_role import assert_role, check_report, require_role
from credchain._identity import Identity, identify
from credchain._report import ProviderResult, Report, Status
from credchain.exceptions import IdentityError, RoleAssertionError

ROLE = "ExampleInstanceRole"
USER = "ExampleIAMuser"
INSTANCE_ID = "i-01773d4a8ed647342"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens, connection refused
PLANTED_SECRET = "PLANTEDSECRETKEYNEVERPRINTED0000000000000"
PLANTED_TOKEN = "PLANTED-SESSION-TOKEN-NEVER-PRINTED"
PLANTED_KEY_ID = "ASIAEXAMPLEPLANT3456"


# -- loopback servers ------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def _serve(reply: Callable[[BaseHTTPRequestHandler], tuple[int, str]]) -> _Server:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            status, body = reply(self)
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _url(server: _Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@attrs.frozen
class AWS:
    """The moto account: STS endpoint, the role, the user's keys, the role's credentials."""

    sts_url: str
    account: str
    role_arn: str
    user_arn: str
    user_key_id: str
    user_secret: str
    role_credentials: dict[str, str]


@pytest.fixture(scope="module")
def aws() -> Iterator[AWS]:
    """moto's server on a loopback port, with the role, the user and its access keys."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as mp:
        _isolate(mp)
        import boto3

        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        iam = session.client("iam", endpoint_url=url)
        sts = session.client("sts", endpoint_url=url)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        user = iam.create_user(UserName=USER)["User"]
        key = iam.create_access_key(UserName=USER)["AccessKey"]
        assumed = sts.assume_role(RoleArn=role["Arn"], RoleSessionName=INSTANCE_ID)
    creds = assumed["Credentials"]
    expiration: datetime.datetime = creds["Expiration"]
    yield AWS(
        sts_url=url,
        account=role["Arn"].split(":")[4],
        role_arn=role["Arn"],
        user_arn=user["Arn"],
        user_key_id=key["AccessKeyId"],
        user_secret=key["SecretAccessKey"],
        role_credentials={
            "Code": "Success",
            "Type": "AWS-HMAC",
            "LastUpdated": "2020-01-01T00:00:00Z",
            "AccessKeyId": creds["AccessKeyId"],
            "SecretAccessKey": creds["SecretAccessKey"],
            "Token": creds["SessionToken"],
            "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )
    server.stop()


@pytest.fixture(scope="module")
def imds(aws: AWS) -> Iterator[str]:
    """A loopback instance metadata service with the role ExampleInstanceRole attached."""
    prefix = "/latest/meta-data/iam/security-credentials/"

    def reply(request: BaseHTTPRequestHandler) -> tuple[int, str]:
        if request.command == "PUT" and request.path == "/latest/api/token":
            return 200, "fake-imds-token"
        if request.path == prefix:
            return 200, ROLE
        if request.path == prefix + ROLE:
            return 200, json.dumps(aws.role_credentials)
        return 404, ""

    server = _serve(reply)
    yield _url(server) + "/"
    server.shutdown()


@pytest.fixture(scope="module")
def expired_sts() -> Iterator[str]:
    """A loopback STS that refuses every call with ExpiredToken."""
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
        "<Type>Sender</Type><Code>ExpiredToken</Code>"
        "<Message>The security token included in the request is expired</Message>"
        "</Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    )
    server = _serve(lambda request: (400, body))
    yield _url(server)
    server.shutdown()


def _isolate(mp: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith(("AWS_", "BOTO_", "CREDCHAIN_")) or name.lower().endswith("_proxy"):
            mp.delenv(name)
    mp.setenv("NO_PROXY", "127.0.0.1,localhost")
    mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
    mp.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never 169.254.169.254
    mp.setenv("AWS_ENDPOINT_URL_STS", UNREACHABLE)  # an unplanned STS call fails on loopback


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME and an environment with no AWS_* variable of the outer one."""
    _isolate(monkeypatch)
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_METADATA_SERVICE_TIMEOUT", "2")
    return home


@pytest.fixture
def instance(home: Path, aws: AWS, imds: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An EC2 instance with ExampleInstanceRole attached and STS at moto; returns HOME."""
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws.sts_url)
    return home


def _write_credentials(home: Path, text: str) -> Path:
    path = home / ".aws" / "credentials"
    path.write_text(text)
    return path


@pytest.fixture
def seed(instance: Path, aws: AWS) -> Path:
    """The seed article's instance: ExampleIAMuser's keys in ~/.aws/credentials [default]."""
    return _write_credentials(
        instance,
        f"[default]\naws_access_key_id = {aws.user_key_id}\n"
        f"aws_secret_access_key = {aws.user_secret}\n",
    )


@pytest.fixture
def moto_auth(aws: AWS) -> Iterator[None]:
    """Make moto check signatures and access keys (it accepts anything by default)."""

    def reset(count: str) -> None:
        request = urllib.request.Request(
            f"{aws.sts_url}/moto-api/reset-auth",
            data=count.encode(),
            method="POST",
            headers={"Content-Type": "text/plain"},  # a form body would be parsed away
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()

    reset("0")
    yield
    reset("inf")


def _raises(**kwargs: Any) -> RoleAssertionError:
    with pytest.raises(RoleAssertionError) as info:
        assert_role(**kwargs)
    return info.value


# -- the seed article ------------------------------------------------------------------------


class TestSeedArticle:
    def test_user_keys_shadow_the_instance_role(self, seed: Path, aws: AWS) -> None:
        """Step 1: verified, the user's keys win and the message names file, section and role."""
        err = _raises(role=ROLE)
        text = str(err)
        assert err.actual == aws.user_arn == f"arn:aws:iam::{aws.account}:user/{USER}"
        assert err.verified
        assert err.provider == "shared-credentials-file"
        assert str(seed) in text and "[default]" in text
        assert "IAM user" in text
        assert any(ROLE in line and "iam-role" in line for line in err.shadowed)
        assert err.fix and str(seed) in err.fix
        assert text.startswith(f"expected role {ROLE!r}, but ")
        assert isinstance(err, AssertionError)

    def test_offline_user_keys_fail_without_sts(
        self, seed: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """verify=False rejects long-term AKIA keys from configuration alone, never calling STS."""
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", UNREACHABLE)
        err = _raises(role=ROLE, verify=False)
        assert "long-term IAM user keys" in str(err)
        assert "could not be verified" not in str(err)
        assert not err.verified and err.actual is None
        assert str(seed) in str(err) and ROLE in str(err)

    def test_passes_once_the_keys_are_removed(self, seed: Path, aws: AWS) -> None:
        """Step 2: with the credentials file gone, STS says the instance role is in use."""
        seed.unlink()
        identity = assert_role(ROLE)
        assert identity.verified
        assert identity.arn == f"arn:aws:sts::{aws.account}:assumed-role/{ROLE}/{INSTANCE_ID}"
        assert (identity.role_name, identity.session_name) == (ROLE, INSTANCE_ID)
        assert (identity.account, identity.provider) == (aws.account, "iam-role")
        assert identity.report is not None and identity.report.winner is not None
        assert identity.report.winner.method == "iam-role"
        assert ROLE in str(identity) and "verified" in str(identity)

    def test_offline_passes_once_the_keys_are_removed(self, seed: Path) -> None:
        """verify=False passes on the instance role name from the metadata service."""
        seed.unlink()
        identity = assert_role(ROLE, verify=False)
        assert (identity.role_name, identity.provider, identity.verified) == (
            ROLE,
            "iam-role",
            False,
        )

    @pytest.mark.parametrize(
        "expected",
        [
            "arn:aws:iam::{account}:role/ExampleInstanceRole",
            "arn:aws:iam::{account}:role/some/path/ExampleInstanceRole",
            "arn:aws:sts::{account}:assumed-role/ExampleInstanceRole/i-01773d4a8ed647342",
            "Example*Role",
            None,
        ],
    )
    def test_role_forms_and_account(self, instance: Path, aws: AWS, expected: str | None) -> None:
        """Role ARNs (with a path), assumed-role ARNs, globs and 'any role' pass with an account."""
        role = expected.format(account=aws.account) if expected else None
        identity = assert_role(role, account=aws.account)
        assert identity.role_name == ROLE

    def test_wrong_role(self, instance: Path, aws: AWS) -> None:
        """Another role name fails, naming the role botocore would use."""
        err = _raises(role="OtherRole")
        assert f"role {ROLE}" in str(err)
        assert err.actual is not None and err.actual.endswith(f"assumed-role/{ROLE}/{INSTANCE_ID}")

    def test_wrong_account(self, instance: Path, aws: AWS) -> None:
        """The right role in another account fails."""
        err = _raises(role=ROLE, account="210987654321")
        assert "210987654321" in str(err) and aws.account in str(err)

    def test_assume_role_profile(
        self, seed: Path, aws: AWS, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A profile with role_arn and source_profile passes, verified and offline alike."""
        seed.write_text(seed.read_text().replace("[default]", "[base]"))
        (seed.parent / "config").write_text(
            f"[profile deploy]\nrole_arn = {aws.role_arn}\nsource_profile = base\n"
        )
        with caplog.at_level(logging.DEBUG):
            identity = assert_role(aws.role_arn, account=aws.account, profile="deploy")
        assert identity.provider == "assume-role" and identity.role_name == ROLE
        assert identity.arn is not None and ":assumed-role/" in identity.arn
        assert "<SecretAccessKey>" not in caplog.text  # AssumeRole's response body
        assert "<SessionToken>" not in caplog.text
        offline = assert_role(ROLE, account=aws.account, profile="deploy", verify=False)
        assert (offline.arn, offline.account, offline.verified) == (
            aws.role_arn,
            aws.account,
            False,
        )

    def test_offline_account_is_unknown_for_an_instance_role(self, instance: Path) -> None:
        """Offline, an instance role's account is unknown: the message says to verify."""
        err = _raises(role=ROLE, account="123456789012", verify=False)
        assert "verify=True" in str(err)


# -- other failures --------------------------------------------------------------------------


class TestFailures:
    def test_no_credentials(self, home: Path) -> None:
        """Without any credentials the message says so and suggests role credentials."""
        err = _raises(role=ROLE)
        assert "no credentials" in str(err)
        assert err.provider is None and err.fix

    def test_chain_botocore_would_raise_on(self, home: Path) -> None:
        """A key id without a secret is botocore's PartialCredentialsError, named with its file."""
        path = _write_credentials(home, "[default]\naws_access_key_id = AKIAEXAMPLEKEY000001\n")
        err = _raises(role=ROLE)
        assert "PartialCredentialsError" in str(err)
        assert str(path) in str(err)
        assert err.provider == "shared-credentials-file"

    def test_missing_profile(self, home: Path) -> None:
        """An explicit profile that does not exist is botocore's ProfileNotFound."""
        err = _raises(role=ROLE, profile="nope")
        assert "ProfileNotFound" in str(err)

    def test_expired_credentials(
        self, home: Path, expired_sts: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """STS answering ExpiredToken fails with 'expired', the provider and a renewal fix."""
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", expired_sts)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", PLANTED_KEY_ID)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", PLANTED_SECRET)
        monkeypatch.setenv("AWS_SESSION_TOKEN", PLANTED_TOKEN)
        err = _raises(role=ROLE)
        assert "ExpiredToken" in str(err) and "expired" in str(err)
        assert err.provider == "env" and err.fix and "renew" in err.fix
        assert isinstance(err.__cause__, IdentityError) and err.__cause__.expired

    def test_sts_refuses_unknown_keys(
        self, home: Path, aws: AWS, moto_auth: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """moto, checking keys, refuses keys it never issued: InvalidClientTokenId."""
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws.sts_url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEUNKNO0001")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", PLANTED_SECRET)
        err = _raises(role=ROLE)
        assert "InvalidClientTokenId" in str(err) and "refused" in str(err)

    def test_sts_unreachable(self, seed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A closed STS port fails clearly and points at verify=False."""
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", UNREACHABLE)
        err = _raises(role=ROLE, timeout=2)
        assert "could not be reached" in str(err) and "127.0.0.1:9" in str(err)
        assert err.fix and "verify=False" in err.fix

    def test_offline_temporary_keys_are_unknown(
        self, home: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """ASIA keys in the environment name no role: offline fails and says to verify."""
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", PLANTED_KEY_ID)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", PLANTED_SECRET)
        monkeypatch.setenv("AWS_SESSION_TOKEN", PLANTED_TOKEN)
        err = _raises(role=ROLE, verify=False)
        assert "verify=True" in str(err) and "AWS_ACCESS_KEY_ID" in str(err)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"role": ROLE, "account": "12345"},
            {"role": "arn:aws:iam::123456789012:user/Bob"},
            {"role": ""},
        ],
    )
    def test_malformed_arguments(self, home: Path, kwargs: dict[str, Any]) -> None:
        """A malformed role or account is a ValueError, raised before anything is inspected."""
        with pytest.raises(ValueError):
            assert_role(**kwargs)


# -- secrets ---------------------------------------------------------------------------------


def _secret_failures(
    aws: AWS, home: Path, expired_sts: str, mp: pytest.MonkeyPatch
) -> dict[str, Callable[[], None]]:
    def user_keys() -> None:
        _write_credentials(
            home,
            f"[default]\naws_access_key_id = {aws.user_key_id}\n"
            f"aws_secret_access_key = {aws.user_secret}\n",
        )
        mp.setenv("AWS_ENDPOINT_URL_STS", aws.sts_url)

    def expired_env() -> None:
        mp.setenv("AWS_ENDPOINT_URL_STS", expired_sts)
        mp.setenv("AWS_ACCESS_KEY_ID", PLANTED_KEY_ID)
        mp.setenv("AWS_SECRET_ACCESS_KEY", PLANTED_SECRET)
        mp.setenv("AWS_SESSION_TOKEN", PLANTED_TOKEN)

    def unreachable_file() -> None:
        _write_credentials(
            home,
            f"[default]\naws_access_key_id = {PLANTED_KEY_ID}\n"
            f"aws_secret_access_key = {PLANTED_SECRET}\naws_session_token = {PLANTED_TOKEN}\n",
        )
        mp.setenv("AWS_ENDPOINT_URL_STS", UNREACHABLE)

    return {"user_keys": user_keys, "expired_env": expired_env, "unreachable": unreachable_file}


class TestSecrets:
    @pytest.mark.parametrize("verify", [True, False])
    @pytest.mark.parametrize("case", ["user_keys", "expired_env", "unreachable"])
    def test_no_secret_in_error(
        self,
        home: Path,
        aws: AWS,
        expired_sts: str,
        monkeypatch: pytest.MonkeyPatch,
        case: str,
        verify: bool,
    ) -> None:
        """Planted secrets, tokens and full key ids never appear in message, repr or pickle."""
        _secret_failures(aws, home, expired_sts, monkeypatch)[case]()
        err = _raises(role=ROLE, verify=verify, timeout=2)
        pickled = pickle.dumps(err)
        texts = [str(err), repr(err), str(pickle.loads(pickled)), pickled.decode("latin-1")]
        texts += [str(err.__cause__), repr(err.__cause__)]
        for secret in (PLANTED_SECRET, PLANTED_TOKEN, PLANTED_KEY_ID, aws.user_secret):
            assert not any(secret in t for t in texts), secret
        assert not any(aws.user_key_id in t for t in texts)

    def test_no_secret_in_logs(
        self,
        home: Path,
        aws: AWS,
        expired_sts: str,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """require_role's log records hold no secret either."""
        _secret_failures(aws, home, expired_sts, monkeypatch)["expired_env"]()
        with caplog.at_level(logging.DEBUG), pytest.raises(RoleAssertionError):
            require_role(ROLE)
        assert caplog.text
        for secret in (PLANTED_SECRET, PLANTED_TOKEN, PLANTED_KEY_ID):
            assert secret not in caplog.text


# -- pickling --------------------------------------------------------------------------------


class TestPickle:
    def test_role_assertion_error_round_trips(self) -> None:
        """RoleAssertionError survives pickling (pytest-xdist) with its fields and message."""
        err = RoleAssertionError(
            "these are long-term IAM user keys, not a role",
            expected_role=ROLE,
            expected_account="123456789012",
            actual="arn:aws:iam::123456789012:user/ExampleIAMuser",
            verified=True,
            provider="shared-credentials-file",
            source="/home/u/.aws/credentials [default]",
            access_key="AKIA************G4SP",
            shadowed=("iam-role (role ExampleInstanceRole)",),
            fix="remove the [default] section",
            report=object(),
        )
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is RoleAssertionError and str(back) == str(err)
        assert back.shadowed == err.shadowed and back.verified and back.report is None

    def test_identity_error_round_trips(self) -> None:
        """IdentityError survives pickling with its code and kind."""
        err = IdentityError("ExpiredToken", "expired", kind="refused", endpoint="https://sts")
        back = pickle.loads(pickle.dumps(err))
        assert (back.code, back.kind, back.expired, str(back)) == (
            "ExpiredToken",
            "refused",
            True,
            str(err),
        )


# -- identify --------------------------------------------------------------------------------


class TestIdentify:
    def test_user_keys(self, seed: Path, aws: AWS) -> None:
        """identify() returns STS's verdict on the winning credentials, with botocore's METHOD."""
        identity = identify()
        assert identity.arn == aws.user_arn and identity.role_name is None
        assert (identity.provider, identity.verified, identity.kind) == (
            "shared-credentials-file",
            True,
            "user",
        )
        assert identity.report is None

    def test_env_mapping_is_used_and_restored(self, seed: Path, aws: AWS) -> None:
        """env= is the environment botocore sees during the call, and os.environ is restored."""
        import os

        before = dict(os.environ)
        env = dict(before, AWS_SHARED_CREDENTIALS_FILE=str(seed.parent / "absent"))
        identity = identify(env=env)
        assert identity.provider == "iam-role" and identity.role_name == ROLE
        assert dict(os.environ) == before

    def test_unreachable(self, seed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """An unreachable STS is an IdentityError of kind 'unreachable'."""
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", UNREACHABLE)
        with pytest.raises(IdentityError) as info:
            identify(timeout=2)
        assert info.value.kind == "unreachable" and info.value.endpoint == UNREACHABLE
        assert info.value.provider == "shared-credentials-file"

    def test_no_credentials(self, home: Path) -> None:
        """No credentials at all is an IdentityError of kind 'no-credentials'."""
        with pytest.raises(IdentityError) as info:
            identify()
        assert (info.value.code, info.value.kind) == ("NoCredentialsError", "no-credentials")

    def test_profile_and_session_together(self, home: Path) -> None:
        """profile= and session= are exclusive."""
        import botocore.session

        with pytest.raises(ValueError):
            identify(profile="x", session=botocore.session.Session())

    def test_boto3_session(self, seed: Path, aws: AWS) -> None:
        """A boto3 session is accepted and its botocore session used."""
        import boto3

        assert identify(session=boto3.session.Session()).arn == aws.user_arn


# -- require_role ----------------------------------------------------------------------------


class TestRequireRole:
    def test_nothing_required_is_a_no_op(self, home: Path) -> None:
        """Without a role argument or CREDCHAIN_REQUIRE_ROLE it returns None and checks nothing."""
        assert require_role() is None

    def test_variable_demands_the_role(
        self, seed: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        """CREDCHAIN_REQUIRE_ROLE makes it fail: the chain logged at INFO, the error at ERROR."""
        monkeypatch.setenv("CREDCHAIN_REQUIRE_ROLE", ROLE)
        with caplog.at_level(logging.INFO, logger="credchain"), pytest.raises(RoleAssertionError):
            require_role()
        infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert any("shared-credentials-file" in m for m in infos)
        assert len(errors) == 1 and ROLE in errors[0]

    def test_log_lines_have_one_prefix(
        self, seed: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The report's own first line is not prefixed a second time: no `credchain: credchain:`."""
        monkeypatch.setenv("CREDCHAIN_REQUIRE_ROLE", ROLE)
        with caplog.at_level(logging.INFO, logger="credchain"), pytest.raises(RoleAssertionError):
            require_role()
        messages = [r.getMessage() for r in caplog.records]
        assert any(m.startswith("credchain: botocore ") for m in messages)
        assert not any("credchain: credchain:" in m for m in messages)

    def test_exit(self, seed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """exit=True turns a failure into SystemExit(1)."""
        monkeypatch.setenv("CREDCHAIN_REQUIRE_ROLE", ROLE)
        with pytest.raises(SystemExit) as info:
            require_role(exit=True)
        assert info.value.code == 1

    def test_exit_on_malformed_variable(self, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A malformed CREDCHAIN_REQUIRE_ACCOUNT also exits 1 with exit=True."""
        monkeypatch.setenv("CREDCHAIN_REQUIRE_ACCOUNT", "not-an-account")
        with pytest.raises(SystemExit):
            require_role(exit=True)

    def test_passes_and_logs_identity(
        self,
        instance: Path,
        aws: AWS,
        monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        """On the instance role it returns the identity and logs who the process runs as."""
        monkeypatch.setenv("CREDCHAIN_REQUIRE_ACCOUNT", aws.account)
        with caplog.at_level(logging.INFO, logger="credchain"):
            identity = require_role(ROLE)
        assert identity is not None and identity.account == aws.account
        assert any("running as" in r.getMessage() for r in caplog.records)

    def test_variables_from_env_mapping(self, home: Path) -> None:
        """With env=, the variables are read from that mapping."""
        import os

        env = dict(os.environ, CREDCHAIN_REQUIRE_ROLE=ROLE)
        with pytest.raises(RoleAssertionError):
            require_role(env=env)


# -- judging reports offline -----------------------------------------------------------------


def _report(winner: ProviderResult, *shadowed: ProviderResult) -> Report:
    return Report(
        providers=(winner, *shadowed),
        winner=winner,
        raises=None,
        error=None,
        profile="default",
        botocore_version="1.44.8",
    )


def _found(method: str, **kw: Any) -> ProviderResult:
    return ProviderResult(method, Status.FOUND, kw.pop("source", "somewhere"), "found", **kw)


class TestCheckReport:
    @pytest.mark.parametrize(
        ("winner", "role", "account"),
        [
            (_found("assume-role", role_arn="arn:aws:iam::123456789012:role/ci/Deployer"),
             "Deployer", "123456789012"),
            (_found("assume-role-with-web-identity",
                    role_arn="arn:aws-us-gov:iam::123456789012:role/Pod"),
             "arn:aws-us-gov:iam::123456789012:role/x/Pod", None),
            (_found("sso", role_arn="arn:aws:iam::123456789012:role/AdministratorAccess"),
             "AWSReservedSSO_AdministratorAccess_*", "123456789012"),
            (_found("sso", role_arn="arn:aws:iam::123456789012:role/AdministratorAccess"),
             "AdministratorAccess", None),
            (_found("iam-role", role_arn="role/ExampleInstanceRole"), ROLE, None),
            (_found("container-role", role_arn="arn:aws:iam::123456789012:role/Task"),
             "Task", None),
        ],
    )  # fmt: skip
    def test_offline_passes(self, winner: ProviderResult, role: str, account: str | None) -> None:
        """role_arn, AWS_ROLE_ARN, sso_role_name and the IMDS role name decide offline."""
        identity = check_report(_report(winner), role, account=account)
        assert identity.provider == winner.method and not identity.verified

    @pytest.mark.parametrize(
        ("winner", "role", "phrase"),
        [
            (_found("env", access_key="AKIA************ABCD"), ROLE, "long-term IAM user keys"),
            (_found("env", access_key="ASIA************ABCD"), ROLE, "verify=True"),
            (_found("container-role", access_key="ASIA************ABCD"), ROLE, "verify=True"),
            (_found("custom-process"), ROLE, "cannot be known"),
            (_found("sso", role_arn="arn:aws:iam::123456789012:role/ReadOnly"),
             "AWSReservedSSO_AdministratorAccess_*", "ReadOnly"),
            (_found("sso", role_arn="arn:aws:iam::123456789012:role/AdministratorAccess"),
             "AWSReservedSSO_AdministratorAccess_0123456789abcdef", "verify=True"),
            (_found("assume-role", role_arn="arn:aws:iam::123456789012:role/Deployer"),
             "arn:aws:iam::210987654321:role/Deployer", "Deployer"),
        ],
    )  # fmt: skip
    def test_offline_fails(self, winner: ProviderResult, role: str, phrase: str) -> None:
        """Static keys, unknowable roles and mismatches fail offline with a clear reason."""
        with pytest.raises(RoleAssertionError) as info:
            check_report(_report(winner), role)
        assert phrase in str(info.value)

    def test_verified_identity_decides(self) -> None:
        """With a verified identity, STS's ARN is judged, not the report."""
        report = _report(_found("iam-role", role_arn="role/ExampleInstanceRole"))
        arn = f"arn:aws:sts::123456789012:assumed-role/{ROLE}/{INSTANCE_ID}"
        identity = Identity(arn, "123456789012", ROLE, "iam-role", True, INSTANCE_ID)
        assert check_report(report, ROLE, identity=identity) is identity
        with pytest.raises(RoleAssertionError):
            check_report(report, "Other", identity=identity)

    def test_raises_and_nothing(self) -> None:
        """A report that raises, or finds nothing, fails before any matching."""
        error = ProviderResult(
            "env", Status.ERROR, "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY", "partial"
        )
        raising = Report((error,), None, "PartialCredentialsError", error, "default", "1.44.8")
        with pytest.raises(RoleAssertionError, match="PartialCredentialsError"):
            check_report(raising, ROLE)
        empty = Report((), None, None, None, "default", "1.44.8")
        with pytest.raises(RoleAssertionError, match="no credentials"):
            check_report(empty, ROLE)
