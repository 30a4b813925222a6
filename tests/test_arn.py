"""ARN parsing and role matching (credchain._arn)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credchain._arn import ArnKind, Match, RoleRef, match_role, parse_arn, role_matches

ACCT = "123456789012"
OTHER = "210987654321"
SSO_ROLE = "AWSReservedSSO_AdministratorAccess_1a2b3c4d5e6f7a8b"


class TestParse:
    @pytest.mark.parametrize(
        ("arn", "kind", "name", "path", "session"),
        [
            (f"arn:aws:iam::{ACCT}:user/ExampleIAMuser", ArnKind.USER, "ExampleIAMuser", "/", None),
            (f"arn:aws:iam::{ACCT}:user/div/team/Bob", ArnKind.USER, "Bob", "/div/team/", None),
            (f"arn:aws:iam::{ACCT}:root", ArnKind.ROOT, None, "/", None),
            (f"arn:aws:iam::{ACCT}:role/Worker", ArnKind.ROLE, "Worker", "/", None),
            (f"arn:aws:iam::{ACCT}:role/app/Worker", ArnKind.ROLE, "Worker", "/app/", None),
            (
                f"arn:aws:sts::{ACCT}:assumed-role/Worker/i-0abc",
                ArnKind.ASSUMED_ROLE,
                "Worker",
                "/",
                "i-0abc",
            ),
            (
                f"arn:aws:sts::{ACCT}:assumed-role/{SSO_ROLE}/alice@example.com",
                ArnKind.ASSUMED_ROLE,
                SSO_ROLE,
                "/",
                "alice@example.com",
            ),
            (
                f"arn:aws:iam::{ACCT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/{SSO_ROLE}",
                ArnKind.ROLE,
                SSO_ROLE,
                "/aws-reserved/sso.amazonaws.com/eu-west-1/",
                None,
            ),
            (
                f"arn:aws:sts::{ACCT}:federated-user/carol",
                ArnKind.FEDERATED_USER,
                "carol",
                "/",
                None,
            ),
            (f"arn:aws:iam::{ACCT}:group/Admins", ArnKind.OTHER, None, "/", None),
            ("arn:aws:s3:::bucket/key", ArnKind.OTHER, None, "/", None),
        ],
    )
    def test_classifies(
        self, arn: str, kind: ArnKind, name: str | None, path: str, session: str | None
    ) -> None:
        """Each identity ARN shape is classified with its name, path and session name."""
        parsed = parse_arn(arn)
        assert (parsed.kind, parsed.name, parsed.path, parsed.session_name) == (
            kind,
            name,
            path,
            session,
        )
        assert str(parsed) == arn

    @pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
    def test_partitions(self, partition: str) -> None:
        """The partition is kept for aws, aws-cn and aws-us-gov."""
        parsed = parse_arn(f"arn:{partition}:sts::{ACCT}:assumed-role/Worker/s")
        assert (parsed.partition, parsed.account, parsed.role_name) == (partition, ACCT, "Worker")

    @pytest.mark.parametrize(
        ("name", "permission_set"),
        [
            (SSO_ROLE, "AdministratorAccess"),
            ("AWSReservedSSO_Read_Only_0123456789abcdef", "Read_Only"),
            ("Worker", None),
            ("AWSReservedSSO_NoSuffix", None),
        ],
    )
    def test_sso_permission_set(self, name: str, permission_set: str | None) -> None:
        """IAM Identity Center role names reveal their permission set; others don't."""
        parsed = parse_arn(f"arn:aws:sts::{ACCT}:assumed-role/{name}/s")
        assert parsed.sso_permission_set == permission_set

    @pytest.mark.parametrize("text", ["", "Worker", "arn:aws:iam", "ARN:aws:iam::1:root"])
    def test_rejects_non_arns(self, text: str) -> None:
        """Strings that are not ARNs raise ValueError."""
        with pytest.raises(ValueError):
            parse_arn(text)

    def test_user_is_not_a_role(self) -> None:
        """Users, root and federated users have no role name."""
        for arn in (
            f"arn:aws:iam::{ACCT}:user/u",
            f"arn:aws:iam::{ACCT}:root",
            f"arn:aws:sts::{ACCT}:federated-user/f",
        ):
            assert parse_arn(arn).role_name is None


ASSUMED = f"arn:aws:sts::{ACCT}:assumed-role/Worker/i-0abc"
SSO_ASSUMED = f"arn:aws:sts::{ACCT}:assumed-role/{SSO_ROLE}/alice@example.com"


class TestRoleMatches:
    @pytest.mark.parametrize(
        ("expected", "identity", "result"),
        [
            # names
            ("Worker", ASSUMED, True),
            ("worker", ASSUMED, False),  # case-sensitive
            ("Other", ASSUMED, False),
            ("app/Worker", ASSUMED, True),  # a path before the name is ignored
            # globs
            ("Work*", ASSUMED, True),
            ("*", ASSUMED, True),
            ("W?rker", ASSUMED, True),
            ("Admin*", ASSUMED, False),
            # IAM role ARNs: path ignored, partition and account must match
            (f"arn:aws:iam::{ACCT}:role/Worker", ASSUMED, True),
            (f"arn:aws:iam::{ACCT}:role/app/Worker", ASSUMED, True),
            (f"arn:aws:iam::{OTHER}:role/app/Worker", ASSUMED, False),
            (f"arn:aws-cn:iam::{ACCT}:role/Worker", ASSUMED, False),
            (f"arn:aws:iam::{ACCT}:role/app/Other", ASSUMED, False),
            ("arn:aws:iam::*:role/Worker", ASSUMED, True),
            # assumed-role ARNs: the session name counts when given
            (ASSUMED, ASSUMED, True),
            (f"arn:aws:sts::{ACCT}:assumed-role/Worker/i-0def", ASSUMED, False),
            (f"arn:aws:sts::{ACCT}:assumed-role/Worker/*", ASSUMED, True),
            (f"arn:aws:sts::{ACCT}:assumed-role/Worker", ASSUMED, True),
            (f"arn:aws:sts::{OTHER}:assumed-role/Worker/i-0abc", ASSUMED, False),
            # IAM role identity (from configuration), with a path
            ("Worker", f"arn:aws:iam::{ACCT}:role/app/Worker", True),
            # IAM Identity Center
            ("AWSReservedSSO_AdministratorAccess_*", SSO_ASSUMED, True),
            ("AWSReservedSSO_Admin_*", SSO_ASSUMED, False),
            ("AWSReservedSSO_*", SSO_ASSUMED, True),
            (SSO_ROLE, SSO_ASSUMED, True),
            ("AdministratorAccess", SSO_ASSUMED, True),  # the permission set name
            ("Administrator*", SSO_ASSUMED, True),
            ("ReadOnly", SSO_ASSUMED, False),
            (
                f"arn:aws:iam::{ACCT}:role/aws-reserved/sso.amazonaws.com/{SSO_ROLE}",
                SSO_ASSUMED,
                True,
            ),
            # not roles at all
            ("ExampleIAMuser", f"arn:aws:iam::{ACCT}:user/ExampleIAMuser", False),
            ("*", f"arn:aws:iam::{ACCT}:user/ExampleIAMuser", False),
            ("*", f"arn:aws:iam::{ACCT}:root", False),
            ("carol", f"arn:aws:sts::{ACCT}:federated-user/carol", False),
        ],
    )
    def test_table(self, expected: str, identity: str, result: bool) -> None:
        """role_matches follows the documented name, glob, ARN and SSO rules."""
        assert role_matches(expected, identity) is result

    @pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
    def test_role_arn_with_path_matches_assumed_role_in_partition(self, partition: str) -> None:
        """An IAM role ARN with a path matches STS's path-less assumed-role ARN per partition."""
        expected = f"arn:{partition}:iam::{ACCT}:role/team/app/Worker"
        assert role_matches(expected, f"arn:{partition}:sts::{ACCT}:assumed-role/Worker/s")
        other = "aws" if partition != "aws" else "aws-cn"
        assert not role_matches(expected, f"arn:{other}:sts::{ACCT}:assumed-role/Worker/s")

    @pytest.mark.parametrize(
        "expected",
        ["", "   ", f"arn:aws:iam::{ACCT}:user/Bob", f"arn:aws:iam::{ACCT}:root", "arn:bad"],
    )
    def test_bad_expected_raises(self, expected: str) -> None:
        """An empty expectation or an ARN that names no role is a ValueError."""
        with pytest.raises(ValueError):
            role_matches(expected, ASSUMED)

    def test_bad_identity_raises(self) -> None:
        """An identity that is not an ARN is a ValueError."""
        with pytest.raises(ValueError):
            role_matches("Worker", "Worker")

    @given(st.from_regex(r"[A-Za-z0-9+=,.@_-]{1,64}", fullmatch=True))
    def test_any_valid_role_name_matches_itself(self, name: str) -> None:
        """Every valid role name matches its assumed-role ARN, and so does its IAM role ARN."""
        identity = f"arn:aws:sts::{ACCT}:assumed-role/{name}/session"
        assert role_matches(name, identity)
        assert role_matches(f"arn:aws:iam::{ACCT}:role/some/path/{name}", identity)


class TestOfflineMatching:
    @pytest.mark.parametrize(
        ("expected", "result"),
        [
            ("AdministratorAccess", Match.YES),
            ("AWSReservedSSO_AdministratorAccess_*", Match.YES),
            ("AWSReservedSSO_*", Match.YES),
            ("*Admin*", Match.YES),
            (SSO_ROLE, Match.UNKNOWN),  # the suffix needs STS
            ("AWSReservedSSO_ReadOnly_*", Match.NO),
            ("ReadOnly", Match.NO),
            (f"arn:aws:iam::{ACCT}:role/AdministratorAccess", Match.YES),
            (f"arn:aws:iam::{OTHER}:role/AdministratorAccess", Match.NO),
        ],
    )
    def test_sso_role_from_configuration(self, expected: str, result: Match) -> None:
        """An sso_role_name known from configuration matches its name and AWSReservedSSO_ globs."""
        ref = RoleRef.from_config(f"arn:aws:iam::{ACCT}:role/AdministratorAccess", sso=True)
        assert match_role(expected, ref) is result

    @pytest.mark.parametrize(
        ("text", "name", "account"),
        [
            ("role/ExampleInstanceRole", "ExampleInstanceRole", None),
            ("ExampleInstanceRole", "ExampleInstanceRole", None),
            (f"arn:aws:iam::{ACCT}:role/app/Worker", "Worker", ACCT),
        ],
    )
    def test_role_from_configuration(self, text: str, name: str, account: str | None) -> None:
        """role_arn values, IMDS fragments and bare names all give the role name."""
        ref = RoleRef.from_config(text)
        assert (ref.name, ref.account) == (name, account)

    def test_unknown_account_is_unknown(self) -> None:
        """A role ARN expectation against a role whose account is not known cannot be decided."""
        ref = RoleRef.from_config("role/Worker")
        assert match_role(f"arn:aws:iam::{ACCT}:role/Worker", ref) is Match.UNKNOWN
        assert match_role(f"arn:aws:iam::{ACCT}:role/Other", ref) is Match.NO
        assert match_role("Worker", ref) is Match.YES
