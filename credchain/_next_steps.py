"""What to do next, in the cases a report alone leaves a person stuck.

Three situations get next steps (``Report.next_steps``):

- no credentials anywhere: what to configure on a laptop, an EC2 instance or in a
  container, and which of them applies, from what the metadata probe saw;
- ``ProfileNotFound``: the profiles that exist, the closest name, and the
  variable or argument that chose the missing one;
- ``ConfigParseError``: the file, the line and what the INI parser disliked
  (botocore's message names only the file).

The text uses the Python API's words (``network=False``, ``the profile=
argument``); the command line renders them in its own (see ``_render.WORDS``).
"""

from __future__ import annotations

import ast
import configparser
import difflib
import re
from typing import Any

from credchain._context import Context
from credchain._report import Report, Status

MAX_READ = 1 << 20  # a config file bigger than 1 MiB is not re-read for its line number

LAPTOP = (
    "On a laptop or workstation: `aws configure` stores access keys in ~/.aws/credentials; "
    "`aws configure sso` sets up IAM Identity Center (then `aws sso login`)."
)
EC2 = "On an EC2 instance: attach an instance profile (an IAM role) to the instance."
CONTAINER = (
    "In a container: give the ECS task a task role, or the EKS pod a role through "
    "EKS Pod Identity or IRSA (a service account with eks.amazonaws.com/role-arn)."
)
_PARSE_PATH = re.compile(r"Unable to parse config file: (.+)$")


def next_steps(ctx: Context, report: Report, build_error: BaseException | None) -> tuple[str, ...]:
    """The next steps for ``report``, or ``()`` when the report says enough."""
    try:
        if report.raises == "ProfileNotFound":
            return _missing_profile(ctx, report)
        if report.raises == "ConfigParseError":
            return _parse_error(ctx, report, build_error)
        if report.raises is None and report.winner is None and not _undecided(report):
            # (an undetermined metadata service still leaves "no credentials" the likely end)
            return _no_credentials(report)
    except Exception:  # next steps are advice: never a reason for explain() to fail
        return ()
    return ()


def _undecided(report: Report) -> bool:
    """A provider that could not be inspected, other than the metadata service."""
    return any(p.status is Status.UNKNOWN and p.method != "iam-role" for p in report.providers)


# -- no credentials ------------------------------------------------------------------------


def _no_credentials(report: Report) -> tuple[str, ...]:
    here = _where(report.get("iam-role"), report.network)
    return (LAPTOP, EC2, CONTAINER, *([here] if here else []))


def _where(imds: Any, network: bool) -> str | None:
    """Which of the three applies, from the metadata probe's result."""
    if imds is None:
        return None
    if imds.status is Status.UNKNOWN and not network:
        return (
            "Which applies here is unknown: the instance metadata service was not asked "
            "(network=False), so whether this is an EC2 instance was not checked."
        )
    if imds.status is Status.UNKNOWN:
        return (
            f"Which applies here is unknown: the instance metadata service ({imds.source}) "
            "did not answer within credchain's bound; give it longer (timeout=) to find out "
            "whether this is an EC2 instance."
        )
    if imds.status is Status.DISABLED:
        return (
            "Here AWS_EC2_METADATA_DISABLED=true: botocore never asks the instance metadata "
            "service, so an instance profile would not be used; unset it on EC2."
        )
    reason = imds.reason
    if "not on EC2" in reason or "did not answer" in reason:
        return (
            f"Here the instance metadata service ({imds.source}) did not answer: this is not "
            "an EC2 instance (or the metadata service is blocked, e.g. by a container's hop "
            "limit), so the laptop or container setup applies."
        )
    if imds.status is Status.NOT_FOUND:
        return (
            f"Here the instance metadata service ({imds.source}) answered but gave no role: "
            "this is an EC2 instance without an instance profile; attach one "
            "(`aws ec2 associate-iam-instance-profile`)."
        )
    return None


# -- a missing profile -----------------------------------------------------------------------


def _missing_profile(ctx: Context, report: Report) -> tuple[str, ...]:
    name = report.profile
    files = " or ".join(ctx.expand(str(ctx.var(v))) for v in ("config_file", "credentials_file"))
    existing = sorted(ctx.profiles())
    steps = [f"There is no profile {name!r} in {files}."]
    if existing:
        close = difflib.get_close_matches(name, existing, n=1, cutoff=0.6)
        if close:
            steps.append(f"Did you mean {close[0]!r}?")
        more = f", and {len(existing) - 20} more" if len(existing) > 20 else ""
        shown = ", ".join(existing[:20]) + more
        steps.append(f"Profiles that exist: {shown}.")
    else:
        steps.append("No profile exists at all: create one with `aws configure --profile NAME`.")
    source = report.profile_source
    if source in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        step = (
            f"{source}={name} chose it: `unset {source}` to use the default profile, "
            f"or set it to an existing profile."
        )
        if source == "AWS_DEFAULT_PROFILE" and "AWS_PROFILE" in ctx.env:
            step += " (botocore reads AWS_DEFAULT_PROFILE before AWS_PROFILE.)"
        steps.append(step)
    elif source == "explicit":
        steps.append("The profile= argument chose it: name an existing profile, or leave it out.")
    return tuple(steps)


# -- a config file that cannot be parsed -------------------------------------------------------


def _parse_error(
    ctx: Context, report: Report, build_error: BaseException | None
) -> tuple[str, ...]:
    path = None
    match = _PARSE_PATH.search(report.message or "")
    if match:
        path = match.group(1).strip()
    kwargs = getattr(build_error, "kwargs", None)
    if isinstance(kwargs, dict) and kwargs.get("path"):
        path = str(kwargs["path"])
    if path is None:
        return ()
    where = _locate(path)
    if where is None:
        return (f"botocore cannot parse {path}: open it and check its INI syntax.",)
    line, text, what = where
    shown = f" ({_show_line(text)})" if text is not None else ""
    return (
        f"{path}, line {line}{shown}: {what}.",
        f"Fix that line of {path}, or move the file aside.",
    )


def _locate(path: str) -> tuple[int, str | None, str] | None:
    """Re-parse ``path`` with configparser for the line botocore's message leaves out."""
    from credchain._io.files import Refused, read_regular

    try:  # a regular file, read with a cap, as every read of credchain
        data = read_regular(path, what="the config file", cap=MAX_READ)
    except (Refused, OSError):
        return None
    try:
        text = data.decode("utf-8")  # configparser reads with the locale's encoding: UTF-8 here
    except UnicodeDecodeError as e:
        number = data.count(b"\n", 0, e.start) + 1
        return number, None, f"byte {data[e.start]:#04x} is not UTF-8 text"
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source=path)
    except configparser.MissingSectionHeaderError as e:
        return e.lineno, e.line, "a line before the first [section] header"
    except configparser.ParsingError as e:
        lineno, shown = e.errors[0]  # configparser keeps repr(line)
        try:
            bad = str(ast.literal_eval(shown))
        except (ValueError, SyntaxError):
            bad = str(shown)
        return int(lineno), bad, "neither a [section] header nor `key = value`"
    except configparser.DuplicateSectionError as e:
        return int(e.lineno or 0), None, f"the section [{e.section}] appears a second time"
    except configparser.DuplicateOptionError as e:
        return (
            int(e.lineno or 0),
            None,
            f"the key {e.option!r} appears a second time in [{e.section}]",
        )
    except configparser.Error:
        return None
    return _nested(text)


def _nested(text: str) -> tuple[int, str | None, str] | None:
    """botocore's own check: an indented block under ``key =`` holds only ``key = value``."""
    lines = text.splitlines()
    for number, raw in enumerate(lines, 1):
        if re.match(r"[^\s#;\[][^=:]*[=:]\s*$", raw):  # `s3 =` opens a nested block
            for offset, inner in enumerate(lines[number:], number + 1):
                if not inner.strip() or not inner[0].isspace():
                    break
                if "=" not in inner:
                    return (
                        offset,
                        inner,
                        f"an indented line under `{raw.strip()}` that is not `key = value`",
                    )
    return None


def _show_line(line: str) -> str:
    """The offending line without its value: it may be a secret pasted in the wrong place."""
    stripped = line.strip()
    if stripped.startswith("["):
        return repr(stripped[:60])
    for sep in ("=", ":"):
        if sep in stripped:
            return repr(f"{stripped.split(sep, 1)[0].strip()[:60]} {sep} ...")
    return f"{len(stripped)} characters, not shown"
