"""Sphinx configuration: MyST Markdown pages, the furo theme, the API from docstrings.

The build is strict (``sphinx-build -W -n``): a broken internal reference — a
``{doc}``, a ``{class}`` to a credchain name, a Markdown link to a page — fails
it. References to names outside credchain (the standard library, botocore,
pytest) are not checked: the build runs offline, without intersphinx.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "credchain"
author = "credchain developers"
copyright = "2026, credchain developers"
extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "pytest_plugin_ref",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_extra"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

# -- API reference -------------------------------------------------------------------
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_member_order = "bysource"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
napoleon_attr_annotations = True

# Internal references are checked (nitpicky); names outside credchain cannot be
# resolved offline and are not.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(?!credchain\b).*"),
    (r"py:.*", r"credchain\._.*"),  # private modules named in type hints
]

# -- HTML ----------------------------------------------------------------------------
html_theme = "furo"
html_title = "credchain"
html_theme_options = {
    "source_repository": "https://github.com/credchain/credchain/",
    "source_branch": "main",
    "source_directory": "docs/",
}

# The JSON Schemas are published at their $id: <site>/schema/<name>.v<N>.json.
_extra = HERE / "_extra"
shutil.rmtree(_extra, ignore_errors=True)
(_extra / "schema").mkdir(parents=True)
for _schema in (HERE.parent / "credchain" / "schema").glob("*.json"):
    shutil.copy2(_schema, _extra / "schema" / _schema.name)
html_extra_path = ["_extra"]

# -- link check (sphinx-build -b linkcheck): offline, so external links are skipped ---
linkcheck_ignore = [r"https?://.*", r"mailto:.*"]
smartquotes_action = "qe"  # keep "--option" as typed
