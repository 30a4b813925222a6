"""str(report): the chain as an aligned table, then the diagnosis in sentences."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from credchain._status import Status

if TYPE_CHECKING:  # only for annotations: _report imports this module to render itself
    from credchain._report import ProviderResult, Report

WIDTH = 100
MARKS = {
    Status.FOUND: "=>",
    Status.SHADOWED: "!!",
    Status.ERROR: "XX",
}


def _row(p: ProviderResult, method_w: int, status_w: int) -> str:
    mark = MARKS.get(p.status, "  ")
    source = p.source or "-"
    room = WIDTH - (method_w + status_w + 8)
    if len(source) > room:
        source = "..." + source[-(room - 3) :]
    return f"{mark} {p.method:<{method_w}}  {p.status.value:<{status_w}}  {source}".rstrip()


def _wrap(text: str, indent: str = "   ") -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )


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


def _undetermined(report: Report, u: ProviderResult) -> list[str]:
    from credchain._explain import hint

    lines = _wrap(
        f"botocore's answer depends on {u.method}, which credchain cannot inspect: "
        "botocore asks it first.",
        "",
    )
    lines += _wrap(f"why:  {u.reason}")
    after = next((p for p in report.providers if p.status is Status.FOUND), None)
    if after is not None:
        lines += _wrap(f"If {u.method} supplies nothing, botocore will use {_who(after)}.")
    else:
        lines += _wrap(f"If {u.method} supplies nothing, botocore finds no credentials.")
    lines += _wrap(hint(u))
    return lines


def render_report(report: Report) -> str:
    lines = [
        f"credchain: botocore {report.botocore_version}, profile {report.profile!r}"
        + (f" (from {report.profile_source})" if report.profile_source else "")
    ]
    for warning in report.warnings:
        lines += _wrap(f"warning: {warning}", "")
    lines.append("")
    method_w = max([len(p.method) for p in report.providers] + [8])
    status_w = max([len(p.status.value) for p in report.providers] + [6])
    lines.append(f"   {'provider':<{method_w}}  {'status':<{status_w}}  source")
    lines += [_row(p, method_w, status_w) for p in report.providers]
    lines.append("")
    if report.undetermined is not None:
        lines += _undetermined(report, report.undetermined)
    elif report.winner is not None:
        w = report.winner
        lines += _wrap(f"botocore will use {_who(w)}{_state(w, report)}.", "")
        if w.source:
            lines += _wrap(f"from: {w.source}")
        lines += _wrap(f"why:  {w.reason}")
        if w.usable is False and w.fix:
            lines += _wrap(f"fix:  {w.fix}.")
        elif w.fix and not report.shadowed:
            lines += _wrap(f"to stop using it: {w.fix}.")
    elif report.raises is not None:
        where = (
            f" in the {report.error.method} provider"
            if report.error
            else (" while building its chain, before any provider")
        )
        lines += _wrap(f"botocore will raise {report.raises}{where}.", "")
        if report.error is not None:
            lines += _wrap(report.error.reason)
            if report.error.fix:
                lines += _wrap(f"fix: {report.error.fix}")
        if report.message:
            lines += _wrap(f"botocore says: {report.message}")
    elif report.providers and all(p.status is Status.UNKNOWN for p in report.providers):
        lines += _wrap("credchain cannot tell what botocore will do (see the warning above).", "")
    else:
        lines += _wrap("botocore will find no credentials: get_credentials() returns None.", "")
        unknown = [p.method for p in report.providers if p.status is Status.UNKNOWN]
        if unknown:
            lines += _wrap(f"not checked: {', '.join(unknown)} (see below).")
    shadowed = report.shadowed
    if shadowed:
        lines.append("")
        names = ", ".join(_who(p) for p in shadowed)
        lines += _wrap(f"It shadows: {names}.", "")
        stopper = report.winner or report.error
        if stopper is not None and (stopper.stop or stopper.fix):
            target = shadowed[-1] if any(p.method == "iam-role" for p in shadowed) else shadowed[0]
            lines += _wrap(
                f"To let {_who(target)} take over: {stopper.stop or stopper.fix}.",
            )
    lines.append("")
    lines.append("Why, provider by provider:")
    for p in report.providers:
        lines += _wrap(f"{p.method}: {p.reason}", "  ")
        for d in p.details:
            lines += _wrap(f"- {d}", "      ")
    return "\n".join(lines)
