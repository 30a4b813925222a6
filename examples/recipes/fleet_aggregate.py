"""Aggregate ``credchain explain --json`` reports from a fleet: hosts by winner, shadowing flagged.

It reads what the dispatchers leave behind, without an agent of its own:

- a directory synced from the S3 output of AWS Systems Manager Run Command
  (``aws s3 sync s3://BUCKET/credchain-audit/ audit/``): one ``stdout`` file per
  instance at ``<command-id>/<instance-id>/awsrunShellScript/0.awsrunShellScript/stdout``;
  the host is the path component that starts with ``i-`` or ``mi-``;
- JSON lines from ``kubectl logs`` of the DaemonSet or Job, each
  ``{"host": NODE, "report": {...}}``;
- any ``*.json`` file holding one report (the host is the file's stem).

    python fleet_aggregate.py audit/ [more paths or - for stdin] [--json]

Exit status 1 when at least one host has keys that shadow a role (or no
credentials, or botocore would raise), 0 when the fleet is clean.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

#: Providers that hand out long-term or static keys.
KEY_PROVIDERS = frozenset(
    {"env", "shared-credentials-file", "config-file", "ec2-credentials-file", "boto-config"}
)
#: Providers that stand for a role.
ROLE_PROVIDERS = frozenset(
    {"iam-role", "container-role", "assume-role", "assume-role-with-web-identity", "sso"}
)


def _host_from_path(path: Path, root: Path) -> str:
    for part in path.relative_to(root).parts if path != root else path.parts:
        if part.startswith(("i-", "mi-")):
            return part  # SSM: <command-id>/<instance-id>/...
    return path.stem if path.suffix == ".json" else path.parent.name


def _documents(text: str) -> Iterator[Any]:
    text = text.strip()
    if not text:
        return
    try:
        yield json.loads(text)
    except json.JSONDecodeError:  # JSON lines (kubectl logs)
        for line in text.splitlines():
            if line.strip().startswith("{"):
                yield json.loads(line)


def read_reports(paths: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(host, report)`` for every report found in files, directories or stdin (``-``)."""
    for name in paths:
        if name == "-":
            sources = [(Path("-"), Path("-"), sys.stdin.read())]
        else:
            root = Path(name)
            files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
            sources = [(f, root if root.is_dir() else root.parent, f.read_text()) for f in files]
        for path, root, text in sources:
            for doc in _documents(text):
                if "report" in doc:  # {"host": ..., "report": ...} from the Kubernetes recipe
                    yield str(doc.get("host", "?")), doc["report"]
                elif "providers" in doc:
                    yield _host_from_path(path, root), doc


def shadowing(report: dict[str, Any]) -> list[str]:
    """The roles hidden by keys: ``["iam-role"]`` on the seed's host, ``[]`` on a clean one."""
    if report.get("winner") not in KEY_PROVIDERS:
        return []
    return [
        p["method"]
        for p in report["providers"]
        if p["status"] == "shadowed" and p["method"] in ROLE_PROVIDERS
    ]


def aggregate(reports: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Group hosts by winner (``"raises: X"`` or ``"none"`` without one); list the flagged ones."""
    by_winner: dict[str, list[str]] = defaultdict(list)
    flagged: dict[str, dict[str, Any]] = {}
    for host, report in reports:
        outcome = report["winner"] or (
            f"raises: {report['raises']}" if report["raises"] else "none"
        )
        by_winner[outcome].append(host)
        hidden = shadowing(report)
        if hidden or report["winner"] is None:
            winner = next((p for p in report["providers"] if p["status"] == "found"), None)
            flagged[host] = {
                "winner": outcome,
                "source": winner["source"] if winner else None,
                "shadows": hidden,
            }
    return {
        "hosts": sum(len(h) for h in by_winner.values()),
        "by_winner": {w: sorted(h) for w, h in sorted(by_winner.items())},
        "flagged": dict(sorted(flagged.items())),
    }


def render(summary: dict[str, Any]) -> str:
    lines = [f"{summary['hosts']} hosts"]
    for winner, hosts in summary["by_winner"].items():
        lines.append(f"  {winner:<32} {len(hosts):>5}")
    for host, why in summary["flagged"].items():
        hidden = f" shadows {', '.join(why['shadows'])}" if why["shadows"] else ""
        lines.append(f"!! {host}: {why['winner']}{hidden} ({why['source'] or 'no source'})")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    paths = [a for a in argv if a != "--json"] or ["-"]
    summary = aggregate(read_reports(paths))
    print(json.dumps(summary, indent=2) if as_json else render(summary))
    return 1 if summary["flagged"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
