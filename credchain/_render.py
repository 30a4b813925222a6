"""str(report): the chain as an aligned table, then the diagnosis in sentences.

``render_report(report, width=..., words=...)`` is the one renderer: ``str(report)``
uses 100 columns and the Python API's words; the command line passes the
terminal's width and its own vocabulary (``WORDS["explain"]``), so a reason
that says ``network=False`` in Python says ``--no-network`` on the command line.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from credchain._status import Status

if TYPE_CHECKING:  # only for annotations: _report imports this module to render itself
    from credchain._report import ProviderResult, Report

WIDTH = 100  # str(report), and the command line when its output is not a terminal
MIN_WIDTH = 40
PROSE_WIDTH = 100  # sentences stay readable on a wide terminal; the table takes the width
MARKS = {
    Status.FOUND: "=>",
    Status.SHADOWED: "!!",
    Status.ERROR: "XX",
}

# The command line's words for the Python API's: each command's options. Phrases are
# replaced whole, longest first, and only where they stand as words (not inside a name).
_COMMON = {
    "network=False": "--no-network",
    "run_process=False": "--run-process not given",
    "run_process=True": "--run-process",
    "the profile= argument": "--profile",
    "The profile= argument": "--profile",
    "(timeout=)": "(--timeout)",
}
WORDS: Mapping[str, Mapping[str, str]] = {
    "python": {},
    "explain": {**_COMMON, "verify=True": "--verify", "verify=False": "without --verify"},
    "assert-role": {
        **_COMMON,
        "run with verify=True": "run without --no-verify",
        "verify=True": "without --no-verify",
        "verify=False": "--no-verify",
    },
}
_PATTERNS: dict[int, re.Pattern[str]] = {}
_KEEP = re.compile(r"\bline \d+|\[[^\]\n]{1,60}\]|\(role [^)\n]{1,60}\)")
_NBSP = "\x00"
_COMMAND = re.compile(r"`[^`\n]{1,50}`")


def speak(text: str, words: Mapping[str, str] | None) -> str:
    """``text`` with the Python API's phrases in ``words`` replaced by the command line's."""
    if not words or not text:
        return text
    key = id(words)
    if key not in _PATTERNS:
        phrases = sorted(words, key=len, reverse=True)
        alternation = "|".join(re.escape(p) for p in phrases)
        _PATTERNS[key] = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w])")
    return _PATTERNS[key].sub(lambda m: words[m.group(0)], text)


def _row(p: ProviderResult, method_w: int, status_w: int, width: int) -> list[str]:
    """One provider; a long source wraps under itself instead of losing its start."""
    mark = MARKS.get(p.status, "  ")
    head = f"{mark} {p.method:<{method_w}}  {p.status.value:<{status_w}}  "
    # "line 2" and "[profile dev]" stay whole: their spaces are not break points.
    source = _KEEP.sub(lambda m: m.group(0).replace(" ", _NBSP), p.source or "-")
    room = width - len(head)
    pieces = _fill(source, room)
    if pieces is not None:
        lines = [(head + pieces[0]).rstrip()] + [" " * len(head) + x for x in pieces[1:]]
    else:  # a narrow terminal: the source goes below its row rather than split mid-name
        indent = "      "
        pieces = _fill(source, width - len(indent), force=True) or [source]
        lines = [head.rstrip()] + [indent + piece for piece in pieces]
    return [line.replace(_NBSP, " ") for line in lines]


def _fill(text: str, room: int, force: bool = False) -> list[str] | None:
    """Lines of at most ``room``, broken at spaces, and after a ``/`` in a long path.

    None when a word that is not a path does not fit (unless ``force``: then it is cut).
    """
    tokens: list[str] = []
    for word in re.findall(r"\S+\s*", text):
        if len(word.rstrip()) <= room:
            tokens.append(word)
        elif "/" in word:
            tokens += re.findall(r"[^/]*/|[^/]+", word)
        else:
            tokens.append(word)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and len(line + token.rstrip()) > room:
            lines.append(line.rstrip())
            line = ""
        while len(token.rstrip()) > room:
            if not force:
                return None
            lines.append(token[:room])
            token = token[room:]
        line += token
    lines.append(line.rstrip())
    return [x for x in lines if x] or ["-"]


def _wrap(text: str, indent: str = "   ", width: int = WIDTH) -> list[str]:
    # A short `command` stays on one line, to be copied whole.
    text = _COMMAND.sub(lambda m: m.group(0).replace(" ", _NBSP), text)
    lines = textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(_NBSP, " ") for line in lines]


def _who(p: ProviderResult) -> str:
    what = p.method
    if p.role_arn:
        role = p.role_arn[len("role/") :] if p.role_arn.startswith("role/") else p.role_arn
        what += f" (role {role})"
    elif p.role_name:
        what += f" (role {p.role_name}" + (f" in account {p.account})" if p.account else ")")
    elif p.access_key:
        what += f" (key {p.access_key})"
    return what


def _state(p: ProviderResult, report: Report) -> str:
    """`` (expires in 42 min) — but its SSO token expired 3 h ago: the first call fails``."""
    text = ""
    if p.expires_at is not None and report.checked_at is not None:
        from credchain._expiry import relative

        said = p.usable_reason or ""
        if " ago" not in said and "expires in" not in said:
            text = f", {relative(p.expires_at, report.checked_at)}"
    if p.usable is False:
        text += f" — but {p.usable_reason or 'its credentials will fail'}"
    elif p.usable is None and p.usable_reason:
        text += f" — {p.usable_reason}"
    return text


def _undetermined(report: Report, u: ProviderResult, say: Callable[..., list[str]]) -> list[str]:
    from credchain._explain import hint

    lines = say(
        f"botocore's answer depends on {u.method}, which credchain cannot inspect: "
        "botocore asks it first.",
        "",
    )
    lines += say(f"why:  {u.reason}")
    after = next((p for p in report.providers if p.status is Status.FOUND), None)
    if after is not None:
        lines += say(f"If {u.method} supplies nothing, botocore will use {_who(after)}.")
    else:
        lines += say(f"If {u.method} supplies nothing, botocore finds no credentials.")
    lines += say(hint(u))
    return lines


def _is_botocores(name: str) -> bool:
    """Whether botocore defines the exception class ``name`` (its message is botocore's)."""
    import botocore.exceptions

    return isinstance(getattr(botocore.exceptions, name, None), type)


_SOURCES = {"explicit": "the profile= argument"}


def render_report(
    report: Report, *, width: int = WIDTH, words: Mapping[str, str] | None = None
) -> str:
    """The report as text ``width`` columns wide, in the vocabulary ``words``."""
    width = max(width, MIN_WIDTH)
    prose = min(width, PROSE_WIDTH)

    def say(text: str, indent: str = "   ") -> list[str]:
        return _wrap(speak(text, words), indent, prose)

    source = report.profile_source
    lines = [
        speak(
            f"credchain: botocore {report.botocore_version}, profile {report.profile!r}"
            + (f" (from {_SOURCES.get(source, source)})" if source else ""),
            words,
        )
    ]
    if report.aiobotocore_version:  # an AioSession: the chain is aiobotocore's own
        lines[0] += f"; aiobotocore {report.aiobotocore_version}'s chain"
    lines += [speak(line, words) for line in region_lines(report)]
    for warning in report.warnings:
        lines += say(f"warning: {warning}", "")
    lines.append("")
    method_w = max([len(p.method) for p in report.providers] + [8])
    status_w = max([len(p.status.value) for p in report.providers] + [6])
    lines.append(f"   {'provider':<{method_w}}  {'status':<{status_w}}  source")
    for p in report.providers:
        lines += _row(p, method_w, status_w, width)
    lines.append("")
    if report.undetermined is not None:
        lines += _undetermined(report, report.undetermined, say)
    elif report.winner is not None:
        w = report.winner
        lines += say(f"botocore will use {_who(w)}{_state(w, report)}.", "")
        if w.source:
            lines += say(f"from: {w.source}")
        lines += say(f"why:  {w.reason}")
        if w.usable is False and w.fix:
            lines += say(f"fix:  {w.fix}.")
        elif w.fix and not report.shadowed:
            lines += say(f"to stop using it: {w.fix}.")
    elif report.raises is not None:
        where = (
            f" in the {report.error.method} provider"
            if report.error
            else (" while building its chain, before any provider")
        )
        lines += say(f"botocore will raise {report.raises}{where}.", "")
        if report.error is not None:
            lines += say(report.error.reason)
            if report.error.fix:
                lines += say(f"fix: {report.error.fix}")
        message = report.message
        said = report.error.reason if report.error is not None else ""
        # Not when the reason already says it: then it is credchain's text (a withheld
        # stderr, for one) after botocore's prefix, not botocore's own words.
        if message and message not in said and message.split(": ", 1)[-1] not in said:
            if _is_botocores(report.raises):
                lines += _wrap(f"botocore says: {message}", width=prose)
            else:
                lines += _wrap(f"the exception: {report.raises}: {message}", width=prose)
    elif report.providers and all(p.status is Status.UNKNOWN for p in report.providers):
        lines += say("credchain cannot tell what botocore will do (see the warning above).", "")
    else:
        lines += say("botocore will find no credentials: get_credentials() returns None.", "")
        unknown = [p.method for p in report.providers if p.status is Status.UNKNOWN]
        if unknown:
            lines += say(f"not checked: {', '.join(unknown)} (see below).")
    shadowed = report.shadowed
    if shadowed:
        lines.append("")
        names = ", ".join(_who(p) for p in shadowed)
        lines += say(f"It shadows: {names}.", "")
        stopper = report.winner or report.error
        if stopper is not None and (stopper.stop or stopper.fix):
            target = shadowed[-1] if any(p.method == "iam-role" for p in shadowed) else shadowed[0]
            lines += say(f"To let {_who(target)} take over: {stopper.stop or stopper.fix}.")
    if report.next_steps:
        lines.append("")
        lines.append("Next steps:")
        for step in report.next_steps:
            lines += say(f"- {step}", "  ")
    lines.append("")
    lines.append("Why, provider by provider:")
    for p in report.providers:
        lines += say(f"{p.method}: {p.reason}", "  ")
        for d in p.details:
            lines += say(f"- {d}", "      ")
    return "\n".join(lines)


def region_lines(report: Report) -> list[str]:
    """The header's region line: the value and its source, or what follows without one."""
    setting = report.settings.get("region")
    if setting is None:
        return []
    if setting.error is not None:
        return _wrap(f"region: unknown, {setting.source}", "")
    if setting.value is None:
        return _wrap(f"region: none. {setting.note or ''}".rstrip(), "")
    lines = _wrap(f"region: {setting.value} (from {setting.source})", "")
    if setting.note:
        lines += _wrap(setting.note)
    return lines


def settings_table(report: Report) -> str:
    """Every setting as ``name  value  source``, then the endpoints a client would use."""
    rows = [(s.name, _value(s.value), s.source) for s in report.settings.values()]
    name_w = max([len(r[0]) for r in rows] + [7])
    value_w = min(max([len(r[1]) for r in rows] + [5]), 32)
    lines = [f"   {'setting':<{name_w}}  {'value':<{value_w}}  source"]
    for name, value, source in rows:
        if len(value) > value_w:
            value = value[: value_w - 3] + "..."
        lines.append(f"   {name:<{name_w}}  {value:<{value_w}}  {source}".rstrip())
    notes = [s for s in report.settings.values() if s.note]
    for s in notes:
        lines += _wrap(f"{s.name}: {s.note}")
    endpoints = report.endpoints()
    if endpoints:
        lines += ["", "Endpoints a client would use for credentials:"]
        for e in endpoints.values():
            if e.error is not None:
                lines += _wrap(f"{e.service}: botocore raises {e.error}: {e.message}")
            else:
                lines += _wrap(f"{e.service}: {e.url} (region {e.region}; from {e.source})")
    return "\n".join(lines)


def _value(value: object) -> str:
    if value is None:
        return "-"
    if value == "":
        return '""'
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if not isinstance(value, dict) else (str(value) if value else "{}")
