"""What the administration pages accept: users, organisations and party members, as marshmallow schemas.

Each schema checks what can be judged from the typed values alone and answers in Vietnamese (with the
English in brackets) keyed by the field's name, which is also the form field's name. What needs the
database (a user name or code already taken, an organisation outside the administrator's scope, the
parent's level) is checked by the views with the messages and `level_problem` below, so every
message about admin input is written here once.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from ..engine.service import local_today
from ..passwords import password_problem
from ..workflows import vocab
from ..workflows.schemas import Base, Text, check_citizen_id_agrees, citizen_id_field, flag, one_of, optional_date, required_date

USERNAME_TAKEN = "Tên đăng nhập này đã có người dùng (this user name is taken)."
CODE_TAKEN = "Mã này đã được dùng cho tổ chức khác (this code is taken)."
ORG_REQUIRED = "Chọn tổ chức đảng của người dùng; chỉ quản trị viên mới được để trống (choose the organisation)."
ORG_OUT_OF_SCOPE = "Chọn một tổ chức trong phạm vi quản lý của bạn (choose an organisation in your scope)."
ORG_INACTIVE = "Tổ chức này đã ngừng hoạt động (this organisation is inactive)."
NOT_A_BRANCH = "Chọn một chi bộ (chi bộ trực thuộc hoặc chi bộ cơ sở) (choose a branch)."
PASSWORDS_DIFFER = "Hai lần nhập mật khẩu không khớp (the two passwords differ)."
SELF_DEMOTE = "Bạn không thể tự bỏ quyền quản trị của mình (you cannot take away your own administrator role)."
SELF_DEACTIVATE = "Bạn không thể tự khóa tài khoản của mình (you cannot deactivate yourself)."
CITIZEN_ID_TAKEN = "Số CCCD này đã có ở đảng viên khác (another member has this citizen ID)."
IN_FUTURE = "Ngày này ở tương lai (this date is in the future)."

USERNAME = validate.Regexp(
    r"^[a-z0-9][a-z0-9._-]{2,79}$",
    error="Tên đăng nhập gồm 3–80 chữ thường không dấu, chữ số hoặc . _ - (3–80 lower-case letters, digits, . _ -).",
)
ORG_CODE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,59}$",
    error="Mã gồm tối đa 60 chữ cái không dấu, chữ số hoặc . _ - (up to 60 letters, digits, . _ -).",
)


def length(low: int, high: int) -> validate.Length:
    return validate.Length(min=low, max=high, error="Cần từ {min} đến {max} ký tự (between {min} and {max} characters).")


def level_problem(parent_level: str, level: str) -> str | None:
    """Why an organisation of `level` cannot sit under one of `parent_level`: its rank must be greater."""
    parent_label, parent_rank = vocab.ORG_LEVELS[parent_level]
    if vocab.ORG_LEVELS[level][1] > parent_rank:
        return None
    return (f"Cấp này không thể trực thuộc «{parent_label}»: phải là cấp dưới của tổ chức cấp trên "
            f"(the level must be below the parent's level).")


# -- users -------------------------------------------------------------------------------------


class NewPassword(Base):
    """A password typed twice; `account` is the user name it must not contain, when the form has none."""

    password = fields.String(required=True, validate=validate.Length(max=200, error="Tối đa {max} ký tự (at most {max} characters)."))
    password_again = fields.String(required=True)

    def __init__(self, *, account: str = "", **kwargs: Any):
        super().__init__(**kwargs)
        self.account = account

    @validates_schema(skip_on_field_errors=False)
    def _acceptable(self, data: dict[str, Any], **kwargs: Any) -> None:
        password = data.get("password")
        if password is None:
            return
        if problem := password_problem(password, data.get("username") or self.account):
            raise ValidationError({"password": problem})
        if data.get("password_again") != password:
            raise ValidationError({"password_again": PASSWORDS_DIFFER})


class UserFields(Base):
    """Who the user is and where they work: every role but the administrator belongs to an organisation."""

    full_name = Text(required=True, validate=length(2, 200))
    role = fields.String(required=True, validate=one_of(vocab.ROLES))
    org_id = fields.Integer(load_default=None, allow_none=True, strict=False)

    @validates_schema(skip_on_field_errors=False)
    def _organisation(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("role") not in (None, "admin") and data.get("org_id") is None:
            raise ValidationError({"org_id": ORG_REQUIRED})


class UserCreate(UserFields, NewPassword):
    username = Text(required=True, validate=USERNAME)


class UserEdit(UserFields):
    active = flag()


class PasswordReset(NewPassword):
    pass


# -- organisations -----------------------------------------------------------------------------


class OrgEdit(Base):
    name = Text(required=True, validate=length(2, 300))
    may_admit = flag()
    has_committee = flag()
    active = flag()


class OrgCreate(Base):
    parent_id = fields.Integer(required=True, strict=False)
    name = Text(required=True, validate=length(2, 300))
    code = Text(required=True, validate=ORG_CODE)
    level_code = fields.String(required=True, validate=one_of(vocab.ORG_LEVELS))
    may_admit = flag()
    has_committee = flag()


# -- party members -----------------------------------------------------------------------------


class MemberSchema(Base):
    """A party member ("đảng viên"): an official member has the date they became official."""

    full_name = Text(required=True, validate=length(2, 200))
    date_of_birth = optional_date()
    gender = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["male", "female"]))
    status = fields.String(required=True, validate=one_of(vocab.MEMBER_STATUSES))
    branch_id = fields.Integer(required=True, strict=False)
    joined_on = required_date()
    official_since = optional_date()
    exempt = flag()
    is_committee_member = flag()
    citizen_id = citizen_id_field()

    @validates_schema(skip_on_field_errors=False)
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors: dict[str, str] = {}
        today = local_today()
        for name in ("date_of_birth", "joined_on", "official_since"):
            if data.get(name) is not None and data[name] > today:
                errors[name] = IN_FUTURE
        joined, official, born = data.get("joined_on"), data.get("official_since"), data.get("date_of_birth")
        if data.get("status") == "official" and official is None and "official_since" not in errors:
            errors["official_since"] = "Đảng viên chính thức phải có ngày được công nhận chính thức (required for an official member)."
        elif data.get("status") == "probationary" and official is not None:
            errors["official_since"] = "Đảng viên dự bị chưa có ngày chính thức; để trống (leave empty for a probationary member)."
        elif joined is not None and official is not None and official < joined and "official_since" not in errors:
            errors["official_since"] = "Ngày chính thức không được trước ngày vào Đảng (cannot be before the date of joining)."
        if born is not None and joined is not None and joined <= born and "joined_on" not in errors:
            errors["joined_on"] = "Ngày vào Đảng phải sau ngày sinh (must be after the date of birth)."
        if errors:
            raise ValidationError(errors)

    @validates_schema(skip_on_field_errors=False)
    def _citizen_id_agrees(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_citizen_id_agrees(data)
