"""Validate credchain's JSON output against the JSON Schemas it ships (``credchain/schema``).

``validate_json(document)`` takes a dict or a JSON string (one document, or
several separated by newlines), picks the schema from the document's shape
(``"profiles"`` key: ``profiles.v1.json``, else ``report.v1.json``) unless
``name`` says which, and fails with jsonschema's message. Any test may call it:
``from schema_check import validate_json`` (conftest puts ``tests/`` on the
path) or use the ``validate_json`` fixture.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from credchain.schema import load


@functools.cache
def validator(name: str, version: int = 1) -> Any:
    """A compiled Draft 2020-12 validator of a shipped schema."""
    import jsonschema

    schema = load(name, version)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_json(document: dict[str, Any] | str, name: str | None = None) -> dict[str, Any]:
    """Fail unless ``document`` is valid against its schema; return it parsed."""
    if isinstance(document, str):
        text = document.strip()
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
            for doc in docs:
                validate_json(doc, name)
            return docs[0] if docs else {}
        return validate_json(parsed, name)
    kind = name or ("profiles" if "profiles" in document else "report")
    assert document.get("schema") == 1, f"no 'schema': 1 in the {kind} document"
    errors = sorted(validator(kind).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, f"{kind} JSON does not match {kind}.v1.json: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:5]
    )
    return document
