"""``.. credchain-pytest-plugin::``: the pytest plugin's options, marker and fixtures, from code.

The options come from calling ``pytest_addoption`` with pytest's own parser, the
marker from ``pytest_configure``, the fixtures from the module's fixture
functions and their docstrings — so the reference cannot drift from the plugin.
"""

from __future__ import annotations

import inspect
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


def _fixtures(module: Any) -> list[tuple[str, str]]:
    found = []
    for name, obj in vars(module).items():
        if name.startswith("_"):
            continue
        # pytest >= 8.4 wraps fixtures in FixtureFunctionDefinition; older pytest marks them.
        func = getattr(obj, "_get_wrapped_function", None)
        func = func() if func else obj
        is_fixture = type(obj).__name__ == "FixtureFunctionDefinition" or hasattr(
            obj, "_pytestfixturefunction"
        )
        if is_fixture:
            found.append((name, inspect.getdoc(func) or inspect.getdoc(obj) or ""))
    return found


class _Config:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def addinivalue_line(self, name: str, line: str) -> None:
        self.lines.append((name, line))


class PytestPluginReference(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        from _pytest.config.argparsing import Parser

        import credchain.pytest_plugin as plugin

        parser = Parser()
        plugin.pytest_addoption(parser)
        config = _Config()
        plugin.pytest_configure(config)  # type: ignore[arg-type]

        rst: list[str] = ["Options", "-------", ""]
        for group in parser._groups:
            if group.name != "credchain":
                continue
            arggroup = getattr(group, "_arggroup", None)  # pytest >= 9; older: .description
            title = getattr(group, "description", None) or getattr(arggroup, "title", "")
            rst += [f"Group ``{group.name}`` ({title}).", ""]
            for opt in group.options:
                attrs = opt.attrs()
                metavar = attrs.get("metavar")
                names = ", ".join(opt.names())
                rst += [
                    f".. option:: {names}" + (f" {metavar}" if metavar else ""),
                    "",
                    f"   {attrs.get('help', '')}",
                    "",
                ]
        rst += ["Marker", "------", ""]
        for kind, line in config.lines:
            if kind == "markers":
                signature, _, text = line.partition(": ")
                rst += [f"``@pytest.mark.{signature}``", f"   {text}", ""]
        rst += ["Fixtures", "--------", ""]
        for name, doc in _fixtures(plugin):
            rst += [f".. py:function:: {name}()", "   :no-index:", ""]
            rst += ["   " + line if line else "" for line in doc.splitlines()]
            rst.append("")
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(
            self.state, StringList(rst, source="credchain.pytest_plugin"), node
        )
        return list(node.children)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("credchain-pytest-plugin", PytestPluginReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
