"""Every profile at once: which provider wins for each, its role, and what is wrong.

``list_profiles()`` parses the config and credentials files once and walks
botocore's chain for each profile as an explicit profile
(``Session(profile=name)``), offline: ``network=False``, ``run_process=False``.
The walk reuses the providers through :func:`credchain._chain.build_chain` on
one shared :class:`~credchain._context.Context`, so it scales linearly: 10,000 profiles take
a couple of seconds, where a botocore session per profile parses both files
again each time (over a second per profile with files that size).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import re
import stat
import textwrap
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from credchain._botocore import session_variable
from credchain._chain import build_chain, inspect_chain, present_findings
from credchain._context import Context, value_kind
from credchain._mask import known_secrets_in_effect, mask_key, scrub
from credchain._record import record
from credchain._report import Status
from credchain._settings import Setting, profile_location, resolve
from credchain.providers import Finding

WIDTH = 100
WORLD_READABLE = "world-readable file"
SECRET_KEYS = ("aws_secret_access_key", "aws_session_token", "aws_security_token")
_SECRET_KEYS = frozenset(SECRET_KEYS)
# Sentences of a winner's reason that say its deferred first use will fail.
_FAILURE_WORDS = ("will fail", "expired", "unreadable")
_DEFERRED_FAILURE = re.compile("|".join(_FAILURE_WORDS), re.IGNORECASE)
# A sentence's end: its mark and the space after it, before a capital letter.
_BOUNDARY = re.compile(r"(?P<end>[.!?])\s+(?=[A-Z])")
# Read once: each ``Status.X`` is an enum lookup, and a listing compares ~15 per profile.
_ERROR, _FOUND, _UNKNOWN = Status.ERROR, Status.FOUND, Status.UNKNOWN


@record
class Problem:
    """Something wrong with a profile: a short ``kind`` for the table, a full ``message``."""

    kind: str  # botocore's exception name, "fails at first use", "world-readable file"
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


@record
class ProfileRow:
    """One profile: what ``Session(profile=name).get_credentials()`` would do, and its problems."""

    profile: str
    winner: str | None
    raises: str | None
    error: str | None  # the method whose load() would raise
    role_arn: str | None
    access_key: str | None  # masked
    source: str | None
    problems: tuple[Problem, ...] = ()
    unchecked: tuple[str, ...] = ()  # methods not decidable offline (iam-role)
    notes: tuple[str, ...] = ()  # worth knowing, not wrong: an MFA prompt at first use
    role_name: str | None = None  # where the ARN is not known (SSO: AWSReservedSSO_<set>_*)
    account: str | None = None
    region: str | None = None  # what Session(profile=name).get_config_variable("region") returns
    region_source: str | None = None

    @property
    def status(self) -> str:
        """``error`` (botocore raises), ``none`` (no credentials), ``warn`` or ``ok``."""
        if self.raises is not None:
            return "error"
        if self.winner is None:
            return "none"
        return "warn" if self.problems else "ok"

    def to_dict(self) -> dict[str, Any]:
        d = {
            "profile": self.profile,
            "status": self.status,
            "winner": self.winner,
            "raises": self.raises,
            "error": self.error,
            "role_arn": self.role_arn,
            "access_key": self.access_key,
            "source": self.source,
            "problems": [p.to_dict() for p in self.problems],
            "unchecked": list(self.unchecked),
            "notes": list(self.notes),
            "region": self.region,
            "region_source": self.region_source,
        }
        if self.role_name is not None:  # SSO: the role's name pattern and account
            d.update(role_name=self.role_name, account=self.account)
        return d


@record
class ProfilesReport:
    """All profiles of the config and credentials files, in file order."""

    config_file: str
    credentials_file: str
    botocore_version: str
    rows: tuple[ProfileRow, ...]
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": 1,  # credchain.schema.SCHEMA_VERSION: credchain/schema/profiles.v1.json
            "botocore_version": self.botocore_version,
            "config_file": self.config_file,
            "credentials_file": self.credentials_file,
            "warnings": list(self.warnings),
            "profiles": [r.to_dict() for r in self.rows],
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def __str__(self) -> str:
        return render(self)


def list_profiles(
    env: Mapping[str, str] | None = None, *, _collect_parse: bool = False
) -> ProfilesReport:
    """Walk botocore's chain for every profile of the config and credentials files, offline.

    Args:
        env: replaces ``os.environ`` (its HOME drives ``~``, ``AWS_CONFIG_FILE`` and
            ``AWS_SHARED_CREDENTIALS_FILE`` the paths).

    Returns:
        A :class:`ProfilesReport`, one row per profile in file order (config file first).

    Raises:
        Whatever botocore raises reading the files (``ConfigParseError``, …).
    """
    from credchain import _botocore

    # A plain dict: os.environ encodes on every lookup, and there are ~30 per profile.
    ctx = Context(
        dict(os.environ if env is None else env),
        network=False,
        run_process=False,
        is_process_env=env is None,
    )
    config_file = ctx.expand(ctx.var("config_file"))
    credentials_file = ctx.expand(ctx.var("credentials_file"))
    if not known_secrets_in_effect():
        ctx.memo[_PLAIN] = {}
    names = list(ctx.profiles())  # parses both files, or raises
    if _collect_parse:  # see collector_paused
        gc.collect()
    # Only files that hold secrets, and only regular files (a path may name a directory).
    exposed = {
        p: m
        for p in dict.fromkeys((config_file, credentials_file))
        if (m := _world_readable(p)) and _file_has_secret(ctx, p, config_file)
    }
    rows = [_row(ctx, name, exposed, config_file, credentials_file) for name in names]
    warnings = tuple(
        f"{path} is readable by every user (mode {mode}): chmod 600 {path}"
        for path, mode in exposed.items()
    )
    return ProfilesReport(config_file, credentials_file, _botocore.version(), tuple(rows), warnings)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block: ``credchain profiles`` owns its process.

    The collector's passes over the parsed files and the rows cost more the larger
    they are, and only botocore's parser makes cycles (configparser's section
    proxies): ``list_profiles(_collect_parse=True)`` collects them once, after the
    parse, so the memory they hold serves the rows.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def profile_names(env: Mapping[str, str] | None = None) -> list[str]:
    """The profile names of the config and credentials files, in file order (parsed only)."""
    ctx = Context(
        dict(os.environ if env is None else env), network=False, is_process_env=env is None
    )
    return list(ctx.profiles())


def _world_readable(path: str) -> str | None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if not stat.S_ISREG(mode):
        return None
    return f"{stat.S_IMODE(mode):04o}" if mode & stat.S_IROTH else None


def _file_has_secret(ctx: Context, path: str, config_file: str) -> bool:
    """Whether any section of the file holds a secret key or token."""
    try:
        if path == config_file:
            sections = ctx.config_file_profiles(path)["profiles"].values()
        else:
            sections = ctx.ini(path).values()
    except Exception:
        return False
    return any(isinstance(v, dict) and any(k in v for k in SECRET_KEYS) for v in sections)


def walk(
    ctx: Context, name: str, *, all_findings: bool = True
) -> tuple[list[tuple[str, Finding]], BaseException | None]:
    """Inspect every provider of the chain for an explicit profile ``name``, as explain does.

    Returns the findings in chain order (providers botocore leaves out are
    skipped) and the exception botocore raises while building the chain, if any.
    With ``all_findings=False``, providers with nothing configured are not
    inspected and have no finding (a row shows no ``not-found`` finding).
    """
    ctx.instance_vars["profile"] = name
    chain = build_chain(ctx, True)
    decided = chain.build_error is not None
    if not all_findings:
        return present_findings(ctx, chain, name, decided), chain.build_error
    findings = [
        (method, finding)
        for method, _, finding, _ in inspect_chain(ctx, chain, name, decided)
        if finding is not None
    ]
    return findings, chain.build_error


def _row(
    ctx: Context, name: str, exposed: dict[str, str], config_file: str, creds_file: str
) -> ProfileRow:
    findings, build_error = walk(ctx, name, all_findings=False)
    clean = _cleaner(ctx, name)
    problems: list[Problem] = []
    winner: tuple[str, Finding] | None = None
    failed: tuple[str, Finding] | None = None
    raises = None
    unchecked: list[str] = []
    if build_error is not None:
        raises = type(build_error).__name__
        text = f"botocore raises {raises} before any provider: {clean(str(build_error))}"
        problems.append(Problem(raises, text))
    for method, f in findings:
        status = f.status
        if status is _FOUND:
            if raises is None and winner is None:
                winner = (method, f)
        elif status is _ERROR:
            kind = f.raises or "error"
            if raises is None and winner is None:
                failed, raises = (method, f), f.raises
                text = f"{method} raises {kind}: {clean(f.reason)}"
            else:  # botocore stops before it, but it is still wrong
                text = f"{method} would raise {kind} if reached: {clean(f.reason)}"
            problems.append(Problem(kind, text))
        elif status is _UNKNOWN:
            unchecked.append(method)
    notes: tuple[str, ...] = ()
    if winner is not None:
        found = winner[1]
        for sentence in _deferred_failures(ctx, found.reason, found.details):
            kind = "expired token" if "expired" in sentence else "fails at first use"
            problems.append(Problem(kind, f"{winner[0]}: {clean(sentence)}"))
        if winner[0] == "assume-role":
            config = ctx.profiles().get(name, {})
            if config.get("mfa_serial") and config.get("role_arn"):
                notes = (
                    "mfa_serial is set: botocore will prompt for an MFA code at first use "
                    "(a run without a terminal fails there).",
                )
    for path, mode in exposed.items():
        if name in _holding_secrets(ctx, path, creds_file):
            text = f"its keys are in {path}, which every user can read (mode {mode})"
            problems.append(Problem(WORLD_READABLE, text))
    region, region_source = _region(ctx)
    shown = (winner or failed or (None, None))[1]
    if shown is None:
        return ProfileRow(
            name, None, raises, None, None, None, None, tuple(problems), tuple(unchecked),
            notes, None, None, region, region_source,
        )  # fmt: skip
    return ProfileRow(
        name,
        winner[0] if winner else None,
        raises,
        failed[0] if failed else None,
        shown.role_arn,
        mask_key(shown.access_key),
        clean(shown.source) if shown.source else None,
        tuple(problems),
        tuple(unchecked),
        notes,
        shown.role_name,
        shown.account,
        region,
        region_source,
    )


_PROFILE_ARGUMENT = frozenset({"profile"})


def _region(ctx: Context) -> tuple[str | None, str]:
    """``region`` as ``Session(profile=name)`` resolves it, for the profile being walked:
    (its value as shown, its source).

    A profile that sets no region gets what every such profile gets (the
    environment's, or none): resolved once per listing while no secret is added.
    Profiles that set the same region in their section differ only in its
    source (their own section and line): the rest is resolved once per value.
    """
    try:
        configured = ctx.scoped_config().get("region")
    except Exception:
        return _shown_region(resolve(ctx, "region", _PROFILE_ARGUMENT))
    counts = (ctx.instance_vars.get("region"), len(ctx.secrets), len(ctx.key_ids))
    if configured is None:
        key: tuple[Any, ...] = ("region-unset", *counts)
        unset: tuple[str | None, str] | None = ctx.memo.get(key)
        if unset is None:
            unset = ctx.memo[key] = _shown_region(resolve(ctx, "region", _PROFILE_ARGUMENT))
        return unset
    if not isinstance(configured, str) or not _region_from_section(ctx):
        return _shown_region(resolve(ctx, "region", _PROFILE_ARGUMENT))
    key = ("region-set", configured, *counts)
    value: str | None = ctx.memo.get(key)
    if value is None:
        setting = resolve(ctx, "region", _PROFILE_ARGUMENT)
        if setting.error is None:
            ctx.memo[key] = _shown_region(setting)[0]
        return _shown_region(setting)
    try:
        return value, profile_location(ctx, ctx.var("profile") or "default", "region")
    except Exception:
        return _shown_region(resolve(ctx, "region", _PROFILE_ARGUMENT))


def _shown_region(region: Setting) -> tuple[str | None, str]:
    return None if region.value is None else str(region.value), region.source


def _region_from_section(ctx: Context) -> bool:
    """Whether a region set in the profile's section is the one botocore takes: no
    instance variable and none of the variable's environment variables overrides it."""
    if ctx.instance_vars.get("region") is not None:
        return False
    overridden: bool | None = ctx.memo.get("region-env")
    if overridden is None:
        env_names = session_variable("region")[1]
        names = [env_names] if isinstance(env_names, str) else list(env_names or ())
        overridden = ctx.memo["region-env"] = any(name in ctx.env for name in names)
    return not overridden


def _deferred_failures(ctx: Context, reason: str, details: tuple[str, ...]) -> list[str]:
    """From the first sentence that says first use will fail, to the end of that text,
    for the winner's reason and each of its details.

    Memoised per text: the hops of a source-profile chain are the same strings
    in every profile above them.
    """
    found = []
    for text in (reason, *details) if details else (reason,):
        at = _first_failure_word(text)
        if at < 0:  # most texts say nothing of the kind
            continue
        memo: dict[str, str] = ctx.memo.setdefault("deferred-failures", {})
        if text not in memo:
            memo[text] = _from_sentence_at(text, at)
        found.append(memo[text])
    return found


def _first_failure_word(text: str) -> int:
    """Where ``_DEFERRED_FAILURE`` first matches in ``text`` (-1: nowhere); for ASCII
    text, where its lowered form first holds one of the words."""
    if not text.isascii():  # case-insensitive matching beyond ASCII: the expression's own
        m = _DEFERRED_FAILURE.search(text)
        return -1 if m is None else m.start()
    lowered = text.lower()
    if "will fail" not in lowered and "expired" not in lowered and "unreadable" not in lowered:
        return -1
    return min(i for i in map(lowered.find, _FAILURE_WORDS) if i >= 0)


def _from_sentence_at(text: str, at: int) -> str:
    """The sentences of ``text`` from the one holding position ``at`` to the end, joined
    by single spaces (no word of ``_DEFERRED_FAILURE`` spans sentences: none holds a
    sentence's end)."""
    start = 0
    for boundary in _BOUNDARY.finditer(text, 0, at + 1):  # + 1: its lookahead
        start = boundary.end()
    rest = text[start:]
    return rest if _BOUNDARY.search(rest) is None else _BOUNDARY.sub(_one_space, rest)


def _one_space(boundary: re.Match[str]) -> str:
    return boundary.group("end") + " "


def _holding_secrets(ctx: Context, path: str, creds_file: str) -> frozenset[str]:
    """The profiles whose section in the file holds a secret key or token (once per file)."""
    key = ("holding-secrets", path, path == creds_file)
    holding: frozenset[str] | None = ctx.memo.get(key)
    if holding is None:
        try:
            if path == creds_file:
                sections = ctx.ini(path)
            else:
                sections = ctx.config_file_profiles(path)["profiles"]
            holding = frozenset(
                name
                for name, section in sections.items()
                if isinstance(section, dict) and not _SECRET_KEYS.isdisjoint(section)
            )
        except Exception:
            holding = frozenset()
        ctx.memo[key] = holding
    return holding


def _cleaner(ctx: Context, name: str) -> Callable[[str], str]:
    """``scrub`` with the secrets of this profile and its source profiles only.

    The shared context knows every secret of every profile; scrubbing each line
    with all of them would make the listing quadratic. A text holding none of
    them is scrubbed once per listing: the same sentences recur across profiles.
    """
    secrets, key_ids = _chain_secrets(ctx, name)
    plain: dict[str, str] | None = ctx.memo.get(_PLAIN)  # see list_profiles

    def clean(text: str) -> str:
        found = [s for s in secrets if s in text] if secrets else []
        found_ids = [k for k in key_ids if k in text] if key_ids else []
        if found or found_ids or plain is None:
            return scrub(text, found, found_ids)
        cleaned = plain.get(text)
        if cleaned is None:
            cleaned = plain[text] = scrub(text)
        return cleaned

    return clean


# ctx.memo's key for texts scrubbed without a secret of their own, shared by every
# profile of a listing; absent when secrets made known around the listing may grow.
_PLAIN = "plain-clean"


def _chain_secrets(ctx: Context, name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(secrets, key ids) of a profile and its source profiles, memoised per source profile.

    A profile's are its own and its source profile's: a long ``source_profile``
    chain is walked once, not once per profile on it (only a loop is walked
    afresh each time). Only profiles some profile names as its source are kept.
    """
    memo: dict[str, tuple[frozenset[str], frozenset[str]]]
    memo = ctx.memo.setdefault("chain-secrets", {})
    profiles = ctx.profiles()
    sources = ctx.memo.get("source-profiles")
    if sources is None:
        sources = ctx.memo["source-profiles"] = {
            v.get("source_profile") for v in profiles.values() if isinstance(v, dict)
        }
    section = profiles.get(name)
    if isinstance(section, dict) and "source_profile" not in section and name not in sources:
        return _secrets_of(section)  # most profiles: their own only, kept nowhere
    path: list[str] = []
    current: Any = name
    while isinstance(current, str) and current in profiles and current not in memo:
        if current in path:  # a loop: every profile on it sees the same, so none is kept
            memo = {}
            break
        path.append(current)
        current = profiles[current].get("source_profile")
    below = memo.get(current, _NO_SECRETS) if isinstance(current, str) else None
    secrets, key_ids = below or _NO_SECRETS
    for profile in reversed(path):
        own_secrets, own_key_ids = _secrets_of(profiles[profile])
        if own_secrets:
            secrets = secrets | own_secrets
        if own_key_ids:
            key_ids = key_ids | own_key_ids
        if profile in sources:
            memo[profile] = (secrets, key_ids)
    return secrets, key_ids


_NO_SECRETS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _secrets_of(values: Mapping[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """The values of one section that :meth:`Context.note_value` would keep: (secrets, key ids)."""
    secrets, key_ids = [], []
    for key, value in values.items():
        if isinstance(value, str) and value:
            kind = value_kind(key)
            if kind == "secret":
                secrets.append(value)
            elif kind == "key id":
                key_ids.append(value)
    if not secrets and not key_ids:
        return _NO_SECRETS
    return frozenset(secrets), frozenset(key_ids)


# -- rendering ---------------------------------------------------------------------------


def _wrap(text: str, indent: str = "", width: int = WIDTH) -> list[str]:
    width = min(width, WIDTH)  # sentences stay readable on a wide terminal
    if len(text) + len(indent) <= width:  # textwrap is slow, and most lines fit
        return [indent + text]
    return textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent + "    ",
        break_on_hyphens=False,
    )


# What textwrap splits words at (``TextWrapper``'s whitespace).
_WRAP_WHITESPACE = frozenset("\t\n\x0b\x0c\r ")


def _wrap_about(
    profile: str, text: str, width: int, memo: dict[tuple[int, str, int], list[str]]
) -> list[str]:
    """``_wrap(f"{profile}: {text}", "  ", width)``, wrapping each distinct text once.

    Many profiles share a message (every SSO profile without a token says the
    same). A profile name without whitespace is one word for textwrap, which
    only counts its length: the text is wrapped once per length of such names,
    with a stand-in name, and the name is put back at the start of the first line.
    """
    line = f"{profile}: {text}"
    if len(line) + 2 <= min(width, WIDTH):
        return ["  " + line]
    if not _WRAP_WHITESPACE.isdisjoint(profile) or len(profile) + 3 >= min(width, WIDTH):
        return _wrap(line, "  ", width)
    key = (len(profile), text, width)
    lines = memo.get(key)
    if lines is None:
        lines = memo[key] = _wrap(f"{'x' * len(profile)}: {text}", "  ", width)
    return ["  " + profile + lines[0][2 + len(profile) :], *lines[1:]]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 3, 0)] + "..."


def _role(row: ProfileRow) -> str:
    if row.role_arn:
        arn = row.role_arn
        name = arn.rsplit("/", 1)[-1] if "/" in arn else arn
        account = arn.split(":")[4] if arn.startswith("arn:") and arn.count(":") >= 5 else ""
        return f"{name} ({account})" if account else name
    if row.role_name:
        return f"{row.role_name} ({row.account})" if row.account else row.role_name
    return row.access_key or "-"


def _provider(row: ProfileRow) -> str:
    if row.raises is not None:
        return row.error or "(chain)"
    return row.winner or "-"


def _kinds(row: ProfileRow) -> str:
    if not row.problems:
        return "-"
    kinds = list(dict.fromkeys(p.kind for p in row.problems))
    return ", ".join(kinds) or "-"


def render(
    report: ProfilesReport,
    paint: Callable[[str, str], str] | None = None,
    width: int = WIDTH,
) -> str:
    """The rows as a table at most ``width`` columns wide, then each profile's problems in full.

    ``paint(status, text)`` may colour a status word; ``text`` is already padded.
    """
    rows = report.rows
    header = ("profile", "status", "provider", "role / key", "region", "problems")
    statuses = [r.status for r in rows]
    cells = [
        (r.profile, status, _provider(r), _role(r), r.region or "-", _kinds(r))
        for r, status in zip(rows, statuses, strict=True)
    ]
    # The data's widths; the role, the profile, then the region column give way until
    # problems get 16 (they are in full below the table).
    widths = [max([len(header[i])] + [len(c[i]) for c in cells]) for i in range(5)]
    # A masked key id (20) stays whole; a long region name gives way last.
    for column, least in ((3, 20), (0, 16), (4, 9)):
        while sum(widths) + 2 * len(widths) > width - 16 and widths[column] > least:
            widths[column] -= 1
    rest = width - sum(widths) - 2 * len(widths)

    # Lines are padded by one format; cells are cut only on a line where one is too long.
    plain = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    w0, w1, w2, w3, w4 = widths

    def line(values: tuple[str, ...], status: str | None = None) -> str:
        if status is not None and paint is not None:
            parts = [_cut(values[i], w).ljust(w) for i, w in enumerate(widths)]
            parts[1] = paint(status, parts[1])
            return "  ".join([*parts, _cut(values[5], rest)]).rstrip()
        if not (
            len(values[0]) <= w0
            and len(values[1]) <= w1
            and len(values[2]) <= w2
            and len(values[3]) <= w3
            and len(values[4]) <= w4
            and len(values[5]) <= rest
        ):
            values = (*[_cut(values[i], w) for i, w in enumerate(widths)], _cut(values[5], rest))
        return plain.format(*values).rstrip()

    out = [
        f"credchain: {_plural(len(rows), 'profile')}, botocore {report.botocore_version} "
        "(offline: no endpoint probed, no process run)",
        *_wrap(f"config file:      {report.config_file}", width=width),
        *_wrap(f"credentials file: {report.credentials_file}", width=width),
    ]
    for warning in report.warnings:
        out += _wrap(f"warning: {warning}", width=width)
    out += ["", line(header)]
    out += [line(c, c[1]) for c in cells]
    wrapped: dict[tuple[int, str, int], list[str]] = {}
    details = [
        line
        for r in rows
        for p in r.problems
        if p.kind != WORLD_READABLE  # the warning above says it once
        for line in _wrap_about(r.profile, p.message, width, wrapped)
    ]
    if details:
        out += ["", "Problems:", *details]
    notes = [
        line for r in rows for n in r.notes for line in _wrap_about(r.profile, n, width, wrapped)
    ]
    if notes:
        out += ["", "Notes:", *notes]
    counts = {s: statuses.count(s) for s in ("ok", "warn", "error", "none")}
    out += ["", ", ".join(f"{n} {s}" for s, n in counts.items())]
    unchecked = next(
        (r.unchecked for r, s in zip(rows, statuses, strict=True) if s == "none" and r.unchecked),
        (),
    )
    if unchecked:
        out += _wrap(
            f"none: nothing in the files; botocore would go on to {', '.join(unchecked)}, "
            "not probed here (see `credchain explain --profile NAME`)."
        )
    return "\n".join(out)
