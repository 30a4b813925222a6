"""Sphinx configuration: MyST Markdown pages and the API from docstrings."""

project = "credchain"
author = "credchain developers"
copyright = "2026, credchain developers"
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
autodoc_typehints = "description"
autodoc_member_order = "bysource"
suppress_warnings = ["myst.xref_missing"]
html_theme = "alabaster"
