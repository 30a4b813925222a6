"""JSON Schemas of credchain's JSON output, shipped with the package.

``credchain explain --json`` (:meth:`credchain.Report.to_dict`) and
``credchain profiles --json`` carry ``"schema": 1``: the major version of the
document's shape. Within one schema version keys are only added, never removed
or retyped; a consumer should ignore keys it does not know (the schemas allow
them). A change that removes or retypes a key bumps the number and ships a new
file next to the old one.

::

    from credchain.schema import load
    schema = load("report")        # report.v1.json as a dict
    profiles = load("profiles", 1)  # profiles.v1.json

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["NAMES", "SCHEMA_VERSION", "load", "path_name"]

#: The schema version credchain writes into its JSON output today.
SCHEMA_VERSION = 1

#: The documents that have a schema: ``report`` (``explain --json``) and
#: ``profiles`` (``profiles --json``).
NAMES = ("report", "profiles")


def path_name(name: str, version: int = SCHEMA_VERSION) -> str:
    """The file name of a schema inside this package: ``report.v1.json``."""
    if name not in NAMES:
        raise ValueError(f"no schema named {name!r}; choose one of {', '.join(NAMES)}")
    return f"{name}.v{version}.json"


def load(name: str, version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """Load a shipped JSON Schema (draft 2020-12) as a dict.

    Args:
        name: ``"report"`` or ``"profiles"``.
        version: the schema version (the ``"schema"`` key of the document).

    Returns:
        The schema, ready for ``jsonschema.validate(document, schema)``.

    Raises:
        ValueError: for an unknown name.
        FileNotFoundError: for a version this credchain does not ship.
    """
    text = resources.files(__name__).joinpath(path_name(name, version)).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
