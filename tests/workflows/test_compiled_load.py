"""The compiled load (workflows.schemas.compiled_load) answers as marshmallow does, or not at all.

For every schema of the workflow, generated input — good values, near misses and values of every other
kind — is loaded both ways: whenever the compiled load answers, marshmallow loads the same values, of
the same types; whenever marshmallow refuses, the compiled load does not answer. And it does answer for
the rows a form or an import sends, or it would be no faster.
"""

from __future__ import annotations

import inspect
import unicodedata
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validate

from ketnap.workflows import schemas
from ketnap.workflows.citizen_id import PROVINCES, make_citizen_id
from ketnap.workflows.schemas import CandidateSchema, RegisterSource, VNDate, compiled_load

SCHEMAS = sorted((cls for _name, cls in inspect.getmembers(schemas, inspect.isclass)
                  if issubclass(cls, schemas.Base) and cls is not schemas.Base), key=lambda cls: cls.__name__)

anything = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 10**13), st.floats(allow_nan=True), st.text(max_size=12),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.dates(), st.datetimes(),
)
names = st.sampled_from(["Nguyễn Văn An", unicodedata.normalize("NFD", "Lê Thị Hằng"), "  Đỗ Mười  ", "A", "", " ", "x" * 201])
day_texts = st.one_of(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)).flatmap(lambda d: st.sampled_from([d.isoformat(), f"{d:%d/%m/%Y}", f"{d:%d/%m/%y}",
                                                                                      f"{d.day}/{d.month}/{d.year}", f" {d:%d/%m/%Y} "])),
    st.sampled_from(["31/02/2020", "2020-02-30", "20200305", "05-03-2020", "٠٥/٠٣/٢٠٢٠", "", "/", "1/2/3/4"]),
)
citizen_ids = st.one_of(
    st.builds(lambda d, g, n, p: make_citizen_id(d, g, n, p), st.dates(date(1950, 1, 1), date(2010, 12, 31)),
              st.sampled_from(["male", "female"]), st.integers(0, 999_999), st.sampled_from(sorted(PROVINCES))),
    st.sampled_from(["123", "999200012345", "００１２０００１２３４５", "001200012345 "]),
)


def valid(name: str, fld: fields.Field) -> st.SearchStrategy[Any]:
    """A value the field alone accepts (the schema's checks across fields may still refuse the whole)."""
    choices = next((v.choices for v in fld.validators if isinstance(v, validate.OneOf)), None)
    if choices is not None:
        return st.sampled_from(list(choices))
    if name == "citizen_id":
        return st.none()  # a number must agree with the date of birth and gender: see test_candidates_with_citizen_ids
    if isinstance(fld, fields.List):
        return st.just([])
    if isinstance(fld, (fields.Nested, fields.Dict)):
        return st.none()
    if isinstance(fld, VNDate):
        return st.dates(date(1950, 1, 1), date(2030, 12, 31)).flatmap(lambda d: st.sampled_from([d.isoformat(), f"{d:%d/%m/%Y}"]))
    if isinstance(fld, fields.Boolean):
        return st.booleans()
    if isinstance(fld, fields.Integer):
        return st.integers(1, 900)
    if isinstance(fld, fields.String):
        return st.text(st.sampled_from("abcđêơưÀẮỆ "), min_size=3, max_size=50).filter(lambda t: len(t.strip()) >= 3)
    return st.nothing()


def near_miss(name: str, fld: fields.Field) -> st.SearchStrategy[Any]:
    """A value a form or a file might send that is sometimes right and often just wrong."""
    choices = next((v.choices for v in fld.validators if isinstance(v, validate.OneOf)), None)
    if choices is not None:
        return st.one_of(st.sampled_from(list(choices)).map(str.upper), st.just("khác"), st.just(""))
    if name == "citizen_id":
        return citizen_ids
    if isinstance(fld, VNDate):
        return day_texts
    if isinstance(fld, fields.Boolean):
        return st.sampled_from([1, 0, "true", "x", "có", 2])
    if isinstance(fld, fields.Integer):
        return st.one_of(st.integers(-2, 2), st.integers(10**5, 10**6), st.sampled_from(["12", 3.0, True]))
    if isinstance(fld, fields.String):
        return st.one_of(names, st.text(max_size=8))
    return st.nothing()


def raw_input(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly values each field accepts, one in eight a near miss or a value of any kind; optional fields
    left out one time in three; sometimes a key no field has."""
    def value(name: str, fld: fields.Field) -> st.SearchStrategy[Any]:
        return st.integers(0, 7).flatmap(lambda k: st.one_of(near_miss(name, fld), anything) if k == 0 else valid(name, fld))

    required, optional = {}, {}
    for name, fld in schema.load_fields.items():
        (required if fld.required else optional)[fld.data_key or name] = value(name, fld)
    known = st.fixed_dictionaries(required, optional=optional)
    return st.one_of(known, known, known, st.builds(lambda d, extra: {**d, "not_a_field": extra}, known, anything))


def same_answer(schema: Schema, raw: dict[str, Any]) -> bool:
    """Whether the compiled load answered; fails the test if its answer differs from marshmallow's."""
    load = compiled_load(schema)
    assert load is not None, f"{type(schema).__name__} is not compiled"
    fast = load(raw)
    try:
        expected = schema.load(raw)
    except ValidationError:
        assert fast is None, f"marshmallow refuses {raw!r}, the compiled load gave {fast!r}"
        return False
    if fast is not None:
        assert fast == expected and list(fast) == list(expected)
        assert {k: type(v) for k, v in fast.items()} == {k: type(v) for k, v in expected.items()}
    return fast is not None


@pytest.mark.parametrize("schema_cls", SCHEMAS, ids=lambda cls: cls.__name__)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_the_compiled_load_answers_as_marshmallow_or_not_at_all(schema_cls: type[Schema], data: st.DataObject) -> None:
    schema = schema_cls()
    same_answer(schema, data.draw(raw_input(schema)))


@settings(max_examples=100)
@given(st.dates(date(1950, 1, 1), date(2010, 12, 31)), st.sampled_from(["male", "female"]), st.integers(0, 999_999),
       st.sampled_from(sorted(PROVINCES)), st.integers(0, 3), st.integers(1, 60))
def test_candidates_with_citizen_ids(born: date, gender: str, serial: int, province: str, wrong: int, years: int) -> None:
    """A number agreeing with the person, or (one time in four) made for a person born `years` later."""
    number = make_citizen_id(born.replace(year=born.year + years) if wrong == 0 else born, gender, serial, province)
    person = {"full_name": "Trần Thị Bình", "date_of_birth": f"{born:%d/%m/%Y}", "gender": gender, "education": "university",
              "citizen_id": number}
    assert same_answer(CandidateSchema(), person) is (wrong != 0)


def test_it_answers_for_the_rows_a_form_or_an_import_sends() -> None:
    person = {"full_name": "Nguyễn Văn An", "date_of_birth": "05/05/2000", "gender": "male", "education": "upper_secondary",
              "citizen_id": make_citizen_id(date(2000, 5, 5), "male", 7), "ethnicity": "Kinh", "youth_union_member": True,
              "source_category": "union_member", "introducing_mass_org_id": 12, "occupation": "Nông dân"}
    assert same_answer(CandidateSchema(), person)
    assert same_answer(CandidateSchema(), {**person, "date_of_birth": "2000-05-05", "religion": None})
    assert same_answer(RegisterSource(), {"registered_on": "01/03/2026", "source_category": "other", "introducing_mass_org_id": None,
                                          "note": "Ghi chú"})


def test_it_leaves_the_refusals_and_their_messages_to_marshmallow() -> None:
    wrong = {"full_name": "Nguyễn Văn An", "date_of_birth": "05/05/2000", "gender": "male", "education": "upper_secondary",
             "citizen_id": make_citizen_id(date(2001, 5, 5), "male", 7)}
    assert same_answer(CandidateSchema(), wrong) is False
    assert compiled_load(CandidateSchema())(wrong) is None  # type: ignore[misc]
    with pytest.raises(schemas.BadInput) as err:
        schemas.load_candidate(wrong)
    assert list(err.value.field_errors) == ["citizen_id"]


def test_dates_and_datetimes_already_typed_are_left_to_marshmallow() -> None:
    load = compiled_load(RegisterSource())
    assert load is not None
    assert load({"registered_on": date(2026, 3, 1)}) is None
    assert load({"registered_on": datetime(2026, 3, 1, 8, 0)}) is None
