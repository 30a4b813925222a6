"""Masking and scrubbing: the only way text that may hold a secret leaves credchain.

:func:`scrub` is applied where text leaves: the fields of ``ProviderResult`` and
``Report`` (attrs converters), the messages of credchain's exceptions, the
command line's output stream and credchain's log records. It hides

- every known secret (values credchain read under a secret-looking name while
  inspecting: secret keys, session tokens, SSO tokens, container tokens…)
  wherever it appears: as is, JSON- or repr-escaped, URL-encoded, or inside a
  base64 word (``Authorization: Basic …``);
- the user info of URLs (``http://user:pass@host`` → ``http://***@host``) and
  the values of sensitive query parameters (``?X-Amz-Security-Token=***``);
- the values of sensitive-looking keys in JSON, Python reprs, ``key=value``
  lines and HTTP headers (``"SessionToken": "***"``, ``password=***``,
  ``Authorization: ***``), known or not;
- the body of an endpoint's error reply, which botocore puts in its messages;
- every access key id but its first 4 and last 4 characters.

The secrets known to an inspection are made visible to the converters with
:func:`known_secrets`, a context variable: nothing process-wide is changed.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import functools
import json
import re
import string
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    from typing_extensions import Self

# Access key ids (AKIA…, ASIA…, and the other IAM unique-id prefixes) anywhere in free text.
# An access key id: one of the prefixes, then 12 or more of [A-Z0-9], as a whole word.
# Written to start with a literal "A" (then "no word character before it"), so that a
# search skips to each "A" instead of trying the alternatives at every position.
_KEY_ID = re.compile(r"A(?<!\wA)(?:3T[A-Z0-9]|KIA|SIA|GPA|IDA|ROA|IPA|NPA|NVA|SCA)[A-Z0-9]{12,}\b")
_KEY_ID_PREFIXES = ("A3T", "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ASCA")
# Anything that looks like a secret access key or a long token (40+ base64-ish characters).
_LONG_SECRET = re.compile(r"[A-Za-z0-9/+=_\-]{40,}")

#: Shortest known secret replaced wherever it appears (shorter ones would eat ordinary words;
#: they are still hidden where they stand under a sensitive key).
MIN_SECRET = 6
HIDDEN = "***"

# -- what counts as a sensitive name ---------------------------------------------------------

_SENSITIVE = re.compile(
    r"secret|token|passw(?:or)?d|pwd|passphrase|signature|authori[sz]ation|cookie"
    r"|api_?key|private_?key|session_?key|bearer"
)
# Names that hold where a secret is, not the secret (AWS_WEB_IDENTITY_TOKEN_FILE,
# credential_process, credential_source, AWS_CONTAINER_CREDENTIALS_FULL_URI,
# clientSecretExpiresAt, TokenType…).
_NOT_SENSITIVE = re.compile(
    r"file|process|source|ur[il]$|_ur[il]_|path|dir$|expir|type$|duration|_name$|provider|method"
    r"|length|count|scope"
)
_KEY_ID_NAME = re.compile(r"access_?key_?id$|^access_?key$|^awsaccesskeyid$")


def _norm(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)  # sessionToken -> session_Token
    return name.lower().replace("-", "_").replace(".", "_")


@functools.lru_cache(maxsize=4096)
def sensitive_name(name: str) -> bool:
    """True for a key whose value is a secret: ``SecretAccessKey``, ``sessionToken``…"""
    n = _norm(name)
    return bool(_SENSITIVE.search(n.replace("_", "")) or _SENSITIVE.search(n)) and not (
        _NOT_SENSITIVE.search(n)
    )


@functools.lru_cache(maxsize=4096)
def _key_id_name(name: str) -> bool:
    return bool(
        _KEY_ID_NAME.search(_norm(name).replace("_", "")) or _KEY_ID_NAME.search(_norm(name))
    )


# -- the patterns ------------------------------------------------------------------------------

# botocore's ContainerMetadataFetcher:
# "Received non 200 response 500 from container metadata: <body>"
_BODY = re.compile(r"(non 200 response \(?\d+\)? from [\w ]*?metadata: )(.+)", re.S)

_URL_USERINFO = re.compile(r"\b([A-Za-z][A-Za-z0-9+.\-]*://)([^\s/?#@\"'<>]*@)+")
_QUERY_PARAM = re.compile(r"([?&;])([^=&\s#?\"']+)=([^&\s#\"'<>]*)")

_KEY = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_VALUE = (
    r"\"(?:\\.|[^\"\\])*\""  # "json string"
    r"|'(?:\\.|[^'\\])*'"  # 'python repr'
    r"|\\+\"(?:(?!\\+\").)*\\+\""  # \"json inside json\"
    r"|[^\s,;&{}\[\]()\"'<>]+"  # a bare word
)
# "Key": "value", 'Key': 'value', \"Key\": \"value\" — matched where a sensitive name occurs.
_QUOTED_ASSIGN = re.compile(
    r"(?P<q>\\*[\"'])(?P<k>" + _KEY + r")(?P=q)(?P<sep>\s*[:=]\s*)(?P<v>" + _VALUE + r")", re.S
)
# key=value, key: value (a header, a YAML or INI line), export KEY="value"
_PLAIN_ASSIGN = re.compile(
    r"(?P<k>" + _KEY + r")(?P<sep>[ \t]*=[ \t]*|:[ \t]*)(?P<v>" + _VALUE + r")"
)
# What must follow a key's word for either assignment to match: its quote, then ":" or "=".
_SEPARATOR_AFTER = re.compile(r"[A-Za-z0-9_.\-]*[\\\"']*\s*[:=]")
_PROSE = re.compile(r"[a-z]+ [a-z]")
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_NAMES = (
    "secret", "token", "passw", "pwd", "passphrase", "signature", "authoriz", "authoris",
    "cookie", "apikey", "api_key", "private", "sessionkey", "session_key", "bearer",
    "accesskey", "access_key",
)  # fmt: skip
# Headers whose whole value is a credential, spaces included (Authorization: AWS4-HMAC-SHA256 …).
_HEADER = re.compile(
    r"(?im)(?<![\w\-\"'])((?:proxy-)?authorization|(?:set-)?cookie|x-aws-ec2-metadata-token)"
    r"([ \t]*[:=][ \t]*)(?![\"'])([^\r\n]+)"
)
_B64_WORD = re.compile(r"[A-Za-z0-9+/_\-]+={0,2}")


def _hidden_value(m: re.Match[str], plain: bool) -> str | None:
    """What to put in place of the value of this ``key=value`` match, or None to keep it."""
    key, value = m.group("k"), m.group("v")
    if _key_id_name(key):
        return _mask_value(value)
    if not sensitive_name(key) or value.strip("\"'\\") == HIDDEN:
        return None
    # A plain "key: value" in prose ("no token: expired") only counts for technical
    # names, and not when a sentence goes on ("no aws_secret_access_key: botocore stops").
    prose = not _technical(key) or _PROSE.match(m.string, m.start("v"))
    if plain and ":" in m.group("sep") and prose:
        return None
    return _quote_like(value, HIDDEN)


def _hide_assignments(text: str, lowered: str) -> str:
    """Replace the values of sensitive keys. Only where a sensitive name occurs is a
    ``key=value`` tried, anchored at the start of the name's word; matches may overlap
    (``error: password=x``), and the first one over a span wins."""
    starts = set()
    for name in _NAMES:
        i = lowered.find(name)
        while i >= 0:
            if _SEPARATOR_AFTER.match(text, i):  # else no assignment can start in this word
                k = i
                while k > 0 and text[k - 1] in _KEY_CHARS:
                    k -= 1
                starts.add(k)
            i = lowered.find(name, i + 1)
    edits: list[tuple[int, int, str]] = []
    end = -1
    for k in sorted(starts):
        q = k
        while q > 0 and text[q - 1] in "\"'\\" and q > k - 8:
            q -= 1
        m = _QUOTED_ASSIGN.match(text, q) if q < k else None
        plain = m is None
        if m is None:
            if k > 0 and text[k - 1] in "\"'\\/~":
                continue
            m = _PLAIN_ASSIGN.match(text, k)
        if m is None or m.start("v") < end:
            continue
        replacement = _hidden_value(m, plain)
        if replacement is not None:
            edits.append((m.start("v"), m.end("v"), replacement))
            end = m.end("v")
    for start, stop, replacement in reversed(edits):
        text = text[:start] + replacement + text[stop:]
    return text


def _technical(key: str) -> bool:
    return (
        "_" in key
        or "-" in key
        or key[:1].isupper()
        or any(c.isupper() for c in key[1:])
        or key.lower() in ("token", "password", "passwd", "pwd", "secret", "authorization")
    )


def _quote_like(value: str, replacement: str) -> str:
    for q in ('\\"', '"', "'"):
        head = value[: len(value) - len(value.lstrip("\\"))] + q[-1] if q == '\\"' else q
        if value.startswith(head) and value.endswith(head) and len(value) >= 2 * len(head):
            return head + replacement + head
    return replacement


def _mask_value(value: str) -> str:
    stripped = value.strip("\"'\\")
    if not stripped or "*" in stripped:
        return value
    return value.replace(stripped, mask_key(stripped) or "")


def _hide_userinfo(m: re.Match[str]) -> str:
    if not m.group(0)[len(m.group(1)) :].strip("*@"):  # hidden already (``****@``)
        return m.group(0)
    return m.group(1) + HIDDEN + "@"


def _hide_query(m: re.Match[str]) -> str:
    name = m.group(2)
    n = _norm(name)
    if sensitive_name(name) or n.endswith(("_sig", "_signature", "_key")) or n in ("sig", "key"):
        return f"{m.group(1)}{name}={HIDDEN}" if m.group(3) else m.group(0)
    return m.group(0)


# -- known secrets -----------------------------------------------------------------------------


class Secrets:
    """Values that must never be printed, and access key ids to mask."""

    def __init__(self, secrets: Iterable[str | None] = (), key_ids: Iterable[str | None] = ()):
        self.secrets = SecretSet(s for s in secrets if _is_secret(s))
        self.key_ids = SecretSet((k for k in key_ids if _is_key_id(k)), key_ids=True)

    def __repr__(self) -> str:
        return f"<Secrets: {len(self.secrets)} secrets, {len(self.key_ids)} key ids>"


_KNOWN: contextvars.ContextVar[tuple[Secrets, ...]] = contextvars.ContextVar(
    "credchain_known_secrets", default=()
)


@contextlib.contextmanager
def known_secrets(
    secrets: Iterable[str | None] = (), key_ids: Iterable[str | None] = ()
) -> Iterator[None]:
    """Make these secrets known to every :func:`scrub` in this thread/task for the block."""
    token = _KNOWN.set((*_KNOWN.get(), Secrets(secrets, key_ids)))
    try:
        yield
    finally:
        _KNOWN.reset(token)


def known_secrets_in_effect() -> bool:
    """Whether a :func:`known_secrets` block is in effect in this thread/task."""
    return bool(_KNOWN.get())


@functools.lru_cache(maxsize=1024)
def _variants(secret: str) -> frozenset[str]:
    """The forms a secret takes inside other text (base64 of any text holding it included)."""
    from urllib.parse import quote, quote_plus

    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        quote(secret),
        quote(secret, safe=""),
        quote_plus(secret),
        quote(secret, safe="").lower(),
    }
    forms.add(json.dumps(json.dumps(secret)[1:-1])[1:-1])  # JSON inside a JSON string
    return frozenset(f for f in forms if f) | _base64_cores(secret)


def _base64_cores(secret: str) -> frozenset[str]:
    """What any base64 text of a string holding ``secret`` contains, at each of the three
    byte alignments (``Authorization: Basic`` of ``user:secret``)."""
    raw = secret.encode("utf-8")
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        # Drop the characters that also encode neighbouring bytes.
        head = -(-offset * 4 // 3) + (1 if offset else 0)
        core = encoded[head : len(encoded) - 4]
        if len(core) >= 8:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))
    return frozenset(cores)


def _hide_word_with(core: str, m: re.Match[str]) -> str:
    return HIDDEN if core in m.group(0) else m.group(0)


def _is_secret(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and len(value) >= MIN_SECRET


def _is_key_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and len(value) > 8


class _Index:
    """The forms of a growing collection of secrets (or of access key ids), grouped by
    length, so that which of them occur in a text is found without trying every form.

    Adding a value computes its forms once; a text is searched either form by form
    (few forms) or by looking up each of its slices of each length forms have (many).
    """

    __slots__ = ("_by_len", "_count", "_key_ids", "_seen", "_starred", "cores")

    def __init__(self, key_ids: bool = False) -> None:
        self._key_ids = key_ids
        self._seen: set[str] = set()
        self._by_len: dict[int, set[str]] = {}
        self._starred: set[str] = set()  # forms holding a "*", which replacing may create
        self._count = 0
        self.cores: set[str] = set()  # forms that are base64 cores: their whole word goes

    def add(self, value: object) -> None:
        if value in self._seen or not (_is_key_id if self._key_ids else _is_secret)(value):
            return
        assert isinstance(value, str)
        self._seen.add(value)
        forms = frozenset((value,)) if self._key_ids else _variants(value)
        if not self._key_ids:
            self.cores |= _base64_cores(value)
        for form in forms:
            bucket = self._by_len.setdefault(len(form), set())
            if form not in bucket:
                bucket.add(form)
                self._count += 1
                if "*" in form:
                    self._starred.add(form)

    def find(self, text: str) -> set[str]:
        """The forms that occur in ``text``, and every form holding a ``*`` (replacing a
        form by ``***`` or masking a key id may make one of those appear)."""
        n = len(text)
        lengths = [length for length in self._by_len if length <= n]
        if self._count <= sum(n - length + 1 for length in lengths):
            found = {f for length in lengths for f in self._by_len[length] if f in text}
        else:
            found = set()
            for length in lengths:
                slices = {text[i : i + length] for i in range(n - length + 1)}
                found |= self._by_len[length] & slices
        return found | self._starred


class SecretSet(set[str]):
    """A set of secrets (or, with ``key_ids=True``, of access key ids) that keeps the
    index :func:`scrub` searches with up to date as values are added: a context's
    secrets are scrubbed with again and again while more are found."""

    def __init__(self, values: Iterable[str] = (), *, key_ids: bool = False) -> None:
        super().__init__(values)
        self.holds_key_ids = key_ids
        self._index: _Index | None = None

    def index(self) -> _Index:
        if self._index is None:
            index = _Index(self.holds_key_ids)
            for value in self:
                index.add(value)
            self._index = index
        return self._index

    def add(self, element: str) -> None:
        super().add(element)
        if self._index is not None:
            self._index.add(element)

    def update(self, *s: Iterable[str]) -> None:
        for values in s:
            for value in list(values):
                self.add(value)

    def __ior__(self, value: AbstractSet[str]) -> Self:  # type: ignore[override,misc]
        self.update(value)
        return self

    # Taking values out: the index is built again when next needed.
    def discard(self, element: object) -> None:
        super().discard(element)
        self._index = None

    def remove(self, element: str) -> None:
        super().remove(element)
        self._index = None

    def pop(self) -> str:
        self._index = None
        return super().pop()

    def clear(self) -> None:
        super().clear()
        self._index = None

    def difference_update(self, *s: Iterable[Any]) -> None:
        super().difference_update(*s)
        self._index = None

    def intersection_update(self, *s: Iterable[Any]) -> None:
        super().intersection_update(*s)
        self._index = None

    def symmetric_difference_update(self, s: Iterable[str], /) -> None:
        super().symmetric_difference_update(s)
        self._index = None

    def __isub__(self, value: AbstractSet[object]) -> Self:
        self.difference_update(value)
        return self

    def __iand__(self, value: AbstractSet[object]) -> Self:
        self.intersection_update(value)
        return self

    def __ixor__(self, value: AbstractSet[str]) -> Self:  # type: ignore[override,misc]
        self.symmetric_difference_update(value)
        return self


@functools.lru_cache(maxsize=256)
def _index_for(values: frozenset[str], key_ids: bool) -> _Index:
    index = _Index(key_ids)
    for value in values:
        index.add(value)
    return index


def _index_of(values: Iterable[str | None], key_ids: bool) -> _Index | None:
    """The index of these secrets (or key ids): a :class:`SecretSet`'s own, kept up to
    date as it grows, or one built for this collection (the last few are kept)."""
    if isinstance(values, SecretSet) and values.holds_key_ids == key_ids:
        return values.index()
    if isinstance(values, (list, tuple, set, frozenset)) and not values:
        return None
    chosen = frozenset(v for v in values if (_is_key_id if key_ids else _is_secret)(v))
    return _index_for(chosen, key_ids) if chosen else None


def _hide_known(text: str, secrets: list[_Index], key_ids: list[_Index]) -> str:
    found: set[str] = set()
    for index in key_ids:
        found |= index.find(text)
    for key_id in sorted(found, key=len, reverse=True):
        if key_id in text:
            text = text.replace(key_id, mask_key(key_id) or "")
    found = set()
    for index in secrets:
        found |= index.find(text)
    for form in sorted(found, key=len, reverse=True):
        if form in text:
            if any(form in index.cores for index in secrets):  # the whole base64 word goes
                text = _B64_WORD.sub(functools.partial(_hide_word_with, form), text)
            else:
                text = text.replace(form, HIDDEN)
    return text


# -- the scrubber ------------------------------------------------------------------------------


def mask_key(key: str | None) -> str | None:
    """Keep the first 4 and the last 4 characters of an access key id, star the rest."""
    if key is None:
        return None
    key = str(key)
    return key if len(key) <= 8 else key[:4] + "*" * (len(key) - 8) + key[-4:]


def withhold_body(text: str) -> str:
    """Replace the response body botocore quotes in an endpoint error by its size."""

    def size(m: re.Match[str]) -> str:
        n = len(m.group(2).encode("utf-8", "replace"))
        return f"{m.group(1)}<response body withheld: {n} bytes>"

    return _BODY.sub(size, text)


# One pass each instead of a test per name or prefix.
_ANY_KEY_ID_PREFIX = re.compile("A(?:" + "|".join(p[1:] for p in _KEY_ID_PREFIXES) + ")")


def _ascii_lower(text: str) -> str:
    """Only A-Z lowered (``str.lower`` would change the length of some other letters)."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def scrub(text: str, secrets: Iterable[str | None] = (), key_ids: Iterable[str | None] = ()) -> str:
    """Hide every secret in ``text``: known ones (given, or made known with
    :func:`known_secrets`) in any encoding, and any value that stands where a
    secret stands (URL user info, sensitive query values, keys and headers)."""
    if not text:
        return text
    secret_indexes = [i for i in (_index_of(secrets, False),) if i is not None]
    key_id_indexes = [i for i in (_index_of(key_ids, True),) if i is not None]
    for more in _KNOWN.get():
        if more.secrets:
            secret_indexes.append(more.secrets.index())
        if more.key_ids:
            key_id_indexes.append(more.key_ids.index())
    if "metadata: " in text:
        text = withhold_body(text)
    if secret_indexes or key_id_indexes:
        text = _hide_known(text, secret_indexes, key_id_indexes)
    if "://" in text:
        text = _URL_USERINFO.sub(_hide_userinfo, text)
    if "=" in text:
        text = _QUERY_PARAM.sub(_hide_query, text)
    lowered = _ascii_lower(text)  # the same length: indexes stay valid
    if "author" in lowered or "cookie" in lowered or "metadata-token" in lowered:
        text = _HEADER.sub(lambda m: m.group(1) + m.group(2) + HIDDEN, text)
        lowered = _ascii_lower(text)
    if ("=" in text or ":" in text) and any(name in lowered for name in _NAMES):
        text = _hide_assignments(text, lowered)
    if _ANY_KEY_ID_PREFIX.search(text):
        text = _KEY_ID.sub(lambda m: mask_key(m.group(0)) or "", text)
    return text


def scrub_short(text: str, secrets: Iterable[str], key_ids: Iterable[str]) -> str:
    """:func:`scrub` for a short ``text``, with only the secrets that could occur in it.

    Every form of a secret (escaped, encoded, a base64 core) is at most 8 characters
    shorter than the secret, and replacing never lengthens the text: a longer secret
    never matches, so leaving it out changes nothing, and spares indexing all of them.
    """
    longest = len(text) + 8
    return scrub(
        text,
        [s for s in secrets if s is not None and len(s) <= longest],
        [k for k in key_ids if k is not None and len(k) <= len(text)],
    )


def scrub_optional(text: str | None) -> str | None:
    """:func:`scrub` for optional fields."""
    return None if text is None else scrub(text)


def scrub_all(texts: Iterable[str]) -> tuple[str, ...]:
    """:func:`scrub` for tuples of lines."""
    return tuple(scrub(t) for t in texts)


def scrub_foreign(
    text: str, secrets: Iterable[str | None] = (), key_ids: Iterable[str | None] = ()
) -> str:
    """``scrub``, and also hide secret-shaped words: for text credchain did not write
    (a process's stderr, an endpoint's reply)."""

    def hide(m: re.Match[str]) -> str:
        word = m.group(0)
        if _LONG_SECRET.fullmatch(word) and not word.startswith(("/", "http")):
            return HIDDEN
        return word

    return re.sub(r"\S+", hide, scrub(text, secrets, key_ids))


def safe_url(url: str | None) -> str | None:
    """A URL to show: without user info, sensitive query values hidden.

    ``https://user:pass@host/p?token=x`` → ``https://***@host/p?token=***``.
    """
    if not url:
        return url
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        if "@" in parts.netloc:
            url = urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))
    except ValueError:  # a malformed URL: the text scrubber still hides its user info
        pass
    return scrub(url)


def redact_command(argv: list[str]) -> str:
    """Show a credential_process command: the program, and arguments with values hidden.

    Flags (``--profile``) stay readable; anything else after the program is
    replaced, since commands often carry tokens or passwords as arguments.
    """
    if not argv:
        return ""
    shown = [argv[0]]
    for arg in argv[1:]:
        if arg.startswith("-") and "=" not in arg:
            shown.append(arg)
        elif arg.startswith("-") and "=" in arg:
            shown.append(arg.split("=", 1)[0] + "=***")
        else:
            shown.append("***")
    return " ".join(shown)
