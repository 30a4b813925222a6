"""Expiry as data: ``ProviderResult.expires_at`` from every temporary credential, judged by a
fixed clock, rendered next to the winner, and checked by ``assert_role(min_validity=...)``."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import credchain
from credchain import _botocore
from credchain._cli import main
from credchain._expiry import parse_duration, relative, span
from credchain.testing import FakeContainerCredentials, FakeIMDS, Sandbox

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 12, 1, 15, 0, 0, tzinfo=UTC)
SECRET = "SECRET-NEVER-PRINTED-EXP"


def flat(report: object) -> str:
    """``str(report)`` with its line wrapping undone."""
    return " ".join(str(report).split())


def clock() -> datetime.datetime:
    return NOW


def at(**delta: float) -> str:
    """An ISO 8601 UTC stamp ``delta`` away from the fixed NOW."""
    return (NOW + datetime.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox over tmp_path, not applied to os.environ."""
    yield Sandbox(tmp_path)


def sso_token(sandbox: Sandbox, key: str, expires_at: str, **extra: str) -> Path:
    """A cached SSO token written where botocore's SSOTokenLoader looks for it."""
    sandbox.sso_cache_dir.mkdir(parents=True, exist_ok=True)
    path = sandbox.sso_cache_dir / (hashlib.sha1(key.encode()).hexdigest() + ".json")
    token = {"startUrl": "https://example.awsapps.com/start", "region": "us-east-1"}
    token.update(accessToken=f"{SECRET}-ACCESS", expiresAt=expires_at, **extra)
    path.write_text(json.dumps(token))
    return path


def sso_profile(sandbox: Sandbox, profile: str = "default") -> None:
    sandbox.sso_session(
        "corp", sso_start_url="https://example.awsapps.com/start", sso_region="eu-west-1"
    )
    sandbox.write_config(
        profile,
        sso_session="corp",
        sso_account_id="123456789012",
        sso_role_name="AdministratorAccess",
    )


def env_keys(sandbox: Sandbox, expiration: str) -> dict[str, str]:
    return {
        **sandbox.env,
        "AWS_ACCESS_KEY_ID": "ASIAENVEXPIRYEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": f"{SECRET}-TOKEN",
        "AWS_CREDENTIAL_EXPIRATION": expiration,
    }


class TestDurations:
    @pytest.mark.parametrize(
        ("text", "seconds"),
        [("90s", 90), ("30m", 1800), ("1h", 3600), ("1h30m", 5400), ("3600", 3600), ("2d", 172800)],
    )
    def test_parse_duration(self, text: str, seconds: int) -> None:
        """Durations in s/m/h/d units, combined, or plain seconds."""
        assert parse_duration(text) == datetime.timedelta(seconds=seconds)

    @pytest.mark.parametrize("text", ["", "abc", "1x", "-5", "0", "h", "nan", "inf"])
    def test_bad_duration(self, text: str) -> None:
        """Anything else, zero and negative durations are a ValueError."""
        with pytest.raises(ValueError):
            parse_duration(text)

    def test_relative_words(self) -> None:
        """Minutes and hours, in the future and the past."""
        assert relative(NOW + datetime.timedelta(minutes=42), NOW) == "expires in 42 min"
        assert relative(NOW - datetime.timedelta(hours=3), NOW) == "expired 3 h ago"
        assert span(datetime.timedelta(days=3)) == "3 days"


class TestEnv:
    def test_future_expiry(self, sandbox: Sandbox) -> None:
        """AWS_CREDENTIAL_EXPIRATION is an aware expires_at; the headline says the time left."""
        report = credchain.explain(env=env_keys(sandbox, at(minutes=42)), clock=clock)
        w = report.winner
        assert w is not None and w.method == "env"
        assert w.expires_at == NOW + datetime.timedelta(minutes=42)
        assert w.expires_at.tzinfo is not None
        assert w.usable is True
        assert "botocore will use env (key ASIA************MPLE), expires in 42 min." in flat(
            report
        )
        data = report.to_dict()
        assert data["providers"][0]["expires_at"] == "2026-12-01T15:42:00Z"
        assert data["checked_at"] == "2026-12-01T15:00:00Z"
        assert SECRET not in report.to_json() + str(report) + repr(report)

    def test_offset_is_normalised_to_utc(self, sandbox: Sandbox) -> None:
        """An expiry with an offset is kept aware, and JSON carries it in UTC."""
        report = credchain.explain(env=env_keys(sandbox, "2026-12-01T17:00:00+02:00"), clock=clock)
        assert report.to_dict()["providers"][0]["expires_at"] == "2026-12-01T15:00:00Z"
        assert report.winner is not None and report.winner.usable is False  # exactly now

    def test_expired(self, sandbox: Sandbox) -> None:
        """Expired environment credentials: found (botocore takes them), usable False."""
        report = credchain.explain(env=env_keys(sandbox, at(hours=-3)), clock=clock)
        w = report.winner
        assert w is not None and w.usable is False
        assert "expired 3 h ago" in (w.usable_reason or "")
        assert "— but they expired 3 h ago" in flat(report)

    def test_naive_expiry_fails_at_first_use(self, sandbox: Sandbox) -> None:
        """An expiry without a time zone: botocore raises TypeError at first use."""
        report = credchain.explain(env=env_keys(sandbox, "2099-01-01T00:00:00"), clock=clock)
        w = report.winner
        assert w is not None and w.expires_at is None and w.usable is False
        assert "time zone" in (w.usable_reason or "")

    def test_long_term_keys_have_no_expiry(self, sandbox: Sandbox) -> None:
        """Static keys: expires_at None, usable True, JSON null."""
        sandbox.write_credentials(
            aws_access_key_id="AKIAFILEKEYS0EXAMPLE", aws_secret_access_key=SECRET
        )
        report = credchain.explain(env=sandbox.env, clock=clock)
        w = report.winner
        assert w is not None and (w.expires_at, w.usable) == (None, True)
        assert report.get("shared-credentials-file").to_dict()["expires_at"] is None  # type: ignore[union-attr]


class TestProcess:
    def test_expiration_of_a_process_that_ran(self, sandbox: Sandbox) -> None:
        """A real credential_process printing Expiration, run: its expiry is the winner's."""
        sandbox.add_credential_process(
            output={
                "Version": 1,
                "AccessKeyId": "ASIAPROCESS00EXAMPLE",
                "SecretAccessKey": SECRET,
                "SessionToken": f"{SECRET}-TOKEN",
                "Expiration": at(hours=2),
            }
        )
        report = credchain.explain(env=sandbox.env, run_process=True, clock=clock)
        w = report.winner
        assert w is not None and w.method == "custom-process"
        assert w.expires_at == NOW + datetime.timedelta(hours=2) and w.usable is True
        assert "expires in 2 h" in flat(report)

    def test_expired_output(self, sandbox: Sandbox) -> None:
        """A process that prints expired credentials: usable False, botocore reruns it."""
        sandbox.add_credential_process(
            output={
                "Version": 1,
                "AccessKeyId": "ASIAPROCESS00EXAMPLE",
                "SecretAccessKey": SECRET,
                "Expiration": at(minutes=-5),
            }
        )
        report = credchain.explain(env=sandbox.env, run_process=True, clock=clock)
        assert report.winner is not None and report.winner.usable is False
        assert "runs it again" in report.winner.reason

    def test_not_run(self, sandbox: Sandbox) -> None:
        """Not run: no expiry known, usable None, and the headline says why."""
        sandbox.add_credential_process()
        report = credchain.explain(env=sandbox.env, clock=clock)
        w = report.winner
        assert w is not None and (w.expires_at, w.usable) == (None, None)
        assert "not run" in (w.usable_reason or "")
        assert "— the process was not run" in flat(report)


class TestEndpoints:
    def test_container_document(self, sandbox: Sandbox) -> None:
        """A loopback container endpoint's Expiration is the winner's expires_at."""
        creds = {"SecretAccessKey": SECRET, "Expiration": at(minutes=50)}
        with FakeContainerCredentials(credentials=creds) as fake:
            report = credchain.explain(env=fake.env(sandbox.env), clock=clock, timeout=5)
        w = report.winner
        assert w is not None and w.method == "container-role"
        assert w.expires_at == NOW + datetime.timedelta(minutes=50) and w.usable is True

    def test_container_expired(self, sandbox: Sandbox) -> None:
        """An endpoint handing out expired credentials: usable False."""
        creds = {"SecretAccessKey": SECRET, "Expiration": at(hours=-1)}
        with FakeContainerCredentials(credentials=creds) as fake:
            report = credchain.explain(env=fake.env(sandbox.env), clock=clock, timeout=5)
        assert report.winner is not None and report.winner.usable is False

    def test_container_not_probed(self, sandbox: Sandbox) -> None:
        """network=False: the endpoint is not asked, usable None."""
        with FakeContainerCredentials() as fake:
            report = credchain.explain(env=fake.env(sandbox.env), network=False, clock=clock)
            assert fake.requests == []
        w = report.winner
        assert w is not None and (w.expires_at, w.usable) == (None, None)

    def test_instance_metadata_document(self, sandbox: Sandbox) -> None:
        """A loopback metadata service's Expiration is the instance role's expires_at."""
        creds = {"SecretAccessKey": SECRET, "Expiration": at(hours=5)}
        with FakeIMDS(credentials=creds) as imds:
            report = credchain.explain(env=imds.env(sandbox.env), clock=clock, timeout=5)
        w = report.winner
        assert w is not None and w.method == "iam-role"
        assert w.expires_at == NOW + datetime.timedelta(hours=5) and w.usable is True
        assert "expires in 5 h" in flat(report)

    def test_instance_metadata_expired_is_not_judged(self, sandbox: Sandbox) -> None:
        """botocore extends expired instance credentials: usable None, with the reason."""
        creds = {"SecretAccessKey": SECRET, "Expiration": at(minutes=-10)}
        with FakeIMDS(credentials=creds) as imds:
            report = credchain.explain(env=imds.env(sandbox.env), clock=clock, timeout=5)
        w = report.winner
        assert w is not None and w.usable is None and "extends" in (w.usable_reason or "")


class TestTokens:
    def test_sso_token_expiry(self, sandbox: Sandbox) -> None:
        """The SSO token cache's expiresAt is the sso winner's expires_at."""
        sso_profile(sandbox)
        sso_token(sandbox, "corp", at(hours=7))
        report = credchain.explain(env=sandbox.env, clock=clock)
        w = report.winner
        assert w is not None and w.method == "sso"
        assert w.expires_at == NOW + datetime.timedelta(hours=7) and w.usable is True
        assert "expires in 7 h" in flat(report)
        assert SECRET not in report.to_json() + str(report)

    def test_assume_role_carries_the_sso_token_behind_it(self, sandbox: Sandbox) -> None:
        """A role whose source profile is SSO: expires_at is the token's."""
        sso_profile(sandbox, "base")
        sandbox.write_config(
            "deploy", role_arn="arn:aws:iam::123456789012:role/Deploy", source_profile="base"
        )
        sso_token(sandbox, "corp", at(minutes=20))
        report = credchain.explain(env=sandbox.env, profile="deploy", clock=clock)
        w = report.winner
        assert w is not None and w.method == "assume-role"
        assert w.expires_at == NOW + datetime.timedelta(minutes=20)

    @pytest.mark.skipif(
        _botocore.version_tuple() < (1, 41), reason="botocore before 1.41 has no login provider"
    )
    def test_login_cache(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The login cache's accessToken.expiresAt is the login winner's expires_at."""
        monkeypatch.setattr(_botocore, "has_crt", lambda: True)
        from credchain._context import Context
        from credchain.providers.login import LoginProvider

        session = "arn:aws:iam::123456789012:user/me"
        cache = tmp_path / "home" / ".aws" / "login" / "cache"
        cache.mkdir(parents=True)
        (tmp_path / "home" / ".aws" / "config").write_text(
            f"[default]\nlogin_session = {session}\n"
        )
        token = {
            "accessToken": {
                "accessKeyId": "ASIALOGIN0000EXAMPLE",
                "secretAccessKey": SECRET,
                "sessionToken": f"{SECRET}-TOKEN",
                "accountId": "123456789012",
                "expiresAt": at(minutes=-30),
            },
            "refreshToken": f"{SECRET}-REFRESH",
            "dpopKey": f"{SECRET}-DPOP",
            "clientId": "arn:aws:signin:::devtools/same-device",
        }
        name = hashlib.sha256(session.encode()).hexdigest() + ".json"
        (cache / name).write_text(json.dumps(token))
        ctx = Context({"HOME": str(tmp_path / "home")}, clock=clock)
        finding = LoginProvider().inspect(ctx, "default")
        assert finding.expires_at == NOW - datetime.timedelta(minutes=30)
        # botocore refreshes expired login credentials with the refresh token: not judged.
        assert finding.usable is None and "refresh" in (finding.usable_reason or "")
        token["accessToken"]["expiresAt"] = at(hours=1)  # type: ignore[index]
        (cache / name).write_text(json.dumps(token))
        fresh = LoginProvider().inspect(
            Context({"HOME": str(tmp_path / "home")}, clock=clock), "default"
        )
        assert fresh.usable is True and fresh.expires_at == NOW + datetime.timedelta(hours=1)

    def test_web_identity_has_no_offline_expiry(self, sandbox: Sandbox) -> None:
        """Web identity: STS sets the expiry at first use, so expires_at is None."""
        token = sandbox.root / "token"
        token.write_text("header.payload.signature")
        env = {
            **sandbox.env,
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/Pod",
        }
        w = credchain.explain(env=env, clock=clock).winner
        assert w is not None and (w.expires_at, w.usable) == (None, True)


class TestMinValidity:
    def test_sso_token_expiring_too_soon_fails(self, sandbox: Sandbox) -> None:
        """min_validity: an SSO token with 30 minutes left fails a one-hour demand."""
        sso_profile(sandbox)
        sso_token(sandbox, "corp", at(minutes=30))
        with pytest.raises(credchain.RoleAssertionError) as info:
            credchain.assert_role(
                "AWSReservedSSO_AdministratorAccess_*",
                verify=False,
                env=sandbox.env,
                min_validity=datetime.timedelta(hours=1),
                clock=clock,
            )
        message = str(info.value)
        assert "sso" in message and "sso-session corp" in message
        assert "expires in 30 min" in message and "1 h" in message
        assert "aws sso login --sso-session corp" in message
        assert SECRET not in message

    def test_enough_validity_passes(self, sandbox: Sandbox) -> None:
        """Seven hours left pass a one-hour demand."""
        sso_profile(sandbox)
        sso_token(sandbox, "corp", at(hours=7))
        identity = credchain.assert_role(
            "AWSReservedSSO_AdministratorAccess_*",
            verify=False,
            env=sandbox.env,
            min_validity=datetime.timedelta(hours=1),
            clock=clock,
        )
        assert identity.provider == "sso" and identity.account == "123456789012"

    def test_unknown_expiry_passes(self, sandbox: Sandbox) -> None:
        """A role botocore renews itself (expires_at None) passes any min_validity."""
        sandbox.write_credentials(
            "base", aws_access_key_id="AKIABASEKEYS0EXAMPLE", aws_secret_access_key=SECRET
        )
        sandbox.write_config(
            "deploy", role_arn="arn:aws:iam::123456789012:role/Deploy", source_profile="base"
        )
        identity = credchain.assert_role(
            "Deploy",
            verify=False,
            profile="deploy",
            env=sandbox.env,
            min_validity=datetime.timedelta(days=1),
            clock=clock,
        )
        assert identity.role_name == "Deploy"

    def test_verify_uses_the_probed_instance_expiry(self, sandbox: Sandbox) -> None:
        """verify=True: the metadata document's expiry decides, before any STS call."""
        creds = {"SecretAccessKey": SECRET, "Expiration": at(minutes=10)}
        with (
            FakeIMDS(role_name="Worker", credentials=creds) as imds,
            pytest.raises(credchain.RoleAssertionError) as info,
        ):
            credchain.assert_role(
                "Worker",
                env=imds.env(sandbox.env),
                min_validity=datetime.timedelta(minutes=30),
                clock=clock,
            )
        assert "iam-role" in str(info.value) and "expires in 10 min" in str(info.value)

    def test_cli_min_validity(self, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
        """assert-role --min-validity: exit 1 when too short, 0 when enough, 2 when malformed."""
        sso_profile(sandbox)
        soon = datetime.datetime.now(UTC) + datetime.timedelta(minutes=20)
        sso_token(sandbox, "corp", soon.strftime("%Y-%m-%dT%H:%M:%SZ"))
        role = "AWSReservedSSO_AdministratorAccess_*"
        with sandbox:
            assert main(["assert-role", role, "--no-verify", "--min-validity", "1h"]) == 1
            assert "expires in" in capsys.readouterr().err
            assert main(["assert-role", role, "--no-verify", "--min-validity", "5m"]) == 0
            assert main(["assert-role", role, "--no-verify", "--min-validity", "1h30x"]) == 2
            assert main(["assert-role", role, "--no-verify", "--min-validity", "900"]) == 0
