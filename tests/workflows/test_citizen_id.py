"""The citizen ID number: a number built from valid parts passes, each single wrong part is named.

The numbers are built here digit by digit from the circular's parts (province, gender and century,
year, serial), not by make_citizen_id, which is checked against them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from ketnap.webui.admin_schemas import MemberSchema
from ketnap.workflows.citizen_id import PROVINCES, format_problems, make_citizen_id, problems
from ketnap.workflows.schemas import CandidateSchema

provinces = st.sampled_from(sorted(PROVINCES))
not_provinces = st.integers(0, 999).map(lambda n: f"{n:03d}").filter(lambda code: code not in PROVINCES)
births = st.dates(date(1900, 1, 1), date(2399, 12, 31))
genders = st.sampled_from(["male", "female"])
serials = st.integers(0, 999_999)


def built(province: str, born: date, gender: str, serial: int) -> str:
    century_digit = (born.year // 100 - 19) * 2 + (1 if gender == "female" else 0)
    return f"{province}{century_digit}{born.year % 100:02d}{serial:06d}"


@given(provinces, births, genders, serials)
def test_a_number_built_from_valid_parts_passes(province: str, born: date, gender: str, serial: int) -> None:
    number = built(province, born, gender, serial)
    assert problems(number, born, gender) == []
    assert problems(number) == []
    assert make_citizen_id(born, gender, serial, province) == number


@given(not_provinces, births, genders, serials)
def test_a_wrong_province_code_is_named(province: str, born: date, gender: str, serial: int) -> None:
    found = problems(built(province, born, gender, serial), born, gender)
    assert len(found) == 1 and found[0].startswith(f"Ba chữ số đầu của số CCCD ({province}) không phải mã tỉnh")


@given(provinces, births, genders, serials, st.integers(1, 4))
def test_a_birth_in_another_century_is_named(province: str, born: date, gender: str, serial: int, shift: int) -> None:
    other = (born.year - 1900 + shift * 100) % 500 + 1900
    found = problems(built(province, born, gender, serial), born.replace(year=other, day=min(born.day, 28)), gender)
    assert len(found) == 1 and found[0].startswith("Chữ số thứ 4 của số CCCD") and f"năm sinh là {other}" in found[0]


@given(provinces, births, genders, serials)
def test_the_other_gender_is_named(province: str, born: date, gender: str, serial: int) -> None:
    other = "female" if gender == "male" else "male"
    found = problems(built(province, born, gender, serial), born, other)
    assert len(found) == 1 and "ứng với giới tính" in found[0] and f"the gender is {other}" in found[0]


@given(provinces, births, genders, serials, st.integers(1, 99))
def test_other_year_digits_are_named(province: str, born: date, gender: str, serial: int, shift: int) -> None:
    number = built(province, born, gender, serial)
    wrong = f"{number[:4]}{(born.year + shift) % 100:02d}{number[6:]}"
    found = problems(wrong, born, gender)
    assert len(found) == 1 and found[0].startswith(f"Chữ số thứ 5–6 của số CCCD ({wrong[4:6]}) phải là")


@given(provinces, births, genders, serials, st.integers(1, 11))
def test_a_wrong_length_is_named(province: str, born: date, gender: str, serial: int, keep: int) -> None:
    number = built(province, born, gender, serial)
    for wrong in (number[:keep], number + number[:keep]):
        assert problems(wrong, born, gender) == format_problems(wrong)
        assert format_problems(wrong)[0].startswith(f"Số CCCD gồm 12 chữ số, số này có {len(wrong)}")


@given(provinces, births, genders, serials, st.integers(0, 11), st.sampled_from(["٣", "３", "a", " ", "-"]))
def test_anything_but_ascii_digits_is_refused(province: str, born: date, gender: str, serial: int, at: int, char: str) -> None:
    number = built(province, born, gender, serial)
    assert problems(number[:at] + char + number[at + 1:]) == ["Số CCCD gồm 12 chữ số (citizen ID: 12 digits)."]


def test_no_number_for_a_birth_outside_the_centuries_it_can_say() -> None:
    with pytest.raises(ValueError):
        make_citizen_id(date(1899, 12, 31), "male", 1)


# -- in the schemas -------------------------------------------------------------------------------

PERSON = {"full_name": "Nguyễn Thị Lan", "date_of_birth": "2001-04-05", "gender": "female", "education": "university"}


def errors(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as err:
        schema.load(data)
    return dict(err.value.messages)


def test_candidate_number_is_checked_against_the_date_of_birth_and_gender() -> None:
    good = make_citizen_id(date(2001, 4, 5), "female", 42, "051")
    assert CandidateSchema().load({**PERSON, "citizen_id": good})["citizen_id"] == good
    found = errors(CandidateSchema(), {**PERSON, "citizen_id": good, "gender": "male", "date_of_birth": "1999-04-05"})
    assert list(found) == ["citizen_id"] and len(found["citizen_id"]) == 3


def test_candidate_number_with_a_bad_province_is_a_field_error_even_beside_other_errors() -> None:
    found = errors(CandidateSchema(), {**PERSON, "citizen_id": "999201000042", "education": "phd"})
    assert set(found) == {"citizen_id", "education"}
    assert found["citizen_id"][0].startswith("Ba chữ số đầu của số CCCD (999)")


def test_candidate_number_is_still_checked_against_the_gender_when_the_date_is_bad() -> None:
    number = make_citizen_id(date(2001, 4, 5), "female", 42)
    found = errors(CandidateSchema(), {**PERSON, "citizen_id": number, "gender": "male", "date_of_birth": "31/02/2001"})
    assert set(found) == {"citizen_id", "date_of_birth"} and "ứng với giới tính nữ" in found["citizen_id"][0]


def test_member_number_is_checked_against_what_is_known() -> None:
    member = {"full_name": "Lê Văn Hùng", "status": "probationary", "branch_id": 3, "joined_on": "2020-01-01"}
    number = make_citizen_id(date(1980, 1, 2), "male", 7)
    assert MemberSchema().load({**member, "citizen_id": number})["citizen_id"] == number
    found = errors(MemberSchema(), {**member, "citizen_id": number, "date_of_birth": "2001-01-02", "gender": "female"})
    assert list(found) == ["citizen_id"] and len(found["citizen_id"]) == 3
