"""credchain's record classes: the value semantics the report types rely on."""

from __future__ import annotations

import copy
import inspect
import pickle
from typing import ClassVar

import pytest

from credchain._record import FrozenError, evolve, field, record


def _upper(value: str) -> str:
    return value.upper()


@record
class Point:
    KIND: ClassVar[str] = "point"

    x: int
    name: str = field(converter=_upper)
    tags: tuple[str, ...] = ()
    items: list[int] = field(factory=list, eq=False)
    secret: str = field(default="s3cr3t", repr=False)
    shown: str = field(default="abc", repr=lambda v: f"<{len(v)} chars>")
    _private: int = field(default=0, hash=False)
    cache: dict[str, int] = field(factory=dict, init=False, repr=False, eq=False)


@record(frozen=False)
class Bag:
    things: list[int] = field(factory=list)


@record
class Checked:
    n: int

    def __post_init__(self) -> None:
        if self.n < 0:
            raise ValueError("n must not be negative")


def test_init_defaults_factories_and_converters() -> None:
    p = Point(1, "a")
    assert (p.x, p.name, p.tags, p.items, p.secret, p._private, p.cache) == (
        1,
        "A",
        (),
        [],
        "s3cr3t",
        0,
        {},
    )
    assert Point(1, "a").items is not p.items  # a fresh list per instance
    assert Point(1, "b", private=5)._private == 5  # the leading underscore is dropped
    params = list(inspect.signature(Point).parameters)
    assert params == ["x", "name", "tags", "items", "secret", "shown", "private"]
    assert Point.KIND == "point" and "KIND" not in Point.__match_args__


def test_repr_hides_and_formats_fields() -> None:
    text = repr(Point(1, "a", tags=("t",)))
    assert text == "Point(x=1, name='A', tags=('t',), items=[], shown=<3 chars>, _private=0)"
    assert "s3cr3t" not in text


def test_equality_and_hash_follow_the_field_options() -> None:
    a, b = Point(1, "a", items=[1]), Point(1, "a", items=[2])
    assert a == b and hash(a) == hash(b)  # items: eq=False
    assert Point(1, "a", private=1) != Point(1, "a", private=2)
    assert hash(Point(1, "a", private=1)) == hash(Point(1, "a", private=2))  # hash=False
    assert Point(1, "a") != Point(2, "a")
    assert (Point(1, "a") == (1, "A")) is False
    assert len({Point(1, "a"), Point(1, "A"), Point(2, "a")}) == 2


def test_frozen_and_slotted() -> None:
    p = Point(1, "a")
    with pytest.raises(FrozenError):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.x  # type: ignore[misc]
    with pytest.raises(AttributeError):
        p.other = 1  # type: ignore[attr-defined]
    assert not hasattr(p, "__dict__")


def test_evolve_runs_init_again() -> None:
    p = Point(1, "a", private=3)
    q = evolve(p, name="b", x=2)
    assert (q.x, q.name, q._private, p.x) == (2, "B", 3, 1)
    with pytest.raises(TypeError):
        evolve(p, nope=1)


def test_post_init_runs() -> None:
    assert Checked(1).n == 1
    with pytest.raises(ValueError, match="negative"):
        Checked(-1)


def test_mutable_records_are_not_hashable() -> None:
    bag = Bag()
    bag.things = [1]
    assert bag == Bag([1])
    with pytest.raises(TypeError):
        hash(bag)


def test_pickle_and_copies_keep_every_field() -> None:
    p = Point(1, "a", items=[1], private=4)
    for q in (pickle.loads(pickle.dumps(p)), copy.copy(p), copy.deepcopy(p)):
        assert q == p and q.items == [1] and q._private == 4 and q.secret == "s3cr3t"
