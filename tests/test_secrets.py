"""Planted secrets never leave credchain: property tests over every input and every channel.

Every planted secret is unique and easy to find (``SEKRET`` and a serial
number, then random characters), so a leak of even part of one is caught by
searching for its head. Channels: ``str``, ``repr``, ``to_dict``, ``to_json``,
the command line's output, log records at DEBUG and exception messages.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import os
import stat
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credchain import RoleAssertionError, assert_role, explain
from credchain._cli import main
from credchain._mask import HIDDEN, SecretSet, mask_key, safe_url, scrub
from credchain.exceptions import IdentityError
from credchain.testing import patched_environ

FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
_serial = itertools.count(1)

# Characters AWS secret keys and tokens are made of, and a few more.
_TAIL = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=-_.", max_size=30)
_URL_SAFE_TAIL = st.text(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", max_size=30
)


def _head() -> str:
    return f"SEKRET{next(_serial):06d}X"


@st.composite
def secrets_(draw: st.DrawFn, tail: st.SearchStrategy[str] = _TAIL) -> str:
    """A unique secret: a searchable head, then random characters."""
    return _head() + draw(tail)


@st.composite
def key_ids(draw: st.DrawFn) -> str:
    """A unique access key id: AKIA/ASIA and 16 upper-case letters and digits."""
    n = next(_serial)
    return (
        draw(st.sampled_from(["AKIA", "ASIA"]))
        + f"Q{n:07d}"
        + draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=8, max_size=8))
    )


def heads(secret: str) -> list[str]:
    """What must not appear: the secret's head (a leak of any part shows it), whole forms."""
    return [secret[:13], secret, json.dumps(secret)[1:-1], quote(secret, safe="")]


def assert_hidden(text: str, secrets: list[str], key_ids: list[str] = (), where: str = "") -> None:
    for secret in secrets:
        for form in heads(secret):
            assert form not in text, f"{where}: {form!r} leaked in {text!r}"
    for key_id in key_ids:
        assert key_id not in text, f"{where}: {key_id!r} leaked in {text!r}"
        assert key_id[4:-4] not in text, f"{where}: the middle of {key_id!r} leaked in {text!r}"


# -- the scrubber on its own -------------------------------------------------------------------

# Text around a known secret: as is, JSON-escaped, URL-encoded, base64 of user:pass, in reprs.
KNOWN_FORMS = [
    "{s}",
    "error: {s}.",
    "x{s}y",
    '{{"Body": "{j}"}}',
    '"{{\\"Inner\\": \\"{jj}\\"}}"',
    "https://example.com/cb?state={u}&x=1",
    "Authorization: Basic {b}",
    "the reply was {r!r}",
    "curl -H 'X-Thing: {s}' http://127.0.0.1/",
    "{s}\n{s}",
]


@settings(max_examples=1000, deadline=None)
@given(
    secret=secrets_(),
    key_id=key_ids(),
    form=st.sampled_from(KNOWN_FORMS),
    noise=st.text(max_size=20),
)
def test_known_secrets_are_hidden_in_any_encoding(
    secret: str, key_id: str, form: str, noise: str
) -> None:
    """A known secret is hidden as is, JSON-escaped, URL-encoded, in base64 and in reprs."""
    text = (
        noise
        + form.format(
            s=secret,
            j=json.dumps(secret)[1:-1],
            jj=json.dumps(json.dumps(secret)[1:-1])[1:-1],
            u=quote(secret, safe=""),
            b=base64.b64encode(f"user:{secret}".encode()).decode(),
            r=secret,
        )
        + f"\nkey {key_id} "
        + noise
    )
    out = scrub(text, [secret], [key_id])
    assert_hidden(out, [secret], [key_id], form)
    assert mask_key(key_id) in out


# Secrets standing where a secret stands, never told to the scrubber.
UNKNOWN_FORMS = [
    '{{"SecretAccessKey": "{s}", "AccessKeyId": "{k}"}}',
    '{{"Token": "{s}"}}',
    '{{"SessionToken":"{s}"}}',
    '{{"sessionToken": "{s}", "expiration": 1}}',
    '{{"accessToken": "{s}", "expiresAt": "2030-01-01T00:00:00Z"}}',
    '{{"refreshToken": "{s}", "clientId": "c"}}',
    '{{"clientSecret": "{s}"}}',
    "{{'Token': '{s}', 'Expiration': 'x'}}",
    '"{{\\"Token\\": \\"{s}\\"}}"',
    "aws_secret_access_key = {s}",
    "aws_session_token={s}",
    "AWS_SECRET_ACCESS_KEY={s} AWS_ACCESS_KEY_ID={k}",
    "export AWS_SESSION_TOKEN='{s}'",
    'password="{s}"',
    "password: {s}",
    "Authorization: Bearer {s}",
    "authorization: AWS4-HMAC-SHA256 Credential={k}/20250101/us-east-1/sts/aws4_request, "
    "SignedHeaders=host, Signature={s}",
    "X-Amz-Security-Token: {s}",
    "x-aws-ec2-metadata-token: {s}",
    "https://sts.amazonaws.com/?Action=Get&X-Amz-Security-Token={u}&X-Amz-Signature={u}",
    "http://127.0.0.1:8080/creds?token={u}",
    "http://127.0.0.1:8080/creds?a=1&password={u}#f",
    "http://admin:{u}@127.0.0.1:8080/",
    "https://{u}@example.com/path",
    "endpoint http://user:{u}@[::1]:80/x failed",
    "client_secret={s}&grant_type=refresh",
    "api_key: {s}",
]


@settings(max_examples=1200, deadline=None)
@given(
    secret=secrets_(),
    url_secret=secrets_(_URL_SAFE_TAIL),
    key_id=key_ids(),
    form=st.sampled_from(UNKNOWN_FORMS),
    before=st.sampled_from(["", "Received non 200 ", "error: ", "line\n", '{"a": 1, "b": ']),
)
def test_values_of_sensitive_keys_are_hidden_unknown(
    secret: str, url_secret: str, key_id: str, form: str, before: str
) -> None:
    """Values under sensitive keys, in URL user info and query strings are hidden, unknown."""
    text = before + form.format(s=secret, u=url_secret, k=key_id)
    out = scrub(text)
    assert_hidden(out, [secret, url_secret], [key_id], form)


@settings(max_examples=300, deadline=None)
@given(password=secrets_(_URL_SAFE_TAIL), token=secrets_(_URL_SAFE_TAIL))
def test_safe_url_drops_user_info_and_sensitive_query(password: str, token: str) -> None:
    """``safe_url`` keeps scheme, host, port and path, and hides user info and tokens."""
    url = f"http://me:{password}@127.0.0.1:1234/v2/creds?token={token}&a=b"
    shown = safe_url(url)
    assert shown == "http://***@127.0.0.1:1234/v2/creds?token=***&a=b"


def test_scrub_keeps_ordinary_text() -> None:
    """Text that holds no secret comes out unchanged (paths, variables, prose, ARNs)."""
    for text in [
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY",
        "AWS_WEB_IDENTITY_TOKEN_FILE=/var/run/token: no such file",
        "credential_process = /usr/bin/tool --profile dev",
        "credential_source = Environment",
        "~/.aws/sso/cache/0123456789abcdef0123456789abcdef01234567.json",
        "arn:aws:iam::123456789012:role/Deploy",
        "the SSO token expired at 2020-01-01T00:00:00Z: run aws sso login",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI -> http://127.0.0.1:80/creds",
        "[dev] has aws_access_key_id but no aws_secret_access_key: botocore stops here.",
        "ec2.creds has AWSAccessKeyId but no AWSSecretKey: botocore raises KeyError.",
    ]:
        assert scrub(text) == text


def test_endpoint_bodies_are_withheld() -> None:
    """botocore's container error quotes the reply; it is summarised, whatever it holds."""
    text = "Received non 200 response 500 from container metadata: <html>anything</html>"
    assert scrub(text) == (
        "Received non 200 response 500 from container metadata: <response body withheld: 21 bytes>"
    )


# -- every channel of explain(), the command line and assert_role -----------------------------


@pytest.fixture(scope="module")
def answering_500() -> Iterator[dict[str, str]]:
    """A loopback container endpoint answering HTTP 500 with whatever body the test sets."""
    state = {"body": "{}"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = state["body"].encode()
            self.send_response(500)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


def _base_env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "BOTO_CONFIG": str(home / "boto"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9/",
        "AWS_ENDPOINT_URL_SSO": "http://127.0.0.1:9/",
        "NO_PROXY": "127.0.0.1,localhost",
    }


def _script(path: Path, text: str) -> str:
    path.write_text("#!/bin/sh\n" + text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """What to plant where: env, both files, an SSO cache, a process, URLs."""
    return {
        "env_keys": draw(st.booleans()),
        "file_keys": draw(st.booleans()),
        "profile": draw(st.sampled_from(["default", "dev", "sso", "proc", "stderr"])),
        "container": draw(st.sampled_from([None, "full", "imds"])),
        "secret": [draw(secrets_()) for _ in range(8)],
        "url_secret": [draw(secrets_(_URL_SAFE_TAIL)) for _ in range(3)],
        "key_id": [draw(key_ids()) for _ in range(3)],
    }


def _plant(home: Path, s: dict[str, Any]) -> dict[str, str]:
    """Write the scenario's files; return its environment."""
    sec, url_sec, kid = s["secret"], s["url_secret"], s["key_id"]
    (home / ".aws" / "sso" / "cache").mkdir(parents=True, exist_ok=True)
    env = _base_env(home)
    if s["env_keys"]:
        env.update(AWS_ACCESS_KEY_ID=kid[0], AWS_SECRET_ACCESS_KEY=sec[0], AWS_SESSION_TOKEN=sec[1])
    if s["profile"] != "default":
        env["AWS_PROFILE"] = s["profile"]
    if s["container"] == "full":
        env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = (
            f"http://task:{url_sec[0]}@127.0.0.1:9/creds?token={url_sec[1]}"
        )
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = sec[2]
    elif s["container"] == "imds":
        del env["AWS_EC2_METADATA_DISABLED"]
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = f"http://imds:{url_sec[0]}@127.0.0.1:9/"
    creds = "[default]\n"
    if s["file_keys"]:
        creds += f"aws_access_key_id = {kid[1]}\naws_secret_access_key = {sec[3]}\n"
        creds += f"aws_session_token = {sec[4]}\n"
    creds += f"[dev]\naws_access_key_id = {kid[2]}\naws_secret_access_key = {sec[5]}\n"
    (home / ".aws" / "credentials").write_text(creds)
    printer = _script(
        home / "printer.sh",
        f'echo \'{{"Version": 2, "AccessKeyId": "{kid[0]}", '
        f'"SecretAccessKey": "{sec[6]}", "SessionToken": "{sec[7]}"}}\'\n',
    )
    failer = _script(
        home / "failer.sh",
        f'echo \'Token: {sec[6]} {{"SecretAccessKey": "{sec[7]}"}}\' >&2\nexit 3\n',
    )
    (home / ".aws" / "config").write_text(
        "[default]\nregion = us-east-1\n"
        "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n"
        "sso_role_name = Admin\n"
        f"[sso-session corp]\nsso_start_url = https://u:{url_sec[2]}@corp.awsapps.com/start"
        f"?token={url_sec[1]}\nsso_region = us-east-1\n"
        f"[profile proc]\ncredential_process = {printer} --token={sec[2]} {sec[3]}\n"
        f"[profile stderr]\ncredential_process = {failer}\n"
    )
    import hashlib

    cache = hashlib.sha1(b"corp").hexdigest()
    (home / ".aws" / "sso" / "cache" / f"{cache}.json").write_text(
        json.dumps(
            {
                "startUrl": "https://corp.awsapps.com/start",
                "region": "us-east-1",
                "accessToken": sec[0],
                "refreshToken": sec[1],
                "clientSecret": sec[2],
                "clientId": "cid",
                "expiresAt": "2000-01-01T00:00:00Z",
            }
        )
    )
    return env


def _channels_of(report: Any) -> dict[str, str]:
    return {
        "str": str(report),
        "repr": repr(report),
        "to_dict": json.dumps(report.to_dict(), ensure_ascii=False),
        "to_json": report.to_json(),
        "reprs": repr(report.providers) + repr(report.winner) + repr(report.error),
    }


def _everything(s: dict[str, Any]) -> tuple[list[str], list[str]]:
    return [*s["secret"], *s["url_secret"]], list(s["key_id"])


@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURES)
@given(s=scenarios(), network=st.booleans(), verify=st.integers(0, 3))
def test_explain_shows_no_planted_secret_on_any_channel(
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    s: dict[str, Any],
    network: bool,
    verify: int,
) -> None:
    """Secrets planted in env, files, caches, URLs and processes never appear in any output."""
    home = tmp_path_factory.mktemp("home")
    env = _plant(home, s)
    secrets, ids = _everything(s)
    caplog.clear()
    capsys.readouterr()
    with caplog.at_level(logging.DEBUG):
        report = explain(env=env, network=network, run_process=True, timeout=2)
        for where, text in _channels_of(report).items():
            assert_hidden(text, secrets, ids, where)
        with patched_environ(env):
            main(["explain", "--run-process", "--timeout", "2"])
            main(["explain", "--json", "--no-network"])
            main(["profiles", "--json"])
            main(["assert-role", "Wanted", "--no-verify"])
            if verify == 0:  # botocore itself, in this process, through identify()
                main(["explain", "--verify", "--no-network", "--timeout", "1"])
        out = capsys.readouterr()
        assert_hidden(out.out + out.err, secrets, ids, "cli")
        try:
            assert_role("Wanted", verify=False, env=env)
        except RoleAssertionError as e:
            assert_hidden(str(e) + repr(e), secrets, ids, "RoleAssertionError")
    logged = caplog.text + "".join(str(r.msg) + str(r.args) for r in caplog.records)
    assert_hidden(logged, secrets, ids, "logs")


@settings(max_examples=15, deadline=None, suppress_health_check=FIXTURES)
@given(token=secrets_(), secret=secrets_(), key_id=key_ids(), shape=st.integers(0, 3))
def test_container_error_bodies_never_show(
    tmp_path_factory: pytest.TempPathFactory,
    answering_500: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    token: str,
    secret: str,
    key_id: str,
    shape: int,
) -> None:
    """A container endpoint answering 500 with credentials in its body: nothing of it shows."""
    answering_500["body"] = [
        json.dumps({"Token": token, "SecretAccessKey": secret, "AccessKeyId": key_id}),
        f"Token={token}&secret={secret} {key_id}",
        f"<Error><Token>{token}</Token><Key>{secret}</Key>{key_id}</Error>",
        f"{token}\n{secret}\n{key_id}",
    ][shape]
    home = tmp_path_factory.mktemp("home")
    env = _base_env(home)
    env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = answering_500["url"] + "/creds"
    caplog.clear()
    capsys.readouterr()
    with caplog.at_level(logging.DEBUG):
        report = explain(env=env, timeout=2)
        assert report.raises == "CredentialRetrievalError"
        for where, text in _channels_of(report).items():
            assert_hidden(text, [token, secret], [key_id], where)
        with patched_environ(env):
            main(["explain"])
            main(["explain", "--json"])
        out = capsys.readouterr()
        assert_hidden(out.out + out.err, [token, secret], [key_id], "cli")
    assert_hidden(caplog.text, [token, secret], [key_id], "logs")


@settings(max_examples=6, deadline=None, suppress_health_check=FIXTURES)
@given(secret=secrets_(), url_secret=secrets_(_URL_SAFE_TAIL), key_id=key_ids())
def test_identity_errors_show_no_secret(
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
    secret: str,
    url_secret: str,
    key_id: str,
) -> None:
    """assert_role(verify=True) with an STS that can't be reached: no secret in the failure."""
    home = tmp_path_factory.mktemp("home")
    env = _base_env(home)
    env.update(
        AWS_ACCESS_KEY_ID=key_id,
        AWS_SECRET_ACCESS_KEY=secret,
        AWS_SESSION_TOKEN=secret + "tok",
        AWS_ENDPOINT_URL_STS=f"http://sts:{url_secret}@127.0.0.1:9/?token={url_secret}",
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(RoleAssertionError) as info:
        assert_role("Wanted", env=env, timeout=1)
    cause = info.value.__cause__
    assert isinstance(cause, IdentityError)
    for text in (str(info.value), repr(info.value), str(cause), repr(cause), caplog.text):
        assert_hidden(text, [secret, url_secret], [key_id], "assert_role")


def test_finding_repr_masks_and_scrubs() -> None:
    """An inspector's Finding shows no full key id or secret in its repr either."""
    from credchain.providers import Finding, Status

    f = Finding(
        Status.ERROR,
        "http://u:SEKRETpw123456@127.0.0.1/",
        "failed",
        access_key="AKIAQ0000001AEXAMPLE",
        message='{"Token": "SEKRETtoken123456"}',
    )
    assert_hidden(repr(f), ["SEKRETpw123456", "SEKRETtoken123456"], ["AKIAQ0000001AEXAMPLE"])


def test_reports_scrub_whatever_builds_them() -> None:
    """ProviderResult and Report scrub their text fields themselves (a plugin's inspector too)."""
    from credchain import ProviderResult, Report, Status

    p = ProviderResult(
        "custom",
        Status.ERROR,
        "https://me:SEKRETpw123456@example.com/",
        'reply {"sessionToken": "SEKRETtoken123456"}',
        access_key="AKIAQ0000001AEXAMPLE",
        details=("password=SEKRETdetail123",),
        fix="unset AWS_SESSION_TOKEN=SEKRETfix123456",
    )
    r = Report((p,), None, "X", p, "default", "0", message="Token: SEKRETmsg123456")
    text = str(r) + repr(r) + r.to_json()
    assert_hidden(
        text,
        [
            "SEKRETpw123456",
            "SEKRETtoken123456",
            "SEKRETdetail123",
            "SEKRETfix123456",
            "SEKRETmsg123456",
        ],
        ["AKIAQ0000001AEXAMPLE"],
    )


@settings(max_examples=300, deadline=None)
@given(
    secret=secrets_(),
    key_id=key_ids(),
    form=st.sampled_from(KNOWN_FORMS),
    noise=st.text(max_size=20),
)
def test_a_growing_secret_set_hides_what_is_added_after_scrubbing_began(
    secret: str, key_id: str, form: str, noise: str
) -> None:
    """A context's sets are searched through an index kept as they grow: a secret added
    after scrubbing began, among hundreds of others, is hidden in every form too."""
    secrets, ids = SecretSet(), SecretSet(key_ids=True)
    secrets.update(f"other-secret-{i:04d}" for i in range(300))
    ids.update(f"AKIAOTHER{i:03d}EXAMPLE" for i in range(300))
    assert scrub("nothing to hide", secrets, ids) == "nothing to hide"  # the index is built
    secrets.add(secret)
    ids |= {key_id}
    text = (
        noise
        + form.format(
            s=secret,
            j=json.dumps(secret)[1:-1],
            jj=json.dumps(json.dumps(secret)[1:-1])[1:-1],
            u=quote(secret, safe=""),
            b=base64.b64encode(f"user:{secret}".encode()).decode(),
            r=secret,
        )
        + f"\nkey {key_id} other-secret-0042 "
        + noise
    )
    out = scrub(text, secrets, ids)
    assert_hidden(out, [secret], [key_id], form)
    assert mask_key(key_id) in out and "other-secret-0042" not in out
    secrets.discard(secret)  # taken out: no longer hidden as a known secret
    assert "other-secret-0042" not in scrub(text, secrets, ids)


def test_scrubbing_with_a_star_in_a_secret() -> None:
    """Replacing one secret by *** may form another that holds a *: it is hidden too."""
    secrets = SecretSet(["XYZXYZXYZXYZ", "bc***de"])
    assert scrub("abcXYZXYZXYZXYZdefg", secrets) == "a" + HIDDEN + "fg"
