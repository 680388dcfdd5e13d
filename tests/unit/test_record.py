"""`_record.Record`: the dataclass-like base of every value object (policy, findings, plans)."""

from __future__ import annotations

from typing import ClassVar

import pytest

from hf_publish._record import FrozenRecordError, Record, asdict, field, fields, replace


class Spec(Record):
    name: str
    paths: tuple[str, ...] = ()
    token: str = field(default="", repr=False)
    notes: list[str] = field(default_factory=list, compare=False)
    KIND: ClassVar[str] = "spec"


class Plan(Record, frozen=False):
    spec: Spec
    steps: list[str] = field(default_factory=list)


def test_fields_defaults_and_factories_as_a_dataclass_has_them():
    spec = Spec("bert-v1")
    assert fields(Spec) == ("name", "paths", "token", "notes")  # the ClassVar is not a field
    assert (spec.name, spec.paths, spec.token, spec.notes) == ("bert-v1", (), "", [])
    assert Spec("a").notes is not Spec("a").notes  # a fresh list each time
    assert Spec(name="a", paths=("x",)).paths == ("x",)


def test_a_frozen_record_refuses_assignment_and_hashes_by_value():
    spec = Spec("a", ("x",))
    with pytest.raises(FrozenRecordError, match="cannot assign to field 'name'"):
        spec.name = "b"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del spec.paths  # type: ignore[misc]
    assert spec == Spec("a", ("x",), notes=["ignored by =="]) and hash(spec) == hash(Spec("a", ("x",)))
    assert spec != Spec("b", ("x",)) and {spec, Spec("a", ("x",))} == {spec}


def test_a_mutable_record_is_assignable_and_unhashable():
    plan = Plan(Spec("a"))
    plan.steps.append("upload")
    plan.spec = Spec("b")
    assert plan == Plan(Spec("b"), ["upload"])
    with pytest.raises(TypeError):
        hash(plan)


def test_repr_hides_secret_fields():
    text = repr(Spec("a", token="hf_secret"))
    assert text == "Spec(name='a', paths=(), notes=[])" and "hf_secret" not in text


def test_wrong_arguments_are_type_errors_naming_the_argument():
    with pytest.raises(TypeError, match="missing required argument: 'name'"):
        Spec()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'nmae'"):
        Spec(nmae="a")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'name'"):
        Spec("a", name="b")  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 4 positional arguments but 5"):
        Spec("a", (), "", [], "extra")  # type: ignore[call-arg]


def test_replace_and_asdict_as_in_dataclasses():
    plan = Plan(Spec("a", ("x",), token="t"), ["s"])
    assert replace(plan.spec, paths=("y",)) == Spec("a", ("y",), token="t")
    assert asdict(plan) == {"spec": {"name": "a", "paths": ("x",), "token": "t", "notes": []}, "steps": ["s"]}


def test_post_init_runs_after_the_fields_are_set():
    class Size(Record):
        text: str
        value: int = 0

        def __post_init__(self) -> None:
            object.__setattr__(self, "value", len(self.text))

    assert Size("abc").value == 3 and replace(Size("abc"), text="ab").value == 2
