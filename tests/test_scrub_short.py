"""``scrub_short`` (used for settings' values) hides exactly what ``scrub`` hides.

It leaves out the secrets too long for any of their forms to occur in the
text; random texts holding secrets in every form (escaped, URL-encoded, base64
of text around them, masked key ids) must come out the same either way.
"""

from __future__ import annotations

import base64
import json
import random
from urllib.parse import quote

import pytest

from credchain._mask import SecretSet, scrub, scrub_short

ALPHABET = "abcXYZ019+/=_-é€ \"'\\%&:"


def _form(rnd: random.Random, secret: str) -> str:
    kind = rnd.randrange(5)
    if kind == 0:
        return secret
    if kind == 1:
        return json.dumps(secret)[1:-1]
    if kind == 2:
        return quote(secret, safe="")
    if kind == 3:
        return base64.b64encode(f"user:{secret}".encode()).decode()
    return secret[: len(secret) // 2]


@pytest.mark.parametrize("seed", range(6))
def test_same_as_scrub(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(300):
        secrets = SecretSet(
            "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(6, 40))) for _ in range(8)
        )
        key_ids = SecretSet(
            (f"AKIA{rnd.randrange(10**12):012d}{rnd.choice(['', 'XY'])}" for _ in range(3)),
            key_ids=True,
        )
        parts = [rnd.choice(["us-east-1 ", "x=", "token: ", "https://h/?a="])]
        for _ in range(rnd.randint(0, 3)):
            parts.append(_form(rnd, rnd.choice([*secrets, *key_ids])))
            parts.append(rnd.choice([" ", "", "/", "-"]))
        text = "".join(parts)[: rnd.randint(0, 60)]
        assert scrub_short(text, secrets, key_ids) == scrub(text, secrets, key_ids), text
