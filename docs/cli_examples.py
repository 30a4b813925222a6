"""Print the real output of `credchain explain` in the situations docs/cli.md shows.

    .venv/bin/python docs/cli_examples.py

Each case runs `python -m credchain explain` in a fresh temporary HOME (no
AWS variables from this shell). The metadata service is a loopback server
that never answers (no request leaves the machine). Two same-length
replacements make the text read as on a real machine without changing
how it wraps: the temporary HOME becomes /home/app-user, and the server's URL
becomes http://169.254.169.254/.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

HOME = "/home/app-user"  # as long as mkdtemp's /tmp/cXXXXXXXX
IMDS = "http://169.254.169.254/"


def run(home: Path, url: str, *argv: str, **env: str) -> str:
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8"}
    base.update(AWS_EC2_METADATA_SERVICE_ENDPOINT=url, **env)
    result = subprocess.run(
        [sys.executable, "-m", "credchain", *argv],
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
    )
    shown = " ".join(["credchain", *argv])
    prefix = " ".join(f"{k}={v}" for k, v in env.items())
    text = f"$ {prefix + ' ' if prefix else ''}{shown}\n{result.stdout}$ echo $?\n"
    text += f"{result.returncode}\n"
    return text.replace(str(home), HOME).replace(url, IMDS)


def case(name: str) -> Path:
    home = Path(tempfile.mkdtemp(prefix="c", dir="/tmp"))
    assert len(str(home)) == len(HOME), home
    (home / ".aws").mkdir()
    return home


def main() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts, never answers
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    assert len(url) == len(IMDS), url
    homes = []
    try:
        # 1. No credentials anywhere: a fresh laptop.
        home = case("none")
        homes.append(home)
        print(run(home, url, "explain"))

        # 2. AWS_PROFILE names a profile that does not exist.
        home = case("missing")
        homes.append(home)
        (home / ".aws" / "config").write_text(
            "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = eu-west-1\n\n"
            "[profile production]\nregion = eu-west-1\n"
        )
        print(run(home, url, "explain", AWS_PROFILE="prodution"))

        # 3. An SSO profile whose cached token expired.
        home = case("sso")
        homes.append(home)
        (home / ".aws" / "config").write_text(
            "[profile admin]\nsso_session = corp\nsso_account_id = 123456789012\n"
            "sso_role_name = AdministratorAccess\nregion = eu-west-1\n\n"
            "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
            "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n"
        )
        cache = home / ".aws" / "sso" / "cache"
        cache.mkdir(parents=True)
        expired = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=3)
        token = {
            "startUrl": "https://corp.awsapps.com/start",
            "region": "eu-west-1",
            "accessToken": "EXAMPLE-TOKEN",
            "expiresAt": expired.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        name = hashlib.sha1(b"corp").hexdigest()  # noqa: S324 - botocore's cache key
        (cache / f"{name}.json").write_text(json.dumps(token))
        print(run(home, url, "explain", AWS_PROFILE="admin"))
    finally:
        silent.close()
        for home in homes:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
