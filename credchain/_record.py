"""Records: the package's value classes, frozen and slotted, cheap to define.

``@record`` turns a class of annotated fields into an immutable value: an
``__init__`` taking the fields in order (a leading underscore dropped from the
parameter name), a ``repr`` of the fields, equality and a hash over them, and
``__slots__``. :func:`field` sets a field's default or factory, a converter run
on every value passed in, how the field shows in the ``repr``, and whether it
takes part in equality and the hash. :func:`evolve` is a copy with some fields
changed (through ``__init__``, so converters run again).

It is the small part of a dataclass library these classes use, written out
because defining them is on every command's path: each class costs one
compiled ``__init__``, and importing this module costs nothing beyond the
standard library modules already loaded. Type checkers read it as a dataclass
transform.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        return lambda f: f


C = TypeVar("C", bound=type)
R = TypeVar("R")

_NOTHING: Any = type("_Nothing", (), {"__repr__": lambda self: "NOTHING"})()


class FrozenError(AttributeError):
    """A record's fields cannot be assigned or deleted."""


class Field:
    """How one field is made, shown and compared (see :func:`field`)."""

    __slots__ = ("alias", "converter", "default", "eq", "factory", "hash", "init", "name", "repr")

    def __init__(
        self,
        default: Any,
        factory: Callable[[], Any] | None,
        converter: Callable[[Any], Any] | None,
        repr: bool | Callable[[Any], str],
        eq: bool,
        hash: bool | None,
        init: bool,
        alias: str | None,
    ) -> None:
        self.name = ""
        self.default = default
        self.factory = factory
        self.converter = converter
        self.repr = repr
        self.eq = eq
        self.hash = eq if hash is None else hash
        self.init = init
        self.alias = alias or ""  # the parameter's name: set by @record if not given


def field(
    *,
    default: Any = _NOTHING,
    factory: Callable[[], Any] | None = None,
    converter: Callable[[Any], Any] | None = None,
    repr: bool | Callable[[Any], str] = True,
    eq: bool = True,
    hash: bool | None = None,
    init: bool = True,
    alias: str | None = None,
) -> Any:
    """A field with a default or ``factory``, a ``converter``, and how it is shown and compared.

    ``repr`` is False (left out) or a function giving the text shown for the
    value; ``eq=False`` leaves the field out of equality and the hash,
    ``hash=False`` out of the hash only; ``init=False`` takes it out of
    ``__init__`` (it gets its default or ``factory()``).
    """
    return Field(default, factory, converter, repr, eq, hash, init, alias)


@overload
def record(cls: C, /) -> C: ...
@overload
def record(*, frozen: bool = True) -> Callable[[C], C]: ...
@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: Any = None, /, *, frozen: bool = True) -> Any:
    """Make ``cls`` a record: immutable unless ``frozen=False`` (then unhashable)."""
    if cls is None:
        return lambda c: _build(c, frozen)
    return _build(cls, frozen)


def evolve(inst: R, **changes: Any) -> R:
    """A copy of the record ``inst`` with ``changes`` (by ``__init__`` parameter name)."""
    cls = type(inst)
    for f in cls.__record_fields__:  # type: ignore[attr-defined]
        if f.init and f.alias not in changes:
            changes[f.alias] = getattr(inst, f.name)
    new: R = cls(**changes)
    return new


def _fields(cls: type) -> list[Field]:
    fields = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
        if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, _NOTHING)
        if not isinstance(value, Field):
            value = field(default=value)
        f: Field = value
        f.name = name
        f.alias = f.alias or name.lstrip("_")
        fields.append(f)
    return fields


def _init(
    cls: type, fields: list[Field], frozen: bool
) -> tuple[Callable[..., None], dict[str, Any]]:
    """Compile ``__init__``: set each field, converted, then run ``__post_init__`` if any.

    A frozen record's fields are set through their slots' own setters (``_set<i>``,
    bound in the returned scope once the class exists): twice as fast as
    ``object.__setattr__``, and its ``__setattr__`` refuses.
    """
    scope: dict[str, Any] = {"_NOTHING": _NOTHING}
    params, body = [], []
    for i, f in enumerate(fields):
        value = f.alias
        if f.init:
            if f.factory is not None:
                scope[f"_factory{i}"] = f.factory
                params.append(f"{f.alias}=_NOTHING")
                body.append(f"if {value} is _NOTHING: {value} = _factory{i}()")
            elif f.default is not _NOTHING:
                scope[f"_default{i}"] = f.default
                params.append(f"{f.alias}=_default{i}")
            else:
                params.append(f.alias)
            if f.converter is not None:
                scope[f"_convert{i}"] = f.converter
                value = f"_convert{i}({value})"
        elif f.factory is not None:
            scope[f"_factory{i}"] = f.factory
            value = f"_factory{i}()"
        else:
            scope[f"_default{i}"] = f.default
            value = f"_default{i}"
        body.append(f"_set{i}(self, {value})" if frozen else f"self.{f.name} = {value}")
    if "__post_init__" in cls.__dict__:
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), scope)  # noqa: S102
    init: Callable[..., None] = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init, scope


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda o: (one(o),)
    return attrgetter(*names) if names else lambda o: ()


def _build(cls: Any, frozen: bool) -> Any:
    fields = _fields(cls)
    names = [f.name for f in fields]
    skip = {*names, "__dict__", "__weakref__"}
    ns = {k: v for k, v in cls.__dict__.items() if k not in skip}
    ns["__slots__"] = (*names, "__weakref__")
    ns["__record_fields__"] = tuple(fields)
    ns["__match_args__"] = tuple(f.name for f in fields if f.init)
    ns["__init__"], scope = _init(cls, fields, frozen)
    shown = [(f.name, f.repr) for f in fields if f.repr is not False]
    compared = _values([f.name for f in fields if f.eq])
    hashed = _values([f.name for f in fields if f.hash])
    every = _values(names)

    def __repr__(self: Any) -> str:
        parts = (f"{n}={_show(how, getattr(self, n))}" for n, how in shown)
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(compared(self) == compared(other))

    def __getstate__(self: Any) -> tuple[Any, ...]:
        return every(self)

    def __setstate__(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

    ns.update(__repr__=__repr__, __eq__=__eq__)  # != is derived from ==
    ns.update(__getstate__=__getstate__, __setstate__=__setstate__)
    if frozen:
        key = cls.__qualname__
        ns["__hash__"] = lambda self: hash((key, *hashed(self)))
        ns["__setattr__"] = _refuse
        ns["__delattr__"] = _refuse
    else:
        ns["__hash__"] = None
    built = type(cls)(cls.__name__, cls.__bases__, ns)
    built.__qualname__ = cls.__qualname__
    if frozen:
        for i, name in enumerate(names):
            scope[f"_set{i}"] = getattr(built, name).__set__  # the slot's member descriptor
    return built


def _refuse(self: Any, name: str, *value: Any) -> None:
    raise FrozenError(f"{type(self).__name__} is immutable: cannot change {name!r}")


def _show(how: bool | Callable[[Any], str], value: Any) -> str:
    return repr(value) if how is True else how(value)  # type: ignore[operator]
