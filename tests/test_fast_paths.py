"""Shortcuts taken for speed say exactly what the plain definitions say.

Each test runs the shortcut and its plain definition on random input:
- where a winner's text says first use will fail (a substring search, then
  the sentence around it), against splitting the text into sentences;
- which providers a listing tests for a profile (``absent_without``), against
  each provider's own ``absent()``;
- the access key id pattern, against the alternatives tried at every position;
- the scrubber's test for a separator after a sensitive name, against trying
  every occurrence.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from credchain import _mask
from credchain._context import Context
from credchain._profiles import (
    _DEFERRED_FAILURE,
    _first_failure_word,
    _from_sentence_at,
)

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _failing_sentences(text: str) -> str | None:
    sentences = _SENTENCE.split(text)
    hit = next((i for i, s in enumerate(sentences) if _DEFERRED_FAILURE.search(s)), None)
    return " ".join(sentences[hit:]) if hit is not None else None


@pytest.mark.parametrize("seed", range(4))
def test_failing_sentence_is_found_as_by_splitting(seed: int) -> None:
    words = [
        "a", "No", "will", "fail", "Will fail", "WILL FAIL", "expired.", "Expired",
        "EXPİRED", "unreadable!", "x.", "Y?", " ", "  ", "\n", "will  fail", "token.",
        "first use", "é", "Über.", "Ünreadable",
    ]  # fmt: skip
    seps = ["", " ", ". ", "  ", "\t", "!\n", "? "]
    rnd = random.Random(seed)
    for _ in range(20_000):
        text = "".join(rnd.choice(words) + rnd.choice(seps) for _ in range(rnd.randint(0, 12)))
        at = _first_failure_word(text)
        assert (None if at < 0 else _from_sentence_at(text, at)) == _failing_sentences(text), text


KEYS = [
    "role_arn", "source_profile", "credential_source", "web_identity_token_file",
    "sso_session", "sso_role_name", "sso_account_id", "sso_start_url", "sso_region",
    "credential_process", "login_session", "aws_access_key_id", "aws_secret_access_key",
    "aws_session_token", "region", "mfa_serial",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(3))
def test_a_profile_without_the_declared_keys_is_absent(tmp_path: Path, seed: int) -> None:
    """``absent_without``: a profile holding none of those keys (in either file) is one
    the provider's ``absent()`` calls absent."""
    from credchain._chain import build_chain

    rnd = random.Random(seed)
    aws = tmp_path / ".aws"
    aws.mkdir()
    config, creds = [], []
    for i in range(120):
        keys = rnd.sample(KEYS, rnd.randint(0, 4))
        (config if rnd.random() < 0.6 else creds).append(
            (f"[profile p{i}]\n" if not creds or rnd.random() < 0.5 else f"[p{i}]\n")
            + "".join(
                f"{k} = {rnd.choice(['', 'x', 'p1', 'arn:aws:iam::1:role/r'])}\n" for k in keys
            )
        )
    (aws / "config").write_text("".join(config))
    (aws / "credentials").write_text("".join(creds))
    ctx = Context({"HOME": str(tmp_path)}, network=False)
    checked = 0
    for name, section in ctx.profiles().items():
        ctx.instance_vars["profile"] = name
        for _, inspector in build_chain(ctx, True).providers:
            without = getattr(inspector, "absent_without", None)
            if without is not None and without.isdisjoint(section):
                assert inspector.absent(ctx, name), (type(inspector).__name__, name, section)
                checked += 1
    assert checked > 300


def test_every_profile_provider_declares_its_keys() -> None:
    from credchain._botocore import PROFILE_METHODS, known_chain
    from credchain._chain import make_providers

    methods = tuple(known_chain())
    for method, inspector in make_providers(methods, None, True):
        if method in PROFILE_METHODS:
            assert getattr(inspector, "absent_without", None), method


_KEY_ID_PLAIN = re.compile(
    r"\b(A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASCA)[A-Z0-9]{12,}\b"
)


@pytest.mark.parametrize("seed", range(3))
def test_key_id_pattern_matches_as_the_plain_one(seed: int) -> None:
    parts = [
        "AKIA", "A", "ASIA", "A3TX", "AROA", "x", "_", "é", "Ä", " ", "AKIAIOSFODNN7EXAMPLE",
        "0123456789ABCDEF", "-", "AAKIA", "ZZZZ", "\n", "*",
    ]  # fmt: skip
    rnd = random.Random(seed)
    for _ in range(20_000):
        text = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 8)))
        expected = [m.span() for m in _KEY_ID_PLAIN.finditer(text)]
        assert [m.span() for m in _mask._KEY_ID.finditer(text)] == expected, text
        assert bool(_mask._ANY_KEY_ID_PREFIX.search(text)) == any(
            p in text for p in _mask._KEY_ID_PREFIXES
        )


@pytest.mark.parametrize("seed", range(3))
def test_separator_test_skips_only_words_no_assignment_starts_in(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = [
        "token", "Token", "SECRET", "secret_access_key", "aws_session_token", "password",
        "Authorization", "cookie", "apikey", "bearer", "AccessKeyId", "=", ":", " = ", ": ",
        '"', "'", '\\"', '\\\\"', "\n", " ", "\t", "value", "abc123", "AKIAIOSFODNN7EXAMPLE",
        "x", "_", "-", ".", "/", "{", "}", ",", "no token: expired", "é",
    ]  # fmt: skip
    rnd = random.Random(seed)
    texts = ["".join(rnd.choice(parts) for _ in range(rnd.randint(0, 14))) for _ in range(15_000)]
    fast = [_mask.scrub(t) for t in texts]
    monkeypatch.setattr(_mask, "_SEPARATOR_AFTER", re.compile(""))  # every word is tried
    assert [_mask.scrub(t) for t in texts] == fast


@pytest.mark.parametrize("seed", range(3))
def test_profile_map_without_the_deep_copy_equals_botocores(tmp_path: Path, seed: int) -> None:
    """``build_profile_map`` gets the parsed sections without deep-copying them: the map
    is equal to botocore's ``load_config`` of the file, and the parsed file is unchanged."""
    from botocore.configloader import load_config, raw_config_parse

    rnd = random.Random(seed)
    names = ["default", "profile a", "profile  b", 'profile "c d"', "profile", "sso-session s"]
    names += ["services x", "preview", "profile  a", "profilex y", "profile e"]
    body = []
    for section in rnd.sample(names, rnd.randint(1, len(names))):  # once each, or it is an error
        body.append(f"[{section}]\n")
        for key in rnd.sample(KEYS, rnd.randint(0, 3)):
            body.append(f"{key} = v{rnd.randint(0, 9)}\n")
        if rnd.random() < 0.3:
            body.append("s3 =\n  addressing_style = path\n")
    path = tmp_path / "config"
    path.write_text("".join(body))
    ctx = Context({"HOME": str(tmp_path)}, network=False)
    assert ctx.config_file_profiles(str(path)) == load_config(str(path))
    assert ctx.ini(str(path)) == raw_config_parse(str(path))
