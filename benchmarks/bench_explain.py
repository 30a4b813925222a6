"""Side-by-side timings of credchain and botocore, measured in one run.

    python benchmarks/bench_explain.py

Prints ratios (credchain / botocore); lower is better. Nothing here is a test:
the figures depend on the machine, the ratios much less.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import silent_server  # beside this script: the one silent loopback server


def _median_import(module: str, runs: int = 15) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(runs)]
    return statistics.median(out)


def _median_code(code: str, runs: int = 9) -> float:
    out = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(runs)]
    return statistics.median(out)


#: In a fresh process: what reading botocore's own chain order costs credchain when the
#: installed botocore is not a version it verified (importing botocore.credentials included).
_COLD_ORDER = (
    "import time; import credchain._botocore as b; b.verified = lambda v=None: False; "
    "t = time.perf_counter(); b.botocore_chain(False); print(time.perf_counter() - t)"
)
_COLD_BOTOCORE = (
    "import time, os; os.environ['AWS_EC2_METADATA_DISABLED'] = 'true'; "
    "t = time.perf_counter(); import botocore.session; "
    "botocore.session.Session().get_credentials(); print(time.perf_counter() - t)"
)


def _median(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def _isolated_env(home: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("AWS_", "BOTO_")):
            del os.environ[name]
    os.environ["HOME"] = str(home)


def main() -> None:
    import botocore.session

    import credchain

    rows = []
    imp_c, imp_b = _median_import("credchain"), _median_import("botocore.session")
    rows.append(("import credchain / import botocore.session", imp_c, imp_b))
    rows.append(
        (
            "cold: chain order read from botocore / import + get_credentials()",
            _median_code(_COLD_ORDER),
            _median_code(_COLD_BOTOCORE),
        )
    )

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / ".aws").mkdir()
        (home / ".aws" / "credentials").write_text(
            "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        )
        (home / ".aws" / "config").write_text("[default]\nregion = eu-west-1\n")
        _isolated_env(home)
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        c = _median(lambda: credchain.explain(network=False), 200)
        b = _median(lambda: botocore.session.Session().get_credentials(), 200)
        rows.append(("explain(network=False) / Session().get_credentials(), small config", c, b))

        # The settings alone (already inside the row above): every session variable with
        # its source, against botocore resolving every variable on a fresh session.
        from botocore import UNSIGNED
        from botocore.config import Config
        from botocore.configprovider import BOTOCORE_DEFAUT_SESSION_VARIABLES

        from credchain._context import Context
        from credchain._settings import settings_of

        def all_variables() -> None:
            session = botocore.session.Session()
            for name in BOTOCORE_DEFAUT_SESSION_VARIABLES:
                session.get_config_variable(name)

        c = _median(lambda: settings_of(Context(dict(os.environ))), 200)
        b = _median(all_variables, 200)
        rows.append(("settings with sources / every get_config_variable, fresh session", c, b))

        # Report.endpoints(): an unsigned STS client for the inspected world, built lazily.
        def endpoints() -> None:
            credchain.explain(network=False).endpoints()

        def sts_client() -> None:
            config = Config(signature_version=UNSIGNED)
            botocore.session.Session().create_client("sts", config=config)

        c = _median(endpoints, 20)
        b = _median(sts_client, 20)
        rows.append(("explain(network=False).endpoints() / create_client('sts')", c, b))

        # An instance metadata service that never answers, and nothing else configured.
        (home / ".aws" / "credentials").unlink()
        srv, port = silent_server()
        del os.environ["AWS_EC2_METADATA_DISABLED"]
        os.environ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = f"http://127.0.0.1:{port}/"
        os.environ["AWS_METADATA_SERVICE_TIMEOUT"] = "1"
        c = _median(lambda: credchain.explain(), 3)
        b = _median(lambda: botocore.session.Session().get_credentials(), 3)
        rows.append(("unresponsive metadata service: explain() / get_credentials()", c, b))
        srv.close()

    width = max(len(r[0]) for r in rows)
    print(f"botocore {botocore.__version__}, Python {sys.version.split()[0]}")
    for name, c, b in rows:
        print(f"{name:<{width}}  {c * 1000:9.2f} ms / {b * 1000:9.2f} ms = {c / b:5.2f}")


if __name__ == "__main__":
    main()
