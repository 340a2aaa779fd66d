"""Marshmallow schemas: the candidate and the facts each trigger records.

The same schemas validate the CLI, the web forms and (later) the API. `FactCodec` adapts a schema to
the engine: `parse(raw)` returns typed values or raises engine.errors.BadInput naming each field.
Vietnamese text is stored NFC-normalised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, missing, validate, validates_schema

from ..engine.errors import BadInput
from . import citizen_id as cccd
from . import vocab

_TRANSLATIONS = {
    "Missing data for required field.": "Bắt buộc (required).",
    "Field may not be null.": "Không được để trống (may not be empty).",
    "Not a valid date.": "Ngày không hợp lệ, dùng YYYY-MM-DD hoặc dd/mm/yyyy (not a valid date).",
    "Not a valid integer.": "Phải là số nguyên (not a valid integer).",
    "Not a valid boolean.": "Phải là có/không (not a valid boolean).",
    "Not a valid string.": "Phải là chuỗi ký tự (not a valid string).",
    "Unknown field.": "Trường không được phép (unknown field).",
    "Not a valid list.": "Phải là danh sách (not a valid list).",
    "Invalid input type.": "Kiểu dữ liệu không hợp lệ (invalid input type).",
}


def _translate(message: str) -> str:
    if message in _TRANSLATIONS:
        return _TRANSLATIONS[message]
    if message.startswith("Must be one of"):
        return f"Giá trị không hợp lệ: hãy chọn một giá trị trong danh sách ({message[0].lower()}{message[1:].rstrip('.')})."
    if message.startswith("Must be greater than or equal to") and " and less than or equal to " in message:
        return f"Ngoài khoảng cho phép ({message[0].lower()}{message[1:].rstrip('.')})."
    if message.startswith("Must be greater than or equal to"):
        return f"Quá nhỏ ({message.lower()})."
    if message.startswith("Must be less than or equal to"):
        return f"Quá lớn ({message.lower()})."
    return message


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """{'introducers': {0: {'member_id': [...]}}} -> {'introducers[0].member_id': [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            if key == "_schema":
                name = prefix or "_schema"
            out.update(flatten_errors(value, name))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        out[prefix] = [_translate(m) for m in messages]
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            out.update(flatten_errors(value, f"{prefix}[{i}]"))
    else:
        out[prefix] = [_translate(str(messages))]
    return out


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and line breaks are text; the rest of C0 and DEL are not
MAX_ID = 2**31 - 1  # the largest ID either database stores in an INTEGER column


def no_control_characters(value: str) -> None:
    if CONTROL.search(value):
        raise ValidationError("Không được chứa ký tự điều khiển (no control characters).")


def ref_id(**kwargs: Any) -> fields.Integer:
    """The ID of a record (a member, an organisation): a whole number the databases can hold."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class Text(fields.String):
    """A string stored NFC-normalised and stripped; empty means missing; no control characters (PostgreSQL
    refuses NUL in text, and none belongs in a name or a note)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validators.append(no_control_characters)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        return unicodedata.normalize("NFC", text).strip() if text is not None else None


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_VN_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
YEARS = (1900, 2199)  # a date outside these years is a typing slip (a two-digit year), not a person's or an act's


def date_from_text(value: str) -> date | None:
    """2024-03-05 or 05/03/2024 (ASCII digits, a four-digit year within YEARS) as a date; None for anything else."""
    text = value.strip()
    if found := _VN_DATE.fullmatch(text):
        day, month, year = found.groups()
    elif found := _ISO_DATE.fullmatch(text):
        year, month, day = found.groups()
    else:
        return None
    try:
        parsed = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return parsed if YEARS[0] <= parsed.year <= YEARS[1] else None


class VNDate(fields.Date):
    """Accepts ISO (2024-03-05) and Vietnamese dd/mm/yyyy, nothing else (no two-digit years, no week dates); dumps ISO."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            parsed = date_from_text(value)
            if parsed is None:
                raise self.make_error("invalid")
            return parsed
        return super()._deserialize(value, attr, data, **kwargs)


def citizen_id_format(value: str) -> None:
    """A citizen ID field's own check: 12 digits, the first three a province code (workflows.citizen_id)."""
    if problems := cccd.format_problems(value):
        raise ValidationError(problems)


def citizen_id_field() -> Text:
    return Text(load_default=None, allow_none=True, validate=citizen_id_format)


def check_citizen_id_agrees(data: Mapping[str, Any]) -> None:
    """A schema-level check, reported on `citizen_id`: the number agrees with the date of birth and the gender
    (those that were given and valid; a number that failed its own check is not in `data`)."""
    value = data.get("citizen_id")
    if value and (problems := cccd.consistency_problems(value, data.get("date_of_birth"), data.get("gender"))):
        raise ValidationError({"citizen_id": problems})


def one_of(choices: Mapping[str, Any]) -> validate.OneOf:
    return validate.OneOf(list(choices))


def required_date() -> VNDate:
    return VNDate(required=True)


def optional_date() -> VNDate:
    return VNDate(load_default=None, allow_none=True)


def count(required: bool = True) -> fields.Integer:
    if required:
        return fields.Integer(required=True, strict=False, validate=validate.Range(min=0, max=100_000))
    return fields.Integer(load_default=0, strict=False, validate=validate.Range(min=0, max=100_000))


def flag() -> fields.Boolean:
    return fields.Boolean(load_default=False)


class Base(Schema):
    class Meta:
        unknown = RAISE


class VoteCounts(Base):
    """Vote counts shared by every branch vote; consistency is input validation, thresholds are rules."""

    meeting_date = required_date()
    official_total = count()
    exempt_absent = count(required=False)
    present = count()
    agreeing = count()
    resolution_no = Text(load_default=None, allow_none=True)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, str] = {}
        if data.get("present", 0) > data.get("official_total", 0):
            errors["present"] = "Số có mặt lớn hơn tổng số đảng viên chính thức (present exceeds the total)."
        if data.get("agreeing", 0) > data.get("present", 0):
            errors["agreeing"] = "Số tán thành lớn hơn số có mặt (agreeing exceeds present)."
        if errors:
            raise ValidationError(errors)


class FormerMember(Base):
    left_on = required_date()
    leave_reason = fields.String(required=True, validate=one_of(vocab.LEAVE_REASONS))
    record_cleared_on = optional_date()
    family_hardship = flag()
    readmitted_before = flag()


class CandidateSchema(Base):
    """The person: "quần chúng" who may become a candidate for admission."""

    full_name = Text(required=True, validate=validate.Length(min=2, max=200))
    date_of_birth = required_date()
    gender = fields.String(required=True, validate=validate.OneOf(["male", "female"]))
    ethnicity = Text(load_default="Kinh", validate=validate.Length(max=60))
    religion = Text(load_default=None, allow_none=True, validate=validate.Length(max=60))
    religious_office = flag()
    education = fields.String(required=True, validate=one_of(vocab.EDUCATION_LEVELS))
    special_area = flag()
    sea_fisherman = flag()
    community_figure = flag()
    lived_abroad = flag()
    other_party_history = flag()
    no_branch_at_workplace = flag()
    youth_union_member = flag()
    trade_union_member = flag()
    occupation = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    source_category = fields.String(load_default="other", validate=one_of(vocab.SOURCE_CATEGORIES))
    citizen_id = citizen_id_field()
    introducing_mass_org_id = ref_id(load_default=None, allow_none=True)
    former_member = fields.Nested(FormerMember, load_default=None, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _citizen_id_agrees(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_citizen_id_agrees(data)


# -- the facts of each trigger ---------------------------------------------------------------


class RegisterSource(Base):
    registered_on = required_date()
    source_category = fields.String(load_default=None, allow_none=True, validate=one_of(vocab.SOURCE_CATEGORIES))
    introducing_mass_org_id = ref_id(load_default=None, allow_none=True)
    note = Text(load_default=None, allow_none=True)


class AdmitToSympathiserList(Base):
    decided_on = required_date()
    helper_member_id = ref_id(required=True)


class NominateForTraining(Base):
    nominated_on = required_date()
    class_name = Text(load_default=None, allow_none=True)


class RecordTrainingCertificate(Base):
    issued_on = required_date()
    certificate_no = Text(required=True, validate=validate.Length(min=1, max=60))
    issuer = Text(required=True, validate=validate.Length(min=1, max=200))
    issuer_kind = fields.String(required=True, validate=one_of(vocab.CERTIFICATE_ISSUERS))
    no_political_center = flag()


class SubmitApplication(Base):
    applied_on = required_date()
    handwritten_by_candidate = fields.Boolean(required=True)
    states_understanding_and_motive = fields.Boolean(required=True)


class Relative(Base):
    relation = fields.String(required=True, validate=one_of({k: v for k, v in vocab.VERIFY_SUBJECTS.items() if k != "candidate"}))
    full_name = Text(required=True, validate=validate.Length(min=1, max=200))
    lives_abroad = flag()


class DeclareBiography(Base):
    declared_on = required_date()
    personally_declared = fields.Boolean(required=True)
    complete = fields.Boolean(required=True)
    no_erasures = fields.Boolean(required=True)
    relatives = fields.List(fields.Nested(Relative), load_default=list)


class VerificationTask(Base):
    subject = fields.String(required=True, validate=one_of(vocab.VERIFY_SUBJECTS))
    name = Text(load_default=None, allow_none=True)
    place = Text(load_default=None, allow_none=True)
    assignee = Text(load_default=None, allow_none=True)
    channel = fields.String(load_default="direct", validate=one_of(vocab.VERIFY_CHANNELS))
    abroad = flag()
    requested_on = optional_date()


class StartVerification(Base):
    started_on = required_date()
    sealed_on = optional_date()
    tasks = fields.List(fields.Nested(VerificationTask), required=True)


class VerificationAnswer(Base):
    subject = fields.String(required=True, validate=one_of(vocab.VERIFY_SUBJECTS))
    name = Text(load_default=None, allow_none=True)
    answered_on = required_date()
    aspects = fields.List(fields.String(validate=validate.OneOf(vocab.VERIFY_ASPECTS_CANDIDATE)), required=True)


class ConcludeVerification(Base):
    concluded_on = required_date()
    conclusion = fields.String(required=True, validate=validate.OneOf(["no_issue", "issue"]))
    qd58_issue = flag()
    superior_opinion_on = optional_date()
    certified_on = required_date()
    answers = fields.List(fields.Nested(VerificationAnswer), required=True)


class Introducer(Base):
    member_id = ref_id(required=True)
    together_since = optional_date()
    same_unit = fields.Boolean(load_default=True)
    replacement = flag()
    replaces_reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["moved", "disciplined", "cannot_continue"]))
    member = fields.Dict(load_default=None, allow_none=True)  # resolved from the member register


class RecordIntroductions(Base):
    introduced_on = required_date()
    route = fields.String(load_default="members", validate=one_of(vocab.INTRO_ROUTES))
    introducers = fields.List(fields.Nested(Introducer), required=True)
    youth_union_exists = flag()
    trade_union_exists = flag()
    union_resolution_on = optional_date()
    residence_comment_on = optional_date()
    mass_org_comment_on = optional_date()
    comments_summary_on = optional_date()


class HoldBranchVote(VoteCounts):
    over60_health_and_standing = flag()
    over60_basis = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["no_party_organisation", "no_party_member", "special_requirement"]))
    education_special_approval_on = optional_date()
    religious_office_approval_on = optional_date()
    nobranch_assignment_on = optional_date()
    readmission_agreement_on = optional_date()


class HoldCommitteeVote(Base):
    meeting_date = required_date()
    committee_total = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=1000))
    present = count()
    agreeing = count()
    appraisal_on = optional_date()
    resolution_no = Text(load_default=None, allow_none=True)

    @validates_schema
    def _consistent(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("present", 0) > data.get("committee_total", 0):
            raise ValidationError({"present": "Số có mặt lớn hơn tổng số cấp ủy viên (present exceeds the total)."})
        if data.get("agreeing", 0) > data.get("present", 0):
            raise ValidationError({"agreeing": "Số tán thành lớn hơn số có mặt (agreeing exceeds present)."})


class Decision(Base):
    decided_on = required_date()
    decision_no = Text(required=True, validate=validate.Length(min=1, max=60))
    deciding_org_id = ref_id(required=True)
    deciding_body = fields.String(required=True, validate=one_of(vocab.DECIDING_BODIES))
    extension_reason = Text(load_default=None, allow_none=True)


class RecordAdmissionDecision(Decision):
    over60_agreement_on = optional_date()


class HoldAdmissionCeremony(Base):
    ceremony_on = required_date()
    decision_received_on = optional_date()
    superior_agreement_on = optional_date()


class HoldRecognitionVote(VoteCounts):
    probation_helper_id = ref_id(load_default=None, allow_none=True)
    new_member_course_on = optional_date()
    self_review_on = optional_date()
    helper_review_on = optional_date()
    comments_on = optional_date()


class RecordInconclusiveVote(VoteCounts):
    agreeing_strike_off = count()


class RecordRecognitionDecision(Decision):
    committee_total = fields.Integer(load_default=None, allow_none=True, strict=False, validate=validate.Range(min=1, max=1000))
    committee_agreeing = fields.Integer(load_default=None, allow_none=True, strict=False, validate=validate.Range(min=0, max=1000))
    official_from = optional_date()
    party_age_from = optional_date()


class ReturnForRework(Base):
    returned_on = required_date()
    target_state = fields.String(required=True)
    reason = Text(required=True, validate=validate.Length(min=3, max=2000))


class Withdraw(Base):
    withdrawn_on = required_date()
    requested_by = fields.String(required=True, validate=validate.OneOf(["candidate", "branch"]))
    reason = Text(required=True, validate=validate.Length(min=3, max=2000))


class Reject(Base):
    rejected_on = required_date()
    ground = fields.String(required=True, validate=validate.OneOf(["failed_branch_vote", "failed_committee_vote", "refusing_decision"]))
    minutes_no = Text(required=True, validate=validate.Length(min=1, max=60))
    reason = Text(load_default=None, allow_none=True)


class StrikeOff(Decision):
    branch_proposal_on = optional_date()


class Reopen(Base):
    reopened_on = required_date()
    reason = Text(required=True, validate=validate.Length(min=3, max=2000))


class FactCodec:
    """Adapts a marshmallow schema to the engine's `parse`: typed values or BadInput."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self._decoder = _decoder_for(schema)
        self._plain_load = compiled_load(schema)

    def __call__(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise BadInput({"facts": "Phải là một đối tượng JSON (must be an object)."})
        if self._plain_load is not None and (loaded := self._plain_load(raw)) is not None:
            return loaded
        try:
            return dict(self.schema.load(raw))
        except ValidationError as err:
            raise BadInput(flatten_errors(err.messages)) from None

    def decode(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """Typed values back from what the database stored (validated once, on the way in).

        Only the schema's date fields need converting; doing just that keeps reading a dossier's
        snapshot cheap (a full marshmallow load per fact would dominate the cost of an advance).
        """
        return self._decoder(stored)


Decoder = Callable[[Mapping[str, Any]], dict[str, Any]]


def _decoder_for(schema: Schema) -> Decoder:
    dates: list[str] = []
    nested: list[tuple[str, Decoder, bool]] = []
    for name, fld in schema.fields.items():
        key = fld.data_key or name
        if isinstance(fld, fields.Date):
            dates.append(key)
        elif isinstance(fld, fields.Nested) and isinstance(fld.schema, Schema):
            nested.append((key, _decoder_for(fld.schema), False))
        elif isinstance(fld, fields.List) and isinstance(fld.inner, fields.Nested) and isinstance(fld.inner.schema, Schema):
            nested.append((key, _decoder_for(fld.inner.schema), True))

    def decode(stored: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(stored)
        for key in dates:
            value = out.get(key)
            if isinstance(value, str):
                out[key] = date.fromisoformat(value)
        for key, inner, many in nested:
            value = out.get(key)
            if value is not None:
                out[key] = [inner(v) for v in value] if many else inner(value)
        return out

    return decode


# -- loading plain input without marshmallow's machinery -------------------------------------------
#
# schema.load() costs about 60 µs for the candidate (marshmallow calls a dozen functions for each field):
# an import of 100,000 rows pays it 100,000 times. compiled_load(schema) does what load() does for the
# plain values forms and files send — strings, booleans, integers, absent or null — for the field kinds
# used here (Text, String, VNDate, Boolean, Integer), with each field's validators and the schema's own
# checks, and answers None as soon as anything is off: a value of another type, a failed check, a field
# of another kind given a value. The caller then asks marshmallow, whose answer, and every error message,
# stay the definition. tests/workflows/test_compiled_load.py checks on generated input, for every schema
# here, that whenever the compiled load answers, marshmallow answers the same.

_INVALID = object()
Convert = Callable[[Any], Any]
PlainLoad = Callable[[Mapping[str, Any]], dict[str, Any] | None]


def _text(value: Any) -> Any:
    return unicodedata.normalize("NFC", value).strip() if type(value) is str else _INVALID


def _string(value: Any) -> Any:
    return value if type(value) is str else _INVALID


def _date(value: Any) -> Any:
    if type(value) is not str:
        return _INVALID
    parsed = date_from_text(value)
    return _INVALID if parsed is None else parsed


def _integer(value: Any) -> Any:
    return value if type(value) is int else _INVALID


def _boolean(fld: fields.Boolean) -> Convert:
    def convert(value: Any) -> Any:
        if type(value) not in (bool, int, str):
            return _INVALID
        return True if value in fld.truthy else False if value in fld.falsy else _INVALID

    return convert


def _converter(fld: fields.Field) -> Convert | None:
    """How a field turns a plain value into its own, as its _deserialize does; None: not done here."""
    kind = type(fld)
    if kind is Text:
        return _text
    if kind is fields.String:
        return _string
    if kind is VNDate and fld.format in (None, "iso", "iso8601"):  # type: ignore[attr-defined]
        return _date
    if kind is fields.Integer:
        return _integer
    if kind is fields.Boolean and fld.truthy:  # type: ignore[attr-defined]
        return _boolean(fld)  # type: ignore[arg-type]
    return None


def compiled_load(schema: Schema) -> PlainLoad | None:
    """schema.load() for plain input, or None when the schema does something not done here (load hooks,
    field-level @validates, checks that want the raw input or the collection, unknown keys allowed)."""
    from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

    hooks = schema._hooks
    if hooks[PRE_LOAD] or hooks[POST_LOAD] or hooks[VALIDATES] or schema.unknown != RAISE:
        return None
    checks = []
    for attr_name, many, options in hooks[VALIDATES_SCHEMA]:
        if many or options.get("pass_original"):
            return None
        checks.append(getattr(schema, attr_name))
    steps = []
    for name, fld in schema.load_fields.items():
        if getattr(fld, "pre_load", None) or getattr(fld, "post_load", None):
            return None
        steps.append((fld.data_key or name, fld.attribute or name, fld, _converter(fld), tuple(fld.validators)))
    known = frozenset(step[0] for step in steps)

    def load(raw: Mapping[str, Any]) -> dict[str, Any] | None:
        if not raw.keys() <= known:  # a key of no field: marshmallow refuses it (RAISE)
            return None
        out: dict[str, Any] = {}
        for key, attr, fld, convert, validators in steps:
            value = raw.get(key, missing)
            if value is missing:
                if fld.required:
                    return None
                default = fld.load_default
                value = default() if callable(default) else default
                if value is not missing:
                    out[attr] = value
                continue
            if value is None:
                if not fld.allow_none:
                    return None
                out[attr] = None
                continue
            if convert is None or (value := convert(value)) is _INVALID:
                return None
            try:
                for validator in validators:
                    if validator(value) is False:
                        return None
            except ValidationError:
                return None
            out[attr] = value
        try:
            for check in checks:
                check(out, partial=schema.partial, many=False, unknown=schema.unknown)
        except ValidationError:
            return None
        return out

    return load


def codec(schema_cls: type[Schema]) -> FactCodec:
    return FactCodec(schema_cls())


_candidate = codec(CandidateSchema)


def load_candidate(raw: Mapping[str, Any]) -> dict[str, Any]:
    return _candidate(raw)
