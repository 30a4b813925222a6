"""Settings, region and endpoints: differential against botocore, sources, secrets, CLI.

The differential test generates a few hundred scenarios (environment variables,
config and credentials files, explicit profiles, session instance variables,
``[services ...]`` sections, ignore flags, ``~`` and ``$VAR`` paths), runs the
installed botocore on each in a child process (``Session.get_config_variable``
for every session variable, and an unsigned STS client's region and endpoint
URL) and compares with ``credchain.explain()``. Creating a client opens no
connection; every configured endpoint is on 127.0.0.1, and the suite's socket
guard refuses anything else.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

import credchain
from credchain._cli import main
from credchain._settings import Setting, hide_userinfo

SECRET = "SECRET-NEVER-PRINTED-07"
LOOP = "http://127.0.0.1:9"


def role_env(tmp_path: Path) -> dict[str, str]:
    """Role credentials botocore commits to without a call: a web identity token file."""
    token = tmp_path / "web-identity-token"
    token.write_text("eyJhbGciOiJub25lIn0.e30.")
    return {
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/R",
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token),
    }


REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1"]

# -- the oracle: botocore in a child process --------------------------------------------------

ORACLE = r"""
import json, os, sys
import botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

cases = json.load(sys.stdin)
out = []
loader = None  # the service models: loaded once, as every case shares the data path
for case in cases:
    os.environ.clear()
    os.environ.update(case["env"])
    answer = {"settings": {}, "sts": None}
    try:
        session = botocore.session.Session(profile=case["profile"])
        if loader is not None:
            session.register_component("data_loader", loader)
        for name, value in case["instance_vars"].items():
            session.set_config_variable(name, value)
    except Exception as e:
        out.append({"session_error": type(e).__name__})
        continue
    for name in BOTOCORE_DEFAUT_SESSION_VARIABLES:
        try:
            answer["settings"][name] = {"value": session.get_config_variable(name)}
        except Exception as e:
            answer["settings"][name] = {"error": type(e).__name__}
    try:
        client = session.create_client("sts", config=Config(signature_version=UNSIGNED))
        loader = session.get_component("data_loader")
        answer["sts"] = {"url": client.meta.endpoint_url, "region": client.meta.region_name}
    except Exception as e:
        answer["sts"] = {"error": type(e).__name__}
    out.append(answer)
json.dump(out, sys.stdout)
"""


def run_oracle(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """botocore's answers for each case, from one child process."""
    done = subprocess.run(
        [sys.executable, "-c", ORACLE],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


# -- scenarios ---------------------------------------------------------------------------------


@attrs.define
class Case:
    env: dict[str, str]
    files: dict[str, str]  # path relative to the case root -> text
    profile: str | None = None
    instance_vars: dict[str, str] = attrs.field(factory=dict)
    docs: list[str] = attrs.field(factory=list)


def _section(name: str, config: bool) -> str:
    return name if name == "default" or not config else f"profile {name}"


def generate(seed: int) -> Case:
    """One scenario, drawn from the dimensions the settings depend on."""
    rnd = random.Random(seed)
    env = {"AWS_EC2_METADATA_DISABLED": "true"}
    config: dict[str, dict[str, str]] = {"default": {}, "dev": {}, "base": {}}
    creds: dict[str, dict[str, str]] = {}
    services: dict[str, dict[str, str]] = {}
    case = Case(env, {})

    def pick(*options: Any) -> Any:
        return rnd.choice(options)

    # Which profile: none, explicit, AWS_PROFILE / AWS_DEFAULT_PROFILE, a session's own.
    how = pick("none", "explicit", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "session", "missing")
    target = pick("dev", "base", "default")
    if how == "explicit":
        case.profile = target
    elif how in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        env[how] = target
        if rnd.random() < 0.3:
            env["AWS_PROFILE" if how == "AWS_DEFAULT_PROFILE" else "AWS_DEFAULT_PROFILE"] = "base"
    elif how == "session":
        case.instance_vars["profile"] = target
    elif how == "missing":
        case.profile = "nowhere"
    case.docs.append(f"profile {how}/{target}")

    # Region: environment, the profile, [default], the credentials file, a source profile.
    for _ in range(rnd.randint(0, 3)):
        where = pick("AWS_DEFAULT_REGION", "AWS_REGION", "profile", "default", "creds", "source")
        region = pick(*REGIONS, "Bad Region!")
        if where.startswith("AWS_"):
            env[where] = region
        elif where == "profile":
            config[target]["region"] = region
        elif where == "default":
            config["default"]["region"] = region
        elif where == "creds":
            creds.setdefault(target, {})["region"] = region
        else:  # botocore does not pass a source profile's region on
            config["dev"].update(source_profile="base", role_arn="arn:aws:iam::1:role/R")
            config["base"]["region"] = region
        case.docs.append(f"region {region} in {where}")
    if rnd.random() < 0.15:
        case.instance_vars["region"] = pick(*REGIONS)

    # STS endpoints: regional flag, configured URLs, services sections, ignore flag.
    if rnd.random() < 0.4:
        value = pick("legacy", "regional", "bogus")
        if rnd.random() < 0.5:
            env["AWS_STS_REGIONAL_ENDPOINTS"] = value
        else:
            config[target]["sts_regional_endpoints"] = value
    if rnd.random() < 0.3:
        env["AWS_ENDPOINT_URL_STS"] = f"{LOOP}/sts-env"
    if rnd.random() < 0.3:
        env["AWS_ENDPOINT_URL"] = f"{LOOP}/global-env"
    if rnd.random() < 0.3:
        config[pick(target, "default")]["endpoint_url"] = f"http://user:{SECRET}@127.0.0.1:9/p"
    if rnd.random() < 0.35:
        name = pick("svc", "missing")
        config[target]["services"] = name
        if name == "svc":
            services["svc"] = {"sts": pick(f"{LOOP}/svc-sts", ""), "s3": f"{LOOP}/svc-s3"}
    if rnd.random() < 0.3:
        flag = pick("true", "false", "maybe")
        if rnd.random() < 0.5:
            env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = flag
        else:
            config[target]["ignore_configured_endpoint_urls"] = flag
    for key, env_name in (
        ("use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT"),
        ("use_dualstack_endpoint", "AWS_USE_DUALSTACK_ENDPOINT"),
    ):
        if rnd.random() < 0.15:
            if rnd.random() < 0.5:
                env[env_name] = pick("true", "false")
            else:
                config[target][key] = pick("true", "false")

    # Other variables, some with values botocore's typecast refuses.
    if rnd.random() < 0.2:
        config[target]["max_attempts"] = pick("3", "x")
    if rnd.random() < 0.2:
        env["AWS_METADATA_SERVICE_TIMEOUT"] = pick("2", "soon")
    if rnd.random() < 0.2:
        config[target]["retry_mode"] = pick("standard", "adaptive")
        env["AWS_RETRY_MODE"] = pick("legacy", "standard")
    if rnd.random() < 0.15:
        config["default"]["ca_bundle"] = "/etc/ssl/bundle.pem"
    if rnd.random() < 0.1:
        case.instance_vars["sts_regional_endpoints"] = "legacy"
    if rnd.random() < 0.1:
        env["AWS_DEFAULTS_MODE"] = pick("standard", "in-region", "legacy")

    # Where the files are: default paths, ~ and $VAR in AWS_CONFIG_FILE.
    config_path = pick("home/.aws/config", "home/alt/config", "other/config")
    if config_path == "home/alt/config":
        env["AWS_CONFIG_FILE"] = "~/alt/config"
    elif config_path == "other/config":
        env["CONFDIR"] = "{root}/other"
        env["AWS_CONFIG_FILE"] = "$CONFDIR/config"
    creds_path = "home/.aws/credentials"
    if rnd.random() < 0.2:
        creds_path = "home/creds"
        env["AWS_SHARED_CREDENTIALS_FILE"] = "{root}/home/creds"

    lines = []
    for name, values in config.items():
        if values or rnd.random() < 0.5:
            lines.append(f"[{_section(name, True)}]")
            lines += [f"{k} = {v}" for k, v in values.items()]
            lines.append("")
    for name, values in services.items():
        lines.append(f"[services {name}]")
        for service, url in values.items():
            lines += [f"{service} =", f"  endpoint_url = {url}"] if url else []
        lines.append("")
    case.files[config_path] = "\n".join(lines)
    if creds:
        case.files[creds_path] = "\n".join(
            f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
            for name, values in creds.items()
        )
    return case


def materialise(case: Case, root: Path) -> dict[str, str]:
    for rel, text in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "home").mkdir(exist_ok=True)
    env = {k: v.replace("{root}", str(root)) for k, v in case.env.items()}
    env["HOME"] = str(root / "home")
    return env


def _oracle_value(value: Any) -> Any:
    return hide_userinfo(value) if isinstance(value, str) else value


def _check_source(setting: Setting, env: dict[str, str]) -> list[str]:
    """A file source names a real line that sets the key; an env source a set variable."""
    problems = []
    source = setting.source
    if ", line " in source:
        path, rest = source.split(" [", 1)
        line = int(rest.rsplit(", line ", 1)[1])
        text = Path(path).read_text().splitlines()[line - 1]
        if text.split("=")[0].strip().lower() != setting.config_key:
            problems.append(f"{setting.name}: line {line} of {path} is {text!r}")
    elif source.startswith("AWS_") and source not in env:
        problems.append(f"{setting.name}: source {source} is not set")
    return problems


SEEDS = range(240)


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Case, dict[str, str], Any]]:
    """Every generated case, materialised, with botocore's answers."""
    built = []
    for seed in SEEDS:
        case = generate(seed)
        root = tmp_path_factory.mktemp(f"case{seed}")
        built.append((case, materialise(case, root)))
    answers = run_oracle(
        [{"env": env, "profile": c.profile, "instance_vars": c.instance_vars} for c, env in built]
    )
    return [(c, env, a) for (c, env), a in zip(built, answers, strict=True)]


@pytest.mark.parametrize("index", range(0, len(SEEDS), 20))
def test_settings_agree_with_botocore(
    scenarios: list[tuple[Case, dict[str, str], Any]], index: int
) -> None:
    """For every generated scenario, every setting and the STS client agree with botocore."""
    import botocore.session

    problems: list[str] = []
    for case, env, oracle in scenarios[index : index + 20]:
        session = None
        if case.instance_vars:
            session = botocore.session.Session(profile=case.profile)
            for name, value in case.instance_vars.items():
                session.set_config_variable(name, value)
        report = credchain.explain(
            env=env, profile=None if session else case.profile, session=session, network=False
        )
        label = "; ".join(case.docs)
        assert set(report.settings) == set(oracle["settings"]), label
        for name, expected in oracle["settings"].items():
            got = report.settings[name]
            if "error" in expected:
                if got.error != expected["error"]:
                    problems.append(f"{label}: {name}: {got} vs botocore raising {expected}")
            elif got.error is not None or got.value != _oracle_value(expected["value"]):
                problems.append(f"{label}: {name}: {got.value!r} vs {expected['value']!r}")
            else:
                problems += [f"{label}: {p}" for p in _check_source(got, env)]
        sts = report.endpoints()["sts"]
        want = oracle["sts"]
        if "error" in want:
            if sts.error != want["error"]:
                problems.append(f"{label}: sts {sts} vs botocore raising {want['error']}")
        elif (sts.url, sts.region) != (_oracle_value(want["url"]), want["region"]):
            problems.append(f"{label}: sts {sts.url} {sts.region} vs {want}")
        assert report.region == report.settings["region"].value
        text = report.to_json() + str(report) + repr(report.settings) + repr(sts)
        assert SECRET not in text, label
    assert problems == []


def test_generated_scenarios_cover_the_dimensions() -> None:
    """The generator reaches every dimension the issue names."""
    docs = " ".join(d for seed in SEEDS for d in generate(seed).docs)
    for word in ("AWS_REGION", "AWS_DEFAULT_REGION", "in creds", "in source", "explicit"):
        assert word in docs
    cases = [generate(seed) for seed in SEEDS]
    assert any(c.instance_vars for c in cases)
    assert any("services" in t for c in cases for t in c.files.values())
    assert any(c.env.get("AWS_CONFIG_FILE", "").startswith("~") for c in cases)
    assert any(c.env.get("AWS_CONFIG_FILE", "").startswith("$") for c in cases)


# -- single behaviours -----------------------------------------------------------------------


def _home(tmp_path: Path, config: str = "", creds: str | None = None, **env: str) -> dict[str, str]:
    aws = tmp_path / "home" / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    (aws / "config").write_text(config)
    if creds is not None:
        (aws / "credentials").write_text(creds)
    return {"HOME": str(tmp_path / "home"), "AWS_EC2_METADATA_DISABLED": "true", **env}


class TestSources:
    def test_environment_variable(self, tmp_path: Path) -> None:
        """A region from AWS_DEFAULT_REGION names that variable."""
        report = credchain.explain(env=_home(tmp_path, AWS_DEFAULT_REGION="eu-west-1"))
        assert report.region == "eu-west-1"
        assert report.settings["region"].source == "AWS_DEFAULT_REGION"

    def test_config_file_line(self, tmp_path: Path) -> None:
        """A region in [profile dev] names the file, section and line."""
        env = _home(tmp_path, "[default]\n\n[profile dev]\noutput = json\nregion = us-west-2\n")
        report = credchain.explain(env=env, profile="dev", network=False)
        path = tmp_path / "home" / ".aws" / "config"
        assert report.settings["region"].source == f"{path} [profile dev], line 5"

    def test_credentials_file_wins(self, tmp_path: Path) -> None:
        """A region in ~/.aws/credentials overrides the config file's, and is named."""
        env = _home(tmp_path, "[default]\nregion = eu-west-1\n", "[default]\nregion = eu-north-1\n")
        report = credchain.explain(env=env, network=False)
        assert report.region == "eu-north-1"
        path = tmp_path / "home" / ".aws" / "credentials"
        assert report.settings["region"].source == f"{path} [default], line 2"

    def test_session_instance_variable(self, tmp_path: Path) -> None:
        """A region set on the session passed in is sourced to "session"."""
        import botocore.session

        session = botocore.session.Session()
        session.set_config_variable("region", "sa-east-1")
        report = credchain.explain(env=_home(tmp_path), session=session, network=False)
        assert (report.region, report.settings["region"].source) == ("sa-east-1", "session")

    def test_default(self, tmp_path: Path) -> None:
        """Unset variables with a default say "default"; defaults_mode says what it does."""
        report = credchain.explain(env=_home(tmp_path), network=False)
        assert report.settings["retry_mode"].source == "default"
        assert report.settings["defaults_mode"].note

    def test_source_profile_region_not_passed_on(self, tmp_path: Path) -> None:
        """A source profile's region is not the assuming profile's, as in botocore."""
        env = _home(
            tmp_path,
            "[profile base]\nregion = eu-west-1\n[profile dev]\nsource_profile = base\n"
            "role_arn = arn:aws:iam::123456789012:role/R\n",
        )
        assert credchain.explain(env=env, profile="dev", network=False).region is None

    def test_bad_value_is_recorded(self, tmp_path: Path) -> None:
        """A value botocore's typecast refuses is an error setting, not a crash."""
        report = credchain.explain(env=_home(tmp_path, "[default]\nmax_attempts = lots\n"))
        setting = report.settings["max_attempts"]
        assert (setting.value, setting.error) == (None, "ValueError")
        assert "ValueError" in setting.source

    def test_missing_profile_is_recorded(self, tmp_path: Path) -> None:
        """With a missing profile, settings read from the profile say ProfileNotFound."""
        report = credchain.explain(env=_home(tmp_path), profile="nowhere", network=False)
        assert report.settings["region"].error == "ProfileNotFound"
        assert report.settings["config_file"].error is None

    def test_drift_lists_unknown_variables(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A session variable botocore adds is listed with its value and source."""
        from botocore import configprovider

        from credchain import _botocore

        table = dict(configprovider.BOTOCORE_DEFAUT_SESSION_VARIABLES)
        table["future_knob"] = ("future_knob", "AWS_FUTURE_KNOB", "off", None)
        monkeypatch.setattr(configprovider, "BOTOCORE_DEFAUT_SESSION_VARIABLES", table)
        _botocore._session_variables.cache_clear()
        try:
            report = credchain.explain(env=_home(tmp_path, AWS_FUTURE_KNOB="on"), network=False)
        finally:
            monkeypatch.undo()
            _botocore._session_variables.cache_clear()
        assert report.settings["future_knob"].value == "on"
        assert report.settings["future_knob"].source == "AWS_FUTURE_KNOB"


class TestRegion:
    def test_aws_region_is_not_read(self, tmp_path: Path) -> None:
        """AWS_REGION alone gives botocore no region, and the note says so."""
        report = credchain.explain(env=_home(tmp_path, AWS_REGION="eu-west-1"), network=False)
        assert report.region is None
        assert "AWS_REGION" in (report.settings["region"].note or "")
        assert "region: none" in str(report)

    def test_no_region_sts_goes_global(self, tmp_path: Path) -> None:
        """Without a region an STS client uses the global endpoint, as the note says."""
        report = credchain.explain(env=_home(tmp_path), network=False)
        sts = report.endpoints()["sts"]
        assert (sts.url, sts.region) == ("https://sts.amazonaws.com", "aws-global")
        assert "https://sts.amazonaws.com" in (report.settings["region"].note or "")

    def test_header_names_source(self, tmp_path: Path) -> None:
        """str(report) shows the region and where it comes from near the top."""
        report = credchain.explain(env=_home(tmp_path, AWS_DEFAULT_REGION="eu-west-1"))
        assert "region: eu-west-1 (from AWS_DEFAULT_REGION)" in str(report).splitlines()[1]

    def test_to_dict(self, tmp_path: Path) -> None:
        """to_dict() has region and settings with value and source, and is JSON."""
        data = json.loads(
            credchain.explain(env=_home(tmp_path, AWS_DEFAULT_REGION="eu-west-1")).to_json()
        )
        assert data["region"] == "eu-west-1"
        assert data["settings"]["region"]["source"] == "AWS_DEFAULT_REGION"
        assert all({"value", "source"} <= set(s) for s in data["settings"].values())


class TestEndpoints:
    def test_services_section(self, tmp_path: Path) -> None:
        """An sts endpoint_url in a [services] section is used and named."""
        env = _home(
            tmp_path,
            "[default]\nregion = eu-west-1\nservices = local\n\n"
            f"[services local]\nsts =\n  endpoint_url = {LOOP}/x\n",
        )
        sts = credchain.explain(env=env, network=False).endpoints()["sts"]
        assert sts.url == f"{LOOP}/x"
        assert "[services local]" in sts.source

    def test_ignore_configured(self, tmp_path: Path) -> None:
        """ignore_configured_endpoint_urls makes botocore's rules decide again."""
        env = _home(
            tmp_path,
            AWS_DEFAULT_REGION="eu-west-1",
            AWS_ENDPOINT_URL_STS=LOOP,
            AWS_IGNORE_CONFIGURED_ENDPOINT_URLS="true",
        )
        sts = credchain.explain(env=env, network=False).endpoints()["sts"]
        assert sts.url == "https://sts.eu-west-1.amazonaws.com"
        assert "ignore_configured_endpoint_urls" in sts.source

    def test_sso_endpoint(self, tmp_path: Path) -> None:
        """An SSO profile gets the SSO endpoint of its sso_region."""
        env = _home(
            tmp_path,
            "[default]\nsso_session = s\nsso_account_id = 123456789012\nsso_role_name = R\n"
            "[sso-session s]\nsso_region = eu-central-1\nsso_start_url = https://x.example\n",
        )
        sso = credchain.explain(env=env, network=False).endpoints()["sso"]
        assert (sso.url, sso.region) == (
            "https://portal.sso.eu-central-1.amazonaws.com",
            "eu-central-1",
        )

    def test_process_environment_unchanged(self, tmp_path: Path) -> None:
        """Computing endpoints never changes os.environ."""
        before = dict(os.environ)
        env = _home(tmp_path, AWS_DEFAULT_REGION="eu-west-1", AWS_ENDPOINT_URL_STS=LOOP)
        credchain.explain(env=env, network=False).endpoints()
        assert dict(os.environ) == before


class TestProcessEnvironment:
    def test_read_at_call_time(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """With env=None the settings read os.environ when explain() runs, and endpoints()
        later still sees that moment's environment."""
        for name, value in _home(tmp_path).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        monkeypatch.delenv("AWS_ENDPOINT_URL_STS", raising=False)
        report = credchain.explain(network=False)
        monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
        assert report.region == "eu-west-1"
        assert report.endpoints()["sts"].url == "https://sts.eu-west-1.amazonaws.com"
        assert credchain.explain(network=False).region == "ap-south-1"

    def test_threads(self, tmp_path: Path) -> None:
        """32 threads computing settings and endpoints at once each get their own answer."""
        from concurrent.futures import ThreadPoolExecutor

        def one(i: int) -> tuple[str | None, str | None]:
            region = REGIONS[i % 3]
            report = credchain.explain(
                env=_home(tmp_path, AWS_DEFAULT_REGION=region), network=False
            )
            return report.region, report.endpoints()["sts"].region

        with ThreadPoolExecutor(32) as pool:
            results = list(pool.map(one, range(32)))
        assert results == [(REGIONS[i % 3], REGIONS[i % 3]) for i in range(32)]


class TestSecrets:
    def test_userinfo_hidden(self, tmp_path: Path) -> None:
        """A password in an endpoint or metadata URL is never shown."""
        env = _home(
            tmp_path,
            f"[default]\nendpoint_url = http://u:{SECRET}@127.0.0.1:9/\n",
            AWS_EC2_METADATA_SERVICE_ENDPOINT=f"http://u:{SECRET}@127.0.0.1:9/",
        )
        report = credchain.explain(env=env, network=False)
        from credchain._render import settings_table

        text = report.to_json() + str(report) + settings_table(report) + repr(report)
        assert SECRET not in text
        assert report.settings["ec2_metadata_service_endpoint"].value == "http://****@127.0.0.1:9/"


# -- assert_role(region=) and the command line ---------------------------------------------


class TestAssertRegion:
    def test_other_region_fails_naming_source(self, tmp_path: Path) -> None:
        """assert_role(region=) fails when botocore would use another region, naming the source."""
        env = _home(
            tmp_path,
            "[default]\nregion = us-east-2\noutput = json\n",
            **role_env(tmp_path),
        )
        with pytest.raises(credchain.RoleAssertionError) as err:
            credchain.assert_role("R", env=env, verify=False, region="eu-west-1")
        message = str(err.value)
        assert "us-east-2" in message and "config [default], line 2" in message

    def test_same_region_passes(self, tmp_path: Path) -> None:
        """The region check passes when botocore's region matches."""
        env = _home(
            tmp_path,
            "[default]\nregion = eu-west-1\noutput = json\n",
            **role_env(tmp_path),
        )
        identity = credchain.assert_role("R", env=env, verify=False, region="eu-west-1")
        assert identity.role_name == "R"


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean process environment with a config file: region in [default] and a dev profile."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "BOTO_", "CREDCHAIN_")):
            monkeypatch.delenv(name)
    env = _home(
        tmp_path,
        "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = ap-south-1\n",
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", LOOP)
    for name, value in role_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    return tmp_path


class TestCli:
    def test_explain_settings(self, cli_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--settings prints every setting with its source, and the STS endpoint."""
        main(["explain", "--settings", "--no-network"])
        out = " ".join(capsys.readouterr().out.split())  # long temporary paths wrap
        assert "region: eu-west-1 (from " in out
        assert "sts_regional_endpoints" in out and "retry_mode" in out
        assert f"sts: {LOOP} (region eu-west-1; from AWS_ENDPOINT_URL)" in out

    def test_json_carries_settings(
        self, cli_home: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--json has settings always, and endpoints with --settings."""
        main(["explain", "--json", "--no-network"])
        data = json.loads(capsys.readouterr().out)
        assert data["region"] == "eu-west-1" and "settings" in data and "endpoints" not in data
        main(["explain", "--json", "--settings", "--no-network"])
        data = json.loads(capsys.readouterr().out)
        assert data["endpoints"]["sts"]["url"] == LOOP

    def test_profiles_region_column(
        self, cli_home: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """credchain profiles shows each profile's region."""
        main(["profiles"])
        out = capsys.readouterr().out
        header = next(line for line in out.splitlines() if line.startswith("profile"))
        assert "region" in header
        dev = next(line for line in out.splitlines() if line.startswith("dev "))
        assert "ap-south-1" in dev

    def test_assert_role_region(self, cli_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """assert-role --region exits 1 on another region and 0 on botocore's own."""
        assert main(["assert-role", "R", "--no-verify", "--region", "us-west-2"]) == 1
        err = capsys.readouterr().err
        assert "eu-west-1" in err and "[default], line 2" in err
        assert main(["assert-role", "R", "--no-verify", "--region", "eu-west-1"]) == 0
