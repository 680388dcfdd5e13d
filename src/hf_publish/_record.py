"""`Record`: the base of hf-publish's value objects (policy, findings, plans), declared and typed
like dataclasses.

Why not `dataclasses`: every pre-commit hook is a new interpreter, and `@dataclass` costs one
`exec` per generated method, about 1 ms a class on a CI runner, plus importing `inspect`: more
than a hook's whole budget (benchmarks/hooks.py). A Record's methods are shared by every record
class, so declaring one costs what declaring a class costs.

    class RepoSpec(Record):                  # frozen (immutable and hashable) by default
        name: str
        paths: tuple[str, ...] = ()
        token: str = field(default="", repr=False)

    class Plan(Record, frozen=False):        # mutable: assignable, not hashable (as @dataclass)
        steps: list[str] = field(default_factory=list)

Type checkers see a dataclass (PEP 681 `dataclass_transform`): the same `__init__` signature and
read-only fields. At run time: keyword or positional arguments in field order, defaults,
`field(default_factory=..., repr=False, compare=False)`, `__post_init__`, equality by class and
compared fields, hashing of frozen records, and `replace` / `asdict` as in `dataclasses`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

# typing is not imported at run time: a pre-commit hook would pay ~2.5 ms for it. Type checkers
# read the block below; at run time the names it gives are only ever in (string) annotations.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeVar, overload

    from typing_extensions import dataclass_transform  # in typing from Python 3.11

    T = TypeVar("T")
else:

    def dataclass_transform(**_: object) -> Callable[[type], type]:  # only type checkers read it
        return lambda cls: cls


class FrozenRecordError(AttributeError):
    """Assignment to a field of a frozen record (dataclasses' `FrozenInstanceError`)."""


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


class _Field:
    __slots__ = ("compare", "default", "default_factory", "repr")

    def __init__(self, default: Any, default_factory: Callable[[], Any] | None, repr: bool, compare: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare


if TYPE_CHECKING:

    @overload
    def field(*, default: T, repr: bool = True, compare: bool = True) -> T: ...
    @overload
    def field(*, default_factory: Callable[[], T], repr: bool = True, compare: bool = True) -> T: ...
    @overload
    def field(*, repr: bool = True, compare: bool = True) -> Any: ...


def field(
    *,
    default: Any = MISSING,
    default_factory: Callable[[], Any] | None = None,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    """A field with options, as `dataclasses.field`: a default or a default factory (for mutable
    defaults), left out of `repr` (secrets) or out of equality and hashing."""
    if default is not MISSING and default_factory is not None:
        raise ValueError("field() takes a default or a default_factory, not both")
    return _Field(default, default_factory, repr, compare)


def _is_class_var(annotation: object) -> bool:
    if isinstance(annotation, str):  # `from __future__ import annotations`: the annotation's text
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    typing = sys.modules.get("typing")  # an evaluated ClassVar exists only where typing was imported
    class_var = getattr(typing, "ClassVar", None)
    return class_var is not None and (getattr(annotation, "__origin__", None) is class_var or annotation is class_var)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Record:
    """Base class of value objects; see the module docstring."""

    __slots__ = ()
    _record_fields: ClassVar[tuple[str, ...]] = ()
    _record_defaults: ClassVar[dict[str, Any]] = {}  # name -> default value
    _record_factories: ClassVar[dict[str, Callable[[], Any]]] = {}  # name -> default factory
    _record_repr: ClassVar[tuple[str, ...]] = ()
    _record_compare: ClassVar[tuple[str, ...]] = ()
    _record_frozen: ClassVar[bool] = True

    def __init_subclass__(cls, *, frozen: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = list(cls._record_fields)
        defaults = dict(cls._record_defaults)
        factories = dict(cls._record_factories)
        hidden = set(names) - set(cls._record_repr)
        uncompared = set(names) - set(cls._record_compare)
        # The class's own annotations (inspect.get_annotations would import inspect, the cost avoided).
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
            if _is_class_var(annotation):
                continue
            if name not in names:
                names.append(name)
            value = cls.__dict__.get(name, MISSING)
            if isinstance(value, _Field):
                if not value.repr:
                    hidden.add(name)
                if not value.compare:
                    uncompared.add(name)
                if value.default_factory is not None:
                    factories[name] = value.default_factory
                    defaults.pop(name, None)
                    delattr(cls, name)
                    continue
                value = value.default
                if value is MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, value)
            if value is not MISSING:
                defaults[name] = value
                factories.pop(name, None)
            else:
                defaults.pop(name, None)
                factories.pop(name, None)
        cls._record_fields = tuple(names)
        cls._record_defaults = defaults
        cls._record_factories = factories
        cls._record_repr = tuple(n for n in names if n not in hidden)
        cls._record_compare = tuple(n for n in names if n not in uncompared)
        cls._record_frozen = frozen
        if not frozen and "__hash__" not in cls.__dict__:
            cls.__hash__ = None  # type: ignore[assignment]  # mutable and compared by value: unhashable, as @dataclass

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        names = cls._record_fields
        setter = object.__setattr__
        if not kwargs and len(args) == len(names):  # every field given in order: the common fast path
            for name, value in zip(names, args, strict=True):
                setter(self, name, value)
            post_init = getattr(self, "__post_init__", None)
            if post_init is not None:
                post_init()
            return
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} positional arguments but {len(args)} were given")
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key in values:
                raise TypeError(f"{cls.__name__}() got multiple values for argument {key!r}")
            if key not in names:
                raise TypeError(f"{cls.__name__}() got an unexpected keyword argument {key!r}")
            values[key] = value
        for name in names:
            if name in values:
                setter(self, name, values[name])
                continue
            if name in cls._record_defaults:
                setter(self, name, cls._record_defaults[name])
            elif name in cls._record_factories:
                setter(self, name, cls._record_factories[name]())
            else:
                raise TypeError(f"{cls.__name__}() missing required argument: {name!r}")
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def __setattr__(self, name: str, value: Any) -> None:
        if self._record_frozen:
            raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self._record_frozen:
            raise FrozenRecordError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")
        object.__delattr__(self, name)

    def _record_key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._record_compare)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._record_key() == other._record_key()

    def __hash__(self) -> int:
        return hash(self._record_key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._record_repr)
        return f"{type(self).__qualname__}({shown})"


if TYPE_CHECKING:
    R = TypeVar("R", bound=Record)


def fields(record: Record | type[Record]) -> tuple[str, ...]:
    """The field names, in declaration order."""
    return record._record_fields


def replace(record: R, /, **changes: Any) -> R:
    """A copy of `record` with `changes` applied (through `__init__`, so `__post_init__` runs)."""
    values = {name: getattr(record, name) for name in record._record_fields}
    values.update(changes)
    return type(record)(**values)


def asdict(record: Record) -> dict[str, Any]:
    """The record as a dict, nested records, lists, tuples and dicts converted recursively."""
    return {name: _plain(getattr(record, name)) for name in record._record_fields}


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return asdict(value)
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value
