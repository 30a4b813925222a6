"""Custom providers, entry-point inspectors, a session's real resolver, botocore drift."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import attrs
import botocore.credentials
import botocore.session
import pytest

import credchain
from credchain import _pluggable
from credchain.providers import Context, Finding, Status

PLUGIN_DIST = Path(__file__).parent / "plugin_dist"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME, with every AWS variable removed and instance metadata off."""
    import os

    for name in list(os.environ):
        if name.startswith(("AWS_", "BOTO_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    (tmp_path / ".aws").mkdir()
    return tmp_path


class StaticProvider(botocore.credentials.CredentialProvider):
    """An application's own botocore provider."""

    METHOD = "my-static"

    def load(self) -> botocore.credentials.Credentials:
        return botocore.credentials.Credentials(
            "AKIAMYSTATIC0EXAMPLE", "SECRET-NEVER-PRINTED-07", method=self.METHOD
        )


@attrs.frozen
class StaticInspector:
    """An inspector for StaticProvider."""

    METHOD: ClassVar[str] = "my-static"

    def inspect(self, ctx: Context, profile: str) -> Finding:
        return Finding(
            Status.FOUND, "code", "configured in code.", access_key="AKIAMYSTATIC0EXAMPLE"
        )


class TestChain:
    def test_default_chain_is_botocores(self, home: Path) -> None:
        """Chain.default() lists the installed botocore's METHODs in order."""
        session = botocore.session.Session()
        resolver = session.get_component("credential_provider")
        assert credchain.Chain.default().methods == [p.METHOD for p in resolver.providers]

    def test_vocabulary(self) -> None:
        """insert_before, insert_after, remove and get work as in botocore's resolver."""
        chain = credchain.Chain.default()
        chain.insert_before("env", StaticInspector())
        assert chain.methods[:2] == ["my-static", "env"]
        chain.remove("my-static")
        chain.insert_after("iam-role", StaticInspector())
        assert chain.methods[-1] == "my-static"
        assert isinstance(chain.get("my-static"), StaticInspector)
        chain.remove("not-there")  # silently, like botocore
        with pytest.raises(KeyError):
            chain.insert_before("not-there", StaticInspector())

    def test_explain_with_custom_chain(self, home: Path) -> None:
        """A custom inspector placed before env wins, and what it hides is shadowed."""
        chain = credchain.Chain.default()
        chain.insert_before("env", StaticInspector())
        report = credchain.explain(
            chain=chain,
            env={
                "HOME": str(home),
                "AWS_ACCESS_KEY_ID": "AKIAENVENVENVEXAMPLE",
                "AWS_SECRET_ACCESS_KEY": "SECRET-NEVER-PRINTED-08",
                "AWS_EC2_METADATA_DISABLED": "true",
            },
        )
        assert report.winner is not None and report.winner.method == "my-static"
        assert report.winner.access_key == "AKIA************MPLE"
        assert report.get("env").status is Status.SHADOWED  # type: ignore[union-attr]
        assert "SECRET-NEVER-PRINTED" not in report.to_json() + str(report)


class TestSessionResolver:
    def test_inserted_provider_appears_in_place(self, home: Path) -> None:
        """A provider the application inserted into its session shows at its position, unknown."""
        session = botocore.session.Session()
        session.get_component("credential_provider").insert_after("env", StaticProvider())
        assert session.get_credentials().method == "my-static"
        report = credchain.explain(session=session)
        assert [p.method for p in report.providers][:3] == ["env", "my-static", "assume-role"]
        assert report.get("my-static").status is Status.UNKNOWN  # type: ignore[union-attr]
        assert "StaticProvider" in report.get("my-static").source  # type: ignore[union-attr,operator]

    def test_load_foreign_opt_in(self, home: Path) -> None:
        """With load_foreign=True the unknown provider's load() decides, and the report says so."""
        session = botocore.session.Session()
        session.get_component("credential_provider").insert_before("env", StaticProvider())
        report = credchain.explain(session=session, load_foreign=True)
        assert report.winner is not None and report.winner.method == "my-static"
        assert "load_foreign=True" in report.winner.reason
        assert "SECRET-NEVER-PRINTED" not in report.to_json() + str(report)

    def test_removed_provider_is_absent(self, home: Path) -> None:
        """A provider the application removed is not in the report's chain."""
        session = botocore.session.Session()
        session.get_component("credential_provider").remove("iam-role")
        report = credchain.explain(session=session)
        assert "iam-role" not in [p.method for p in report.providers]

    def test_explicit_credentials_bypass_the_chain(self, home: Path) -> None:
        """A session given keys reports them as the winner, method "explicit"."""
        import boto3

        (home / ".aws" / "credentials").write_text(
            "[default]\naws_access_key_id = AKIAFILEFILEFEXAMPLE\n"
            "aws_secret_access_key = SECRET-NEVER-PRINTED-09\n"
        )
        session = boto3.Session(
            aws_access_key_id="AKIAEXPLICIT0EXAMPLE",
            aws_secret_access_key="SECRET-NEVER-PRINTED-10",
        )
        assert session.get_credentials().method == "explicit"
        report = credchain.explain(session=session)
        assert report.winner is not None and report.winner.method == "explicit"
        assert report.explicit_credentials
        assert report.get("shared-credentials-file").status is Status.SHADOWED  # type: ignore[union-attr]
        assert "SECRET-NEVER-PRINTED" not in report.to_json() + str(report) + repr(report)


class TestEntryPoints:
    @pytest.fixture
    def plugin(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The example distribution on sys.path, with entry points re-read."""
        monkeypatch.syspath_prepend(str(PLUGIN_DIST))
        _pluggable._entry_points.cache_clear()
        yield
        _pluggable._entry_points.cache_clear()

    def test_entry_point_inspector_is_picked_up(
        self, home: Path, plugin: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A session's provider is inspected by the inspector its distribution registered."""
        from credchain_example_plugin import VaultProvider

        session = botocore.session.Session()
        session.get_component("credential_provider").insert_before("env", VaultProvider())
        monkeypatch.setenv("EXAMPLE_VAULT_ADDR", "https://vault.example")
        report = credchain.explain(session=session)
        assert report.winner is not None and report.winner.method == "example-vault"
        assert report.winner.provider_class == "VaultInspector"

    def test_entry_point_by_method_in_a_chain(self, home: Path, plugin: None) -> None:
        """A METHOD name in a Chain resolves to the registered inspector."""
        chain = credchain.Chain.default()
        chain.entries.insert(0, "example-vault")
        report = credchain.explain(
            chain=chain, env={"HOME": str(home), "AWS_EC2_METADATA_DISABLED": "true"}
        )
        assert report.providers[0].method == "example-vault"
        assert report.providers[0].status is Status.NOT_FOUND


class TestDrift:
    def test_new_botocore_provider_warns(self, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """When botocore's chain gains a provider credchain doesn't know, the report warns."""
        original = botocore.credentials.ProfileProviderBuilder.providers

        class Newcomer(botocore.credentials.CredentialProvider):
            METHOD = "brand-new"

            def load(self) -> None:
                return None

        def providers(self, profile_name, disable_env_vars=False):  # type: ignore[no-untyped-def]
            return [*original(self, profile_name, disable_env_vars), Newcomer()]

        monkeypatch.setattr(botocore.credentials.ProfileProviderBuilder, "providers", providers)
        report = credchain.explain()
        assert report.warnings and "brand-new" in report.warnings[0]
        assert "warning" in str(report)
        assert report.to_dict()["warnings"]
        assert report.get("brand-new").status is Status.UNKNOWN  # type: ignore[union-attr]

    def test_no_warning_on_known_chain(self, home: Path) -> None:
        """The installed botocore's chain is the one credchain knows: no warning."""
        assert credchain.explain().warnings == ()
