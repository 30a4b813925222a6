"""Explain which credentials botocore would use in this process, and exit non-zero if none.

python examples/explain_here.py            # probes the instance metadata service
python examples/explain_here.py --offline  # opens no socket
"""

import sys

import credchain

report = credchain.explain(network="--offline" not in sys.argv)
print(report)
if report.shadowed:
    print(f"\n{len(report.shadowed)} provider(s) shadowed by {report.winner.method}.")
sys.exit(0 if report.winner else 1)
