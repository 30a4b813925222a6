"""explain(session=...) with aiobotocore and aioboto3 sessions: their resolver, read in place."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "aiobotocore", reason="aiobotocore is not installed (CI runs this in .ci/venv-aio)"
)

import aiobotocore
import botocore
from aiobotocore.credentials import AioCredentialResolver
from aiobotocore.session import AioSession

import credchain
import credchain.aio
from credchain import _botocore
from credchain.testing import Sandbox

KEY = "AKIAIOSFODNN7EXAMPLE"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """An applied Sandbox with keys in ~/.aws/credentials [default]."""
    with Sandbox(tmp_path / "sandbox") as box:
        box.write_credentials(aws_access_key_id=KEY, aws_secret_access_key="NEVER-PRINTED-S")
        yield box


def test_every_aiobotocore_provider_maps_to_an_inspector(sandbox: Sandbox) -> None:
    """Each Aio* provider of the resolver is inspected by credchain under its METHOD."""
    report = credchain.explain(session=AioSession())
    methods = [p.method for p in report.providers]
    resolver = AioSession().get_component("credential_provider")
    assert methods == [p.METHOD for p in resolver.providers]
    assert all(p.provider_class != "BotocoreProvider" for p in report.providers)
    assert report.winner is not None and report.winner.method == "shared-credentials-file"
    assert report.winner.access_key == "AKIA************MPLE"
    assert report.warnings == ()


def test_versions_are_in_the_report(sandbox: Sandbox) -> None:
    """to_dict() has botocore's and aiobotocore's versions; a botocore session no aio key."""
    report = credchain.explain(session=AioSession())
    assert f"aiobotocore {aiobotocore.__version__}'s chain" in str(report).splitlines()[0]
    d = report.to_dict()
    assert d["botocore_version"] == botocore.__version__
    assert d["aiobotocore_version"] == aiobotocore.__version__
    assert "aiobotocore_version" not in credchain.explain().to_dict()


def test_explicit_profile_drops_env_as_aiobotocore_does(sandbox: Sandbox) -> None:
    """AioSession(profile=...) removes the env provider, shown as disabled."""
    sandbox.write_credentials("dev", aws_access_key_id=KEY, aws_secret_access_key="NEVER-P")
    sandbox.set_env(AWS_ACCESS_KEY_ID="AKIAI44QH8DHBEXAMPLE", AWS_SECRET_ACCESS_KEY="NEVER-E")
    report = credchain.explain(session=AioSession(profile="dev"))
    env = report.get("env")
    assert env is not None and env.status is credchain.Status.DISABLED
    assert report.winner is not None and report.winner.method == "shared-credentials-file"
    assert report.warnings == ()


def test_explicit_credentials_of_an_aio_session(sandbox: Sandbox) -> None:
    """set_credentials() on an AioSession bypasses the chain, as in botocore."""
    session = AioSession()
    session.set_credentials("AKIAI44QH8DHBEXAMPLE", "NEVER-PRINTED-X")
    report = credchain.explain(session=session)
    assert report.winner is not None and report.winner.method == "explicit"
    assert "NEVER-PRINTED" not in report.to_json()


def _reordered(session: AioSession, order: list[str]) -> None:
    resolver = session.get_component("credential_provider")
    by_method = {p.METHOD: p for p in resolver.providers}
    session.register_component(
        "credential_provider", AioCredentialResolver([by_method[m] for m in order])
    )


def test_drift_from_botocores_order_is_warned(sandbox: Sandbox) -> None:
    """A resolver whose order differs from botocore's is reported in its order, with a warning."""
    session = AioSession()
    methods = [p.METHOD for p in session.get_component("credential_provider").providers]
    swapped = list(methods)
    i, j = swapped.index("shared-credentials-file"), swapped.index("env")
    swapped[i], swapped[j] = swapped[j], swapped[i]
    _reordered(session, swapped)
    sandbox.set_env(AWS_ACCESS_KEY_ID="AKIAI44QH8DHBEXAMPLE", AWS_SECRET_ACCESS_KEY="NEVER-E")
    report = credchain.explain(session=session)
    assert [p.method for p in report.providers][: len(swapped)] == swapped
    assert report.winner is not None and report.winner.method == "shared-credentials-file"
    assert len(report.warnings) == 1
    warning = report.warnings[0]
    assert f"aiobotocore {aiobotocore.__version__}" in warning
    assert f"botocore {botocore.__version__}" in warning and "differs" in warning
    truth = asyncio.run(session.get_credentials())
    assert truth.method == "shared-credentials-file"  # aiobotocore itself agrees


def test_a_provider_credchain_does_not_know_is_unknown(sandbox: Sandbox) -> None:
    """An inserted async provider is unknown (undetermined) unless load_foreign=True awaits it."""
    from aiobotocore.credentials import AioCredentials
    from botocore.credentials import CredentialProvider

    class VaultProvider(CredentialProvider):  # type: ignore[misc]
        METHOD = "vault"

        async def load(self) -> Any:
            await asyncio.sleep(0)
            return AioCredentials("AKIAVAULTEXAMPLE0001", "NEVER-PRINTED-V", method=self.METHOD)

    session = AioSession()
    resolver = session.get_component("credential_provider")
    resolver.insert_before("env", VaultProvider())
    report = credchain.explain(session=session)
    vault = report.get("vault")
    assert vault is not None and vault.status is credchain.Status.UNKNOWN
    assert report.undetermined is vault and report.winner is None
    assert any("differs" in w for w in report.warnings)
    loaded = credchain.explain(session=session, load_foreign=True)
    assert loaded.winner is not None and loaded.winner.method == "vault"
    assert loaded.winner.access_key == "AKIA************0001"
    assert "NEVER-PRINTED" not in loaded.to_json() + str(loaded)


def test_awaited_explain_of_an_aio_session(sandbox: Sandbox) -> None:
    """credchain.aio.explain(session=AioSession()) gives the same report, off the loop."""
    sync = credchain.explain(session=AioSession()).to_dict()
    awaited = asyncio.run(credchain.aio.explain(session=AioSession())).to_dict()
    sync.pop("checked_at")
    awaited.pop("checked_at")
    assert awaited == sync


def test_aioboto3_session(sandbox: Sandbox) -> None:
    """An aioboto3 Session is read through the AioSession it wraps."""
    aioboto3 = pytest.importorskip("aioboto3", reason="aioboto3 is not installed")
    report = credchain.explain(session=aioboto3.Session())
    assert report.aiobotocore_version == aiobotocore.__version__
    assert report.winner is not None and report.winner.method == "shared-credentials-file"


def test_known_chain_for_the_pinned_botocore() -> None:
    """The botocore aiobotocore pins is one credchain knows: no drift in a plain session."""
    methods = [p.METHOD for p in AioSession().get_component("credential_provider").providers]
    assert tuple(methods) == _botocore.known_chain()
