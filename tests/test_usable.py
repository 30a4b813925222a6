"""Honest headlines: ``usable`` for winners that fail at first use, ``undetermined`` when an
uninspectable provider comes first, and no made-up IAM Identity Center role ARNs."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import botocore.credentials
import botocore.session
import pytest

import credchain
from credchain import Status
from credchain._cli import main
from credchain.testing import Sandbox

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 12, 1, 15, 0, 0, tzinfo=UTC)
SECRET = "SECRET-NEVER-PRINTED-USE"
ROLE = "AWSReservedSSO_AdministratorAccess_*"


def clock() -> datetime.datetime:
    return NOW


def flat(report: object) -> str:
    return " ".join(str(report).split())


def stamp(when: datetime.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    yield Sandbox(tmp_path)


def sso_token(sandbox: Sandbox, key: str, expires_at: str, **extra: str) -> None:
    sandbox.sso_cache_dir.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(key.encode()).hexdigest() + ".json"
    token = {"accessToken": f"{SECRET}-ACCESS", "expiresAt": expires_at, **extra}
    (sandbox.sso_cache_dir / name).write_text(json.dumps(token))


def sso_session_profile(sandbox: Sandbox, profile: str = "default") -> None:
    sandbox.sso_session(
        "corp", sso_start_url="https://example.awsapps.com/start", sso_region="eu-west-1"
    )
    sandbox.write_config(
        profile,
        sso_session="corp",
        sso_account_id="123456789012",
        sso_role_name="AdministratorAccess",
    )


def legacy_sso_profile(sandbox: Sandbox, profile: str = "dev") -> None:
    sandbox.write_config(
        profile,
        sso_start_url="https://legacy.awsapps.com/start",
        sso_region="us-east-1",
        sso_account_id="111122223333",
        sso_role_name="ReadOnly",
    )


class TestUsable:
    def test_expired_sso_token_is_unusable_but_still_the_winner(self, sandbox: Sandbox) -> None:
        """botocore still returns the sso winner; usable False says the first call fails."""
        sso_session_profile(sandbox)
        sso_token(sandbox, "corp", stamp(NOW - datetime.timedelta(hours=3)))
        report = credchain.explain(env=sandbox.env, clock=clock)
        w = report.winner
        assert w is not None and w.method == "sso" and w.status is Status.FOUND
        assert w.usable is False
        assert w.expires_at == NOW - datetime.timedelta(hours=3)
        text = flat(report)
        assert "botocore will use sso" in text
        assert "— but its SSO token expired 3 h ago: the first call fails" in text
        data = report.to_dict()["providers"][3]
        assert data["usable"] is False
        assert data["fix"] == "run `aws sso login --sso-session corp`"
        assert "remove the sso_" not in data["fix"]
        assert SECRET not in report.to_json() + str(report)

    def test_legacy_sso_fix_names_the_profile(self, sandbox: Sandbox) -> None:
        """Legacy SSO (no sso_session): the fix is `aws sso login --profile dev`."""
        legacy_sso_profile(sandbox)
        sso_token(sandbox, "https://legacy.awsapps.com/start", stamp(NOW - datetime.timedelta(1)))
        w = credchain.explain(env=sandbox.env, profile="dev", clock=clock).winner
        assert w is not None and w.usable is False
        assert w.fix == "run `aws sso login --profile dev`"

    def test_missing_token_cache(self, sandbox: Sandbox) -> None:
        """No cached SSO token at all: usable False, and the reason says so."""
        sso_session_profile(sandbox)
        w = credchain.explain(env=sandbox.env, clock=clock).winner
        assert w is not None and w.usable is False and w.expires_at is None
        assert "no cached SSO token" in (w.usable_reason or "")

    def test_refreshable_sso_session_token_is_not_judged(self, sandbox: Sandbox) -> None:
        """An expired sso-session token with refresh material: botocore tries a refresh, None."""
        sso_session_profile(sandbox)
        sso_token(
            sandbox,
            "corp",
            stamp(NOW - datetime.timedelta(minutes=10)),
            refreshToken=f"{SECRET}-REFRESH",
            clientId="client",
            clientSecret=f"{SECRET}-CLIENT",
            registrationExpiresAt=stamp(NOW + datetime.timedelta(days=30)),
        )
        report = credchain.explain(env=sandbox.env, clock=clock)
        w = report.winner
        assert w is not None and w.usable is None
        assert "refresh" in (w.usable_reason or "")
        assert SECRET not in report.to_json() + str(report)

    def test_assume_role_from_an_expired_sso_source(self, sandbox: Sandbox) -> None:
        """A role sourced from an SSO profile with an expired token is unusable too."""
        sso_session_profile(sandbox, "base")
        sandbox.write_config(
            "deploy", role_arn="arn:aws:iam::123456789012:role/Deploy", source_profile="base"
        )
        sso_token(sandbox, "corp", stamp(NOW - datetime.timedelta(hours=1)))
        w = credchain.explain(env=sandbox.env, profile="deploy", clock=clock).winner
        assert w is not None and w.method == "assume-role" and w.usable is False
        assert w.fix == "run `aws sso login --sso-session corp`"
        assert w.stop is not None and "role_arn" in w.stop

    def test_mfa_is_not_checked(self, sandbox: Sandbox) -> None:
        """mfa_serial: botocore will prompt at first use, so usable is None with that reason."""
        sandbox.write_credentials(
            "base", aws_access_key_id="AKIABASEKEYS0EXAMPLE", aws_secret_access_key=SECRET
        )
        sandbox.write_config(
            "admin",
            role_arn="arn:aws:iam::123456789012:role/Admin",
            source_profile="base",
            mfa_serial="arn:aws:iam::123456789012:mfa/me",
        )
        w = credchain.explain(env=sandbox.env, profile="admin", clock=clock).winner
        assert w is not None and w.usable is None
        assert "MFA" in (w.usable_reason or "")

    def test_missing_web_identity_token_file(self, sandbox: Sandbox) -> None:
        """A web identity token file that does not exist: found, usable False."""
        env = {
            **sandbox.env,
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(sandbox.root / "missing-token"),
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/Pod",
        }
        w = credchain.explain(env=env, clock=clock).winner
        assert w is not None and w.method == "assume-role-with-web-identity"
        assert w.usable is False and w.role_arn == "arn:aws:iam::123456789012:role/Pod"

    def test_assert_role_offline_fails_on_an_unusable_winner(self, sandbox: Sandbox) -> None:
        """assert_role(verify=False) fails on an expired SSO token and names the repair."""
        sso_session_profile(sandbox)
        sso_token(sandbox, "corp", stamp(NOW - datetime.timedelta(hours=3)))
        with pytest.raises(credchain.RoleAssertionError) as info:
            credchain.assert_role(ROLE, verify=False, env=sandbox.env, clock=clock)
        message = str(info.value)
        assert "not usable" in message and "aws sso login --sso-session corp" in message
        assert SECRET not in message

    def test_cli_exit_1_for_an_expired_sso_token(
        self, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """credchain explain exits 1 when the winner is unusable, 0 once the token is fresh."""
        sso_session_profile(sandbox)
        now = datetime.datetime.now(UTC)
        sso_token(sandbox, "corp", stamp(now - datetime.timedelta(hours=3)))
        with sandbox:
            assert main(["explain", "--no-network"]) == 1
            out = " ".join(capsys.readouterr().out.split())
            assert "but its SSO token expired 3 h ago" in out
            assert main(["explain", "--no-network", "--json"]) == 1
            data = json.loads(capsys.readouterr().out)
            sso = next(p for p in data["providers"] if p["method"] == "sso")
            assert (sso["usable"], sso["fix"]) == (False, "run `aws sso login --sso-session corp`")
            sso_token(sandbox, "corp", stamp(now + datetime.timedelta(hours=3)))
            assert main(["explain", "--no-network"]) == 0


class TestRoleNames:
    def test_sso_has_no_made_up_arn(self, sandbox: Sandbox) -> None:
        """SSO: role_arn None, role_name the permission set's pattern, the account known."""
        sso_session_profile(sandbox)
        sso_token(sandbox, "corp", stamp(NOW + datetime.timedelta(hours=1)))
        report = credchain.explain(env=sandbox.env, clock=clock)
        w = report.winner
        assert w is not None and w.role_arn is None
        assert (w.role_name, w.account) == (ROLE, "123456789012")
        data = report.to_dict()["providers"][3]
        assert data["role_arn"] is None and data["role_name"] == ROLE
        assert data["account"] == "123456789012"
        assert "arn:aws:iam::123456789012:role/AdministratorAccess" not in report.to_json()

    @pytest.mark.parametrize(
        ("role", "account"),
        [
            (ROLE, None),
            ("AdministratorAccess", "123456789012"),
            ("AWSReservedSSO_Admin*", None),
        ],
    )
    def test_offline_match_by_permission_set(
        self, sandbox: Sandbox, role: str, account: str | None
    ) -> None:
        """assert_role(verify=False) still matches an SSO role by its permission set."""
        sso_session_profile(sandbox)
        sso_token(sandbox, "corp", stamp(NOW + datetime.timedelta(hours=1)))
        identity = credchain.assert_role(
            role, account=account, verify=False, env=sandbox.env, clock=clock
        )
        assert identity.arn is None and identity.role_name == "AdministratorAccess"
        assert identity.account == "123456789012"

    def test_offline_other_permission_set_fails(self, sandbox: Sandbox) -> None:
        """Another permission set, or another account, fails offline."""
        sso_session_profile(sandbox)
        sso_token(sandbox, "corp", stamp(NOW + datetime.timedelta(hours=1)))
        for role, account in (("AWSReservedSSO_ReadOnly_*", None), (ROLE, "999999999999")):
            with pytest.raises(credchain.RoleAssertionError):
                credchain.assert_role(
                    role, account=account, verify=False, env=sandbox.env, clock=clock
                )


class StaticProvider(botocore.credentials.CredentialProvider):
    """An application's own botocore provider, with no credchain inspector."""

    METHOD = "vault-static"

    def load(self) -> botocore.credentials.Credentials:
        return botocore.credentials.Credentials("AKIAVAULTSTATEXAMPLE", SECRET, method=self.METHOD)


class TestUndetermined:
    @pytest.fixture
    def applied(self, sandbox: Sandbox) -> Iterator[Sandbox]:
        sandbox.write_credentials(
            aws_access_key_id="AKIAFILEKEYS0EXAMPLE", aws_secret_access_key=SECRET
        )
        with sandbox:
            yield sandbox

    def test_foreign_provider_before_env(self, applied: Sandbox) -> None:
        """A plugin inserted before env: no winner, undetermined names it, warning and headline."""
        session = botocore.session.Session()
        session.get_component("credential_provider").insert_before("env", StaticProvider())
        assert session.get_credentials().method == "vault-static"  # botocore's answer
        report = credchain.explain(session=session)
        assert report.winner is None and report.raises is None and report.error is None
        assert report.undetermined is not None
        assert report.undetermined.method == "vault-static"
        assert report.undetermined.status is Status.UNKNOWN
        assert any("vault-static" in w and "depends on it" in w for w in report.warnings)
        text = flat(report)
        assert "botocore's answer depends on vault-static" in text
        assert "load_foreign=True" in text
        assert "If vault-static supplies nothing, botocore will use shared-credentials-file" in text
        # What follows is what botocore uses when the plugin supplies nothing.
        assert report.get("shared-credentials-file").status is Status.FOUND  # type: ignore[union-attr]
        data = report.to_dict()
        assert data["undetermined"] == "vault-static" and data["winner"] is None
        assert SECRET not in report.to_json() + str(report)

    def test_load_foreign_decides(self, applied: Sandbox) -> None:
        """With load_foreign=True the plugin's load() decides and nothing is undetermined."""
        session = botocore.session.Session()
        session.get_component("credential_provider").insert_before("env", StaticProvider())
        report = credchain.explain(session=session, load_foreign=True)
        assert report.undetermined is None
        assert report.winner is not None and report.winner.method == "vault-static"
        assert report.to_dict()["undetermined"] is None

    def test_foreign_provider_after_the_winner_is_harmless(self, applied: Sandbox) -> None:
        """A plugin inserted after the winner changes nothing: the winner stands."""
        session = botocore.session.Session()
        session.get_component("credential_provider").insert_after("iam-role", StaticProvider())
        report = credchain.explain(session=session)
        assert report.undetermined is None
        assert report.winner is not None and report.winner.method == "shared-credentials-file"

    def test_offline_assert_role_fails_when_undetermined(self, applied: Sandbox) -> None:
        """assert_role(verify=False) cannot decide behind an uninspectable provider."""
        session = botocore.session.Session()
        session.get_component("credential_provider").insert_before("env", StaticProvider())
        with pytest.raises(credchain.RoleAssertionError) as info:
            credchain.assert_role("Worker", verify=False, session=session)
        assert "vault-static" in str(info.value) and "cannot inspect" in str(info.value)

    def test_imds_not_asked_is_not_undetermined(self, sandbox: Sandbox) -> None:
        """network=False leaves the metadata service unknown, but the answer is still decided."""
        env = {**sandbox.env}
        env.pop("AWS_EC2_METADATA_DISABLED")
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9/"
        report = credchain.explain(env=env, network=False)
        assert report.get("iam-role").status is Status.UNKNOWN  # type: ignore[union-attr]
        assert report.undetermined is None and report.winner is None

    def test_process_that_does_not_finish(self, sandbox: Sandbox) -> None:
        """A credential_process killed at the timeout leaves botocore's answer open."""
        script = sandbox.root / "hang.sh"
        script.write_text("#!/bin/sh\nexec sleep 30\n")
        script.chmod(0o755)
        sandbox.write_config(credential_process=str(script))
        sandbox.write_config(
            "default", aws_access_key_id="AKIACONFIGKEYEXAMPLE", aws_secret_access_key=SECRET
        )
        report = credchain.explain(env=sandbox.env, run_process=True, timeout=1)
        assert report.undetermined is not None
        assert report.undetermined.method == "custom-process"
        assert report.winner is None and report.to_dict()["undetermined"] == "custom-process"
        assert "--timeout" in flat(report)
