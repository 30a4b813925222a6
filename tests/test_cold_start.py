"""A fresh ``credchain`` process pays only for what it uses.

``credchain explain --no-network`` opens no socket of any kind (an audit hook
watches every ``socket.*`` event, and refuses it) and imports no HTTP stack;
``--version`` answers before the parser, attrs or botocore load. These are
checks of what is imported and opened, not timings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("urllib3", "botocore.httpsession", "botocore.utils", "botocore.configprovider")
# Loaded only when an inspection needs them (a probe, a credential_process, a plugin).
LAZY = ("attrs", "typing_extensions", "concurrent.futures", "subprocess", "inspect")

# Runs the command line in this interpreter under an audit hook, then reports
# what it saw and which modules got imported (on fd 3's stand-in: a file).
WRAPPER = """
import json, sys
events = []

def hook(event, args):
    if event.startswith("socket."):
        events.append([event, repr(args)[:200]])
        raise RuntimeError("credchain opened a socket: " + event)

sys.addaudithook(hook)
out, argv = sys.argv[1], sys.argv[2:]
code = None
try:
    from credchain._cli import main
    code = main(argv)
finally:
    with open(out, "w") as f:
        json.dump({"code": code, "events": events, "modules": sorted(sys.modules)}, f)
"""


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BOTO_"))}
    env.update(HOME=str(home), **extra)
    return env


def _run(tmp_path: Path, argv: list[str], env: dict[str, str]) -> dict[str, object]:
    out = tmp_path / "seen.json"
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(out), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.exists(), proc.stderr
    seen: dict[str, object] = json.loads(out.read_text())
    seen["stdout"], seen["stderr"] = proc.stdout, proc.stderr
    return seen


@pytest.fixture
def home(tmp_path: Path) -> Path:
    aws = tmp_path / "home" / ".aws"
    aws.mkdir(parents=True)
    (aws / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    (aws / "config").write_text(
        "[default]\nregion = eu-west-1\n\n"
        "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Dev\nsource_profile = default\n"
    )
    return tmp_path / "home"


@pytest.mark.parametrize("profile", [[], ["--profile", "dev"]])
def test_explain_no_network_opens_no_socket(tmp_path: Path, home: Path, profile: list[str]) -> None:
    # No metadata endpoint configured: botocore would ask 169.254.169.254, credchain must not.
    seen = _run(tmp_path, ["explain", "--no-network", *profile], _env(home))
    assert seen["events"] == []
    assert seen["code"] == 0, seen["stderr"]
    assert "iam-role" in str(seen["stdout"])
    modules = set(seen["modules"])  # type: ignore[arg-type]
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    assert not modules & set(LAZY), sorted(modules & set(LAZY))


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:9/", "http://[::1]:9/", "not a url"])
def test_no_socket_with_a_metadata_endpoint_set(tmp_path: Path, home: Path, endpoint: str) -> None:
    # botocore validates the endpoint with botocore.utils.is_valid_uri; that module's
    # import alone (urllib3's IPv6 check) would open a socket.
    env = _env(home, AWS_EC2_METADATA_SERVICE_ENDPOINT=endpoint)
    seen = _run(tmp_path, ["explain", "--no-network", "--json"], env)
    assert seen["events"] == []
    modules = set(seen["modules"])  # type: ignore[arg-type]
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    import credchain

    report = credchain.explain(env=env, network=False)
    assert json.loads(str(seen["stdout"]))["raises"] == report.raises
    assert (report.raises == "InvalidIMDSEndpointError") == (endpoint == "not a url")


def test_explain_no_network_json_matches_in_process(tmp_path: Path, home: Path) -> None:
    seen = _run(tmp_path, ["explain", "--no-network", "--json"], _env(home))
    assert seen["events"] == []
    import credchain

    report = credchain.explain(env=_env(home), network=False).to_dict()
    printed = json.loads(str(seen["stdout"]))
    printed.pop("checked_at", None), report.pop("checked_at", None)
    assert printed == report


def test_version_answers_before_the_parser(tmp_path: Path, home: Path) -> None:
    seen = _run(tmp_path, ["--version"], _env(home))
    assert seen["code"] == 0
    assert str(seen["stdout"]).startswith("credchain ")
    assert "botocore " in str(seen["stdout"])
    modules = set(seen["modules"])  # type: ignore[arg-type]
    assert not modules & {"attrs", "botocore", "importlib.metadata", "credchain._report"}


def test_version_agrees_with_importlib_metadata(tmp_path: Path, home: Path) -> None:
    from importlib.metadata import version

    seen = _run(tmp_path, ["--version"], _env(home))
    line = str(seen["stdout"])
    assert f"credchain {version('credchain')} " in line
    assert f"(botocore {version('botocore')}, " in line


def test_help_loads_no_botocore(tmp_path: Path, home: Path) -> None:
    seen = _run(tmp_path, ["explain", "--help"], _env(home))
    assert seen["code"] == 0
    assert "--no-network" in str(seen["stdout"])
    modules = set(seen["modules"])  # type: ignore[arg-type]
    assert not {m for m in modules if m == "botocore" or m.startswith(("botocore.", "attrs"))}


def test_session_variable_table_is_botocores(tmp_path: Path) -> None:
    """The table read from botocore's source equals the one botocore's module builds."""
    code = (
        "import json, sys; from credchain import _botocore as b; t = b._session_variables(); "
        "assert 'botocore.configprovider' not in sys.modules; "
        "from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES as real; "
        "calls = [(v[3].__name__ if v[3] else None) for v in real.values()]; "
        "mine = [(v[3].__name__ if v[3] else None) for v in t.values()]; "
        "same = [(k, v[:3]) for k, v in t.items()] == [(k, v[:3]) for k, v in real.items()]; "
        "probe = ['true', 'TRUE', 'false', 'yes', True, False, None, 1, '']; "
        "outs = all([v[3](p) for p in probe if v[3] is not int] == "
        "[real[k][3](p) for p in probe if v[3] is not int] for k, v in t.items() if v[3]); "
        "print(json.dumps([same, calls == mine, outs]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(out.stdout) == [True, True, True]
