"""credchain's chain order is the installed botocore's, and it is pinned per botocore version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import botocore
import botocore.credentials
import botocore.session
import oracle
import pytest

from credchain import _botocore, _chain
from credchain.providers import registry

#: The 12 METHODs of botocore >= 1.41 (login arrived in 1.41), as create_credential_resolver
#: orders them: pre-profile, ProfileProviderBuilder.providers, post-profile.
CHAIN_1_41 = (
    "env",
    "assume-role",
    "assume-role-with-web-identity",
    "sso",
    "shared-credentials-file",
    "login",
    "custom-process",
    "config-file",
    "ec2-credentials-file",
    "boto-config",
    "container-role",
    "iam-role",
)
CHAIN_BEFORE_LOGIN = tuple(m for m in CHAIN_1_41 if m != "login")
PINNED = (((1, 41, 0), CHAIN_1_41), ((1, 0, 0), CHAIN_BEFORE_LOGIN))


def pinned(version: str) -> tuple[str, ...]:
    installed = _botocore.version_tuple(version)
    return next(chain for first, chain in PINNED if installed >= first)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[botocore.session.Session]:
    """A botocore session in a loopback-only environment with a [default] profile."""
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[default]\nregion = us-east-1\n")
    env = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", **oracle.GUARDS}
    with oracle.environ(env):
        yield botocore.session.Session()


def botocore_order(session: botocore.session.Session, profile: str | None) -> tuple[str, ...]:
    if profile is not None:
        session.set_config_variable("profile", profile)
    resolver = botocore.credentials.create_credential_resolver(session)
    return tuple(p.METHOD for p in resolver.providers)


def test_known_chain_is_pinned() -> None:
    """The chain credchain knows for the installed botocore is the pinned one for its version."""
    assert _botocore.known_chain() == pinned(botocore.__version__)
    assert _botocore.known_chain("1.41.0") == CHAIN_1_41
    assert _botocore.known_chain("1.40.9") == CHAIN_BEFORE_LOGIN


@pytest.mark.parametrize("profile", [None, "default"])
def test_installed_botocore_builds_the_known_chain(
    session: botocore.session.Session, profile: str | None
) -> None:
    """create_credential_resolver orders its providers exactly as credchain knows (env gone
    under an explicit profile)."""
    expected = tuple(m for m in _botocore.known_chain() if profile is None or m != "env")
    assert botocore_order(session, profile) == expected


@pytest.mark.parametrize("explicit", [False, True])
def test_order_follows_botocore_without_drift(
    session: botocore.session.Session, explicit: bool
) -> None:
    """_chain.order() is botocore's order (env kept, as disabled, when explicit), no warning."""
    actual = botocore_order(session, "default" if explicit else None)
    methods, warnings = _chain.order(explicit)
    assert warnings == ()
    assert methods == (("env", *actual) if explicit else actual)


def test_profile_providers_match_the_profile_builder(session: botocore.session.Session) -> None:
    """Source profiles walk ProfileProviderBuilder's providers, in the order credchain uses."""
    builder = botocore.credentials.ProfileProviderBuilder(session)
    methods = tuple(p.METHOD for p in builder.providers("default", disable_env_vars=True))
    assert methods == tuple(m for m in _botocore.known_chain() if m in _botocore.PROFILE_METHODS)


def test_credential_sources_match_botocore(session: botocore.session.Session) -> None:
    """credential_source names the same providers as botocore's CanonicalNameCredentialSourcer."""
    resolver = botocore.credentials.create_credential_resolver(session)
    sourcer = resolver.get_provider("assume-role")._credential_sourcer
    names = tuple(p.CANONICAL_NAME for p in sourcer._providers)
    assert names == ("Environment", "EcsContainer", "Ec2InstanceMetadata")
    classes = registry()
    assert tuple(classes[m].CANONICAL_NAME for m in ("env", "container-role", "iam-role")) == names


def test_every_botocore_method_has_an_inspector(session: botocore.session.Session) -> None:
    """Each provider of botocore's chain has a credchain inspector with its METHOD and class
    name."""
    resolver = botocore.credentials.create_credential_resolver(session)
    classes = registry()
    for provider in resolver.providers:
        inspector = classes[provider.METHOD]
        assert inspector.__name__ == type(provider).__name__
        assert getattr(inspector, "CANONICAL_NAME", None) == provider.CANONICAL_NAME


def test_drift_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A botocore whose chain differs from the known one makes order() warn and follow it."""
    drifted = ("env", "brand-new", *CHAIN_BEFORE_LOGIN[1:])
    monkeypatch.setattr(_botocore, "botocore_chain", lambda explicit: drifted)
    methods, warnings = _chain.order(False)
    assert methods == drifted
    assert warnings and "brand-new" in warnings[0]


def test_installed_botocore_is_verified() -> None:
    """The botocore the suite runs on is within the verified range (bump NEWEST_VERIFIED)."""
    assert _botocore.verified(), (
        f"botocore {botocore.__version__} is outside the verified range: check its chain, "
        "then raise _botocore.NEWEST_VERIFIED"
    )
    assert not _botocore.verified("99.0.0")
    assert not _botocore.verified("1.39.9")


_COLD = """
import sys
import credchain._botocore as b
{patch}
chain = b.botocore_chain(False)
print(chain is not None, "botocore.credentials" in sys.modules)
"""


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ("", "False False"),  # a verified botocore, nothing imported: the known chain, for free
        ("b.NEWEST_VERIFIED = (1, 0, 0)", "True True"),  # newer than verified: botocore is asked
    ],
)
def test_order_read_from_botocore_in_a_fresh_process(patch: str, expected: str) -> None:
    """In a fresh process botocore's own order is read whenever the version is not verified."""
    import subprocess
    import sys

    code = _COLD.format(patch=patch)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == expected.split()


def test_drift_warning_from_a_cold_command_line(tmp_path: Path) -> None:
    """`credchain explain` in a fresh process warns when an unverified botocore's chain moved."""
    import subprocess
    import sys

    code = (
        "import credchain._botocore as b, credchain._cli as c\n"
        "b.NEWEST_VERIFIED = (1, 0, 0)\n"
        # what an older table said: the chain the installed botocore does not build
        "old = b.CHAIN_WITHOUT_LOGIN if b.version_tuple() >= (1, 41) else b.CHAIN_WITH_LOGIN\n"
        "b.KNOWN_CHAINS = (((1, 0, 0), old),)\n"
        "raise SystemExit(c.main(['explain', '--no-network']))\n"
    )
    env = {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true", **oracle.GUARDS}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    text = " ".join(out.stdout.split())
    assert "warning" in text and "differs from the one credchain knows" in text
