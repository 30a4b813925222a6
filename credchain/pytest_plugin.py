"""pytest plugin: isolated AWS sandboxes, fake credential endpoints and role checks.

Registered through the ``pytest11`` entry point ``credchain``, so every pytest
run in an environment with credchain installed imports this module: it imports
nothing but pytest at import time. :mod:`credchain.testing` (standard library
only) and credchain's core (botocore) are imported when a fixture, the marker
or an option is used.

Fixtures: ``aws_sandbox``, ``fake_imds``, ``fake_container_credentials``,
``credchain_report``. Marker: ``aws_role(role, account=None, verify=None)``.
Options (group ``credchain``): ``--aws-role``, ``--aws-account``,
``--aws-no-verify``, ``--credchain``. See ``docs/pytest.md``.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from credchain import Identity, Report
    from credchain.testing import FakeContainerCredentials, FakeIMDS, Sandbox

_IDENTITY: pytest.StashKey[Identity] = pytest.StashKey()
_SANDBOX_FIXTURES = ("aws_sandbox", "fake_imds", "fake_container_credentials")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``credchain`` option group."""
    group = parser.getgroup("credchain", "AWS credentials (credchain)")
    group.addoption(
        "--aws-role",
        metavar="NAME",
        help="before any test runs, stop the session unless the credentials botocore would "
        "use are this IAM role (name, role ARN or glob on the name)",
    )
    group.addoption(
        "--aws-account",
        metavar="ID",
        help="with or without --aws-role: the 12-digit account the credentials must belong to",
    )
    group.addoption(
        "--aws-no-verify",
        action="store_true",
        help="decide --aws-role/--aws-account from configuration alone, "
        "without calling sts:GetCallerIdentity",
    )
    group.addoption(
        "--credchain",
        action="store_true",
        help="show in the report header which credentials botocore would use and why "
        "(never secrets)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``aws_role`` marker."""
    config.addinivalue_line(
        "markers",
        "aws_role(role, account=None, verify=None): fail the test before it runs unless "
        "botocore's credentials are that IAM role (credchain.assert_role); inside an "
        "aws_sandbox verify defaults to False unless the sandbox has a local STS",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Check ``--aws-role`` / ``--aws-account`` once, before any test (and any xdist worker).

    When pytest shows no report header (``-q``, ``-qq``, ``--no-header``), the
    lines :func:`pytest_report_header` would add are written here instead:
    ``--credchain`` prints the chain whatever the verbosity.
    """
    config = session.config
    if hasattr(config, "workerinput"):
        return
    _check_role(config)
    if not _header_shown(config):
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            for line in _header_lines(config):
                reporter.write_line(line)


def _check_role(config: pytest.Config) -> None:
    role, account = config.getoption("aws_role"), config.getoption("aws_account")
    if role is None and account is None:
        return
    from credchain import CredchainError, assert_role

    try:
        identity = assert_role(role, account=account, verify=not config.getoption("aws_no_verify"))
    except (CredchainError, ValueError) as exc:  # no secrets: failure, or a malformed option
        # A usage error is printed once ("ERROR: ..."); pytest.exit() here prints it twice.
        raise pytest.UsageError(f"credchain: {_scrub(str(exc))}") from None
    config.stash[_IDENTITY] = identity


def _header_shown(config: pytest.Config) -> bool:
    """Whether pytest's terminal reporter prints report headers in this run."""
    return config.get_verbosity() >= 0 and not config.getoption("no_header", False)


def _scrub(text: str) -> str:
    from credchain._mask import scrub

    return scrub(text)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which role ``--aws-role`` found, and with ``--credchain`` the whole chain."""
    return _header_lines(config) if _header_shown(config) else []


def _header_lines(config: pytest.Config) -> list[str]:
    lines = []
    identity = config.stash.get(_IDENTITY, None)
    if identity is not None:
        how = "verified with STS" if identity.verified else "from configuration, not verified"
        lines.append(f"credchain: running as {identity.arn or identity.role_name} ({how})")
    if config.getoption("credchain"):
        lines.extend(_chain_summary())
    return [_scrub(line) for line in lines]


def _chain_summary() -> list[str]:
    from credchain import CredchainError, explain

    try:
        report = explain()
    except CredchainError as exc:
        return [f"credchain: cannot explain the credential chain: {exc}"]
    if report.raises is not None:
        where = f" in {report.error.method}" if report.error is not None else ""
        outcome = f"botocore would raise {report.raises}{where}"
    elif report.winner is not None:
        found = report.winner
        details = ", ".join(filter(None, [found.access_key, found.role_arn, found.source]))
        outcome = f"botocore would use {found.method}" + (f" ({details})" if details else "")
    else:
        outcome = "botocore would find no credentials"
    lines = [f"credchain: profile {report.profile!r}: {outcome}"]
    lines += [f"  {p.method:<30} {p.status.value:<10} {p.reason}" for p in report.providers]
    return lines


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Apply the ``aws_role`` marker after fixtures are set up, before the test body."""
    marker = item.get_closest_marker("aws_role")
    if marker is None:
        return
    from credchain import CredchainError, assert_role
    from credchain.testing import Sandbox

    kwargs = dict(marker.kwargs)
    role = marker.args[0] if marker.args else kwargs.pop("role", None)
    if kwargs.get("verify") is None:
        # A sandbox blocks STS unless it was given a local one: decide offline there.
        sandbox = Sandbox.current()
        kwargs["verify"] = sandbox is None or sandbox.has_local_sts
    try:
        assert_role(role, **kwargs)
    except CredchainError as exc:
        failure = f"aws_role({role!r}): {exc}"
    else:
        return
    pytest.fail(_scrub(failure), pytrace=False)  # outside the except: no chained traceback


def _param_kwargs(request: pytest.FixtureRequest, name_key: str) -> dict[str, Any]:
    """Keyword arguments from indirect parametrization: a name, or a dict of them."""
    param = getattr(request, "param", None)
    if param is None:
        return {}
    if isinstance(param, str):
        return {name_key: param}
    return dict(param)


@pytest.fixture
def aws_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A :class:`credchain.testing.Sandbox` applied to ``os.environ`` for the test.

    Outer ``AWS_*``/``BOTO_*`` variables and ``~/.aws`` files are hidden, the
    instance metadata service is disabled and STS/SSO calls fail locally;
    ``os.environ`` is restored exactly afterwards.
    """
    from credchain.testing import Sandbox

    with Sandbox(tmp_path_factory.mktemp("aws_sandbox")) as sandbox:
        yield sandbox


@pytest.fixture
def fake_imds(request: pytest.FixtureRequest, aws_sandbox: Sandbox) -> Iterator[FakeIMDS]:
    """A started :class:`credchain.testing.FakeIMDS` wired into ``aws_sandbox``.

    botocore then resolves ``iam-role`` credentials for role
    ``credchain-test-role``; choose another with
    ``@pytest.mark.parametrize("fake_imds", ["Deployer"], indirect=True)``, or
    pass a dict of ``FakeIMDS`` keyword arguments the same way.
    """
    from credchain.testing import FakeIMDS

    with FakeIMDS(**_param_kwargs(request, "role_name")) as fake:
        aws_sandbox.use_imds(fake)
        yield fake


@pytest.fixture
def fake_container_credentials(
    request: pytest.FixtureRequest, aws_sandbox: Sandbox
) -> Iterator[FakeContainerCredentials]:
    """A started :class:`credchain.testing.FakeContainerCredentials` wired into ``aws_sandbox``.

    botocore then resolves ``container-role`` credentials. Parametrize
    indirectly with a dict of ``FakeContainerCredentials`` keyword arguments,
    plus ``token_file=True`` to pass its ``auth_token`` through a file.
    """
    from credchain.testing import FakeContainerCredentials

    kwargs = _param_kwargs(request, "path")
    token_file = bool(kwargs.pop("token_file", False))
    with FakeContainerCredentials(**kwargs) as fake:
        aws_sandbox.use_container(fake, token_file=token_file)
        yield fake


@pytest.fixture
def credchain_report(request: pytest.FixtureRequest) -> Report:
    """``credchain.explain()`` of the test's environment.

    Sandbox fixtures the test also uses are set up first, whatever the
    argument order, so the report describes them.
    """
    for name in _SANDBOX_FIXTURES:
        if name in request.fixturenames:
            request.getfixturevalue(name)
    from credchain import explain

    return explain()
