"""Administration (role admin): user accounts, the organisation tree and the register of party members.

Thin like the other blueprints: a Flask-WTF form carries the CSRF token and what was typed, the
marshmallow schemas of admin_schemas judge it, and what needs the database (a name already taken,
an organisation outside the administrator's scope, a parent's level) is checked here before the one
write, committed as one transaction. An administrator with an organisation manages only its subtree;
anything outside answers 404. Nothing is deleted: dossiers and the audit log refer to users,
organisations and members, so they are deactivated instead (members keep their record).

A deactivated user cannot sign in, and their open sessions end at their next request because
auth.load_user only loads active users; a password reset ends them through the password fingerprint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import Schema
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, PasswordField, SelectField, StringField

from ..db.models import Member, Organisation, User, table_of
from ..db.queries import subtree_ids
from ..engine.errors import BadInput
from ..engine.text import search_key
from ..passwords import hash_password
from ..workflows import vocab
from ..workflows.schemas import FactCodec
from . import admin_schemas as a
from . import db, db_session, labels
from .args import int_arg
from .auth import me, roles_required
from .dossiers import scope_orgs
from .forms import raw_values
from .i18n import fmt_date, lang

bp = Blueprint("admin", __name__, url_prefix="/admin")
_u = table_of(User)
_o = table_of(Organisation)
_m = table_of(Member)

PER_PAGE = 50
Errors = dict[str, list[str]]
DATE_BOX = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "class": "date", "autocomplete": "off"}


# -- forms: labels and widgets; the schemas in admin_schemas do the checking --------------------


class UserFieldsForm(FlaskForm):
    full_name = StringField(_l("Full name"))
    role = SelectField(_l("Role"), validate_choice=False)
    org_id = SelectField(_l("Organisation"), validate_choice=False)


class UserCreateForm(UserFieldsForm):
    username = StringField(_l("User name"), render_kw={"autocomplete": "off", "autocapitalize": "none"})
    password = PasswordField(_l("Initial password"), render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(_l("Initial password again"), render_kw={"autocomplete": "new-password"})


class UserEditForm(UserFieldsForm):
    active = BooleanField(_l("Active (may sign in)"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(_l("New password again"), render_kw={"autocomplete": "new-password"})


class OrgEditForm(FlaskForm):
    name = StringField(_l("Organisation name"))
    may_admit = BooleanField(_l("Authorised to admit new members"))
    has_committee = BooleanField(_l("Has a committee"))
    active = BooleanField(_l("Active"))


class OrgCreateForm(FlaskForm):
    parent_id = SelectField(_l("Parent organisation"), validate_choice=False)
    name = StringField(_l("Organisation name"))
    code = StringField(_l("Code"))
    level_code = SelectField(_l("Level"), validate_choice=False)
    may_admit = BooleanField(_l("Authorised to admit new members"))
    has_committee = BooleanField(_l("Has a committee"))


class MemberForm(FlaskForm):
    full_name = StringField(_l("Full name"))
    date_of_birth = StringField(_l("Date of birth"), render_kw=DATE_BOX)
    gender = SelectField(_l("Gender"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    branch_id = SelectField(_l("Branch"), validate_choice=False)
    joined_on = StringField(_l("Joined the Party on"), render_kw=DATE_BOX)
    official_since = StringField(_l("Official member since"), render_kw=DATE_BOX)
    exempt = BooleanField(_l("Exempt from Party activities"))
    is_committee_member = BooleanField(_l("Member of the branch committee"))
    citizen_id = StringField(_l("Citizen ID number"), render_kw={"inputmode": "numeric", "autocomplete": "off"})


PASSWORDS = ("password", "password_again")


def _mark_required(form: FlaskForm, schema: Schema) -> None:
    """Star the fields the schema requires (the form itself checks nothing but the CSRF token)."""
    for name, fld in schema.fields.items():
        if name in form and fld.required:
            form[name].flags.required = True
            form[name].render_kw = {**(form[name].render_kw or {}), "aria-required": "true"}


def _parse(form: FlaskForm, schema: Schema) -> tuple[dict[str, Any], Errors]:
    """The form's values loaded by `schema`, or the errors keyed by field name (passwords taken as typed)."""
    raw = raw_values(form, type(schema))
    raw.update({name: form[name].data for name in PASSWORDS if name in form and form[name].data})
    try:
        return FactCodec(schema)(raw), {}
    except BadInput as err:
        return {}, err.field_errors


def _form_page(template: str, errors: Errors, **context: Any) -> tuple[str, int]:
    return render_template(template, errors=errors, **context), 422 if errors else 200


# -- scope -------------------------------------------------------------------------------------


def _indented(org: Mapping[str, Any]) -> str:
    return "\u00a0\u00a0\u00a0" * int(org["depth"]) + str(org["name"])


def _choices(orgs: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(o["id"]), _indented(o)) for o in orgs]


def _code_choices(table: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [("", "—")] + [(code, labels.choice_label(code, lang(), table)) for code in table]


def _level_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(code, label) for code, (label, _rank) in vocab.ORG_LEVELS.items()]


def _org_or_404(org_id: int, orgs: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    found = next((o for o in orgs if o["id"] == org_id), None)
    if found is None:
        abort(404)
    return found


def _org_problem(org_id: int | None, orgs: Sequence[Mapping[str, Any]], current: int | None = None) -> str | None:
    """Why a user or member may not be put in `org_id`: outside the scope, or newly assigned to an inactive one."""
    if org_id is None:
        return a.ORG_OUT_OF_SCOPE if me().org_id is not None else None
    org = next((o for o in orgs if o["id"] == org_id), None)
    if org is None:
        return a.ORG_OUT_OF_SCOPE
    if not org["active"] and org_id != current:
        return a.ORG_INACTIVE
    return None


# -- overview ----------------------------------------------------------------------------------


@bp.get("/")
@roles_required("admin")
def index() -> str:
    orgs = scope_orgs()
    ids = [o["id"] for o in orgs]
    users = db().execute(select(func.count()).select_from(_u).where(*_user_scope(), _u.c.active.is_(True))).scalar_one()
    members = db().execute(select(func.count()).select_from(_m).where(_m.c.branch_id.in_(ids))).scalar_one()
    return render_template("admin_index.html", users=users, orgs=len(orgs), members=members)


# -- users -------------------------------------------------------------------------------------


def _user_scope() -> list[ColumnElement[bool]]:
    """Users an administrator manages: those of their subtree (everyone when they have no organisation)."""
    root = me().org_id
    return [] if root is None else [_u.c.org_id.in_(subtree_ids(root))]


def _user_or_404(user_id: int) -> Any:
    row = db().execute(select(_u).where(_u.c.id == user_id, *_user_scope())).first()
    if row is None:
        abort(404)
    return row


@bp.get("/users")
@roles_required("admin")
def users() -> str:
    rows = db().execute(select(_u.c.id, _u.c.username, _u.c.full_name, _u.c.role, _u.c.org_id, _u.c.active)
                        .where(*_user_scope()).order_by(_u.c.active.desc(), _u.c.username)).all()
    names = {o["id"]: o["name"] for o in scope_orgs()}
    return render_template("admin_users.html", rows=rows, org_names=names)


def _dress_user_form(form: UserFieldsForm, orgs: Sequence[Mapping[str, Any]], schema: Schema) -> None:
    form.role.choices = _code_choices(vocab.ROLES)
    form.org_id.choices = _choices(orgs)
    _mark_required(form, schema)


def _username_taken(username: str) -> bool:
    return db().execute(select(_u.c.id).where(func.lower(_u.c.username) == username.lower())).first() is not None


def _create_user(form: UserCreateForm, orgs: Sequence[Mapping[str, Any]]) -> Errors:
    data, errors = _parse(form, a.UserCreate())
    if errors:
        return errors
    if problem := _org_problem(data["org_id"], orgs):
        errors["org_id"] = [problem]
    if _username_taken(data["username"]):
        errors["username"] = [a.USERNAME_TAKEN]
    if errors:
        return errors
    values = {k: data[k] for k in ("username", "full_name", "role", "org_id")}
    try:
        db().execute(_u.insert().values(**values, password_hash=hash_password(data["password"]), active=True))
        db_session().commit()
    except IntegrityError:
        db_session().rollback()
        return {"username": [a.USERNAME_TAKEN]}
    return {}


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def user_new() -> Any:
    orgs = scope_orgs()
    form = UserCreateForm()
    _dress_user_form(form, orgs, a.UserCreate())
    errors: Errors = {}
    if form.validate_on_submit():
        errors = _create_user(form, orgs)
        if not errors:
            flash(_("User %(name)s created.", name=form.username.data), "success")
            return redirect(url_for("admin.users"))
    return _form_page("admin_user_form.html", errors, form=form, user=None)


def _self_errors(user_id: int, form: UserEditForm) -> Errors:
    """An administrator may not lock themself out: no demoting or deactivating their own account."""
    if user_id != me().id:
        return {}
    errors: Errors = {}
    if form.role.data != "admin":
        errors["role"] = [a.SELF_DEMOTE]
    if not form.active.data:
        errors["active"] = [a.SELF_DEACTIVATE]
    return errors


def _update_user(user: Any, form: UserEditForm, orgs: Sequence[Mapping[str, Any]]) -> Errors:
    data, errors = _parse(form, a.UserEdit())
    errors = {**errors, **_self_errors(user.id, form)}
    if not errors and (problem := _org_problem(data["org_id"], orgs, current=user.org_id)):
        errors["org_id"] = [problem]
    if errors:
        return errors
    db().execute(_u.update().where(_u.c.id == user.id).values(**data))
    db_session().commit()
    return {}


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_edit(user_id: int) -> Any:
    user = _user_or_404(user_id)
    orgs = scope_orgs()
    defaults = {"full_name": user.full_name, "role": user.role, "org_id": str(user.org_id or ""), "active": user.active}
    form = UserEditForm(data=None if request.method == "POST" else defaults)
    _dress_user_form(form, orgs, a.UserEdit())
    errors: Errors = {}
    if form.validate_on_submit():
        errors = _update_user(user, form, orgs)
        if not errors:
            flash(_("User %(name)s saved.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return _form_page("admin_user_form.html", errors, form=form, user=user)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required("admin")
def user_password(user_id: int) -> Any:
    user = _user_or_404(user_id)
    if user.id == me().id:
        return redirect(url_for("auth.change_password"))
    form = PasswordResetForm()
    schema = a.PasswordReset(account=user.username)
    _mark_required(form, schema)
    errors: Errors = {}
    if form.validate_on_submit():
        data, errors = _parse(form, schema)
        if not errors:
            db().execute(_u.update().where(_u.c.id == user.id).values(password_hash=hash_password(data["password"])))
            db_session().commit()
            flash(_("The password of %(name)s has been reset; their open sessions are signed out.", name=user.username), "success")
            return redirect(url_for("admin.users"))
    return _form_page("admin_password.html", errors, form=form, user=user)


# -- organisations -----------------------------------------------------------------------------


def _official_counts(orgs: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    """Official members in each organisation's subtree (orgs in tree order, parents first)."""
    query = select(_m.c.branch_id, func.count()).where(_m.c.status == "official").group_by(_m.c.branch_id)
    direct = {row[0]: row[1] for row in db().execute(query)}
    totals = {o["id"]: direct.get(o["id"], 0) for o in orgs}
    for org in reversed(orgs):
        if org["parent_id"] in totals:
            totals[org["parent_id"]] += totals[org["id"]]
    return totals


@bp.get("/orgs")
@roles_required("admin")
def orgs() -> str:
    tree = scope_orgs()
    return render_template("admin_orgs.html", orgs=tree, counts=_official_counts(tree), levels=vocab.ORG_LEVELS)


def _code_taken(code: str) -> bool:
    return db().execute(select(_o.c.id).where(func.lower(_o.c.code) == code.lower())).first() is not None


def _create_org(form: OrgCreateForm, tree: Sequence[Mapping[str, Any]]) -> tuple[int | None, Errors]:
    data, errors = _parse(form, a.OrgCreate())
    if errors:
        return None, errors
    parent = next((o for o in tree if o["id"] == data["parent_id"]), None)
    if parent is None or not parent["active"]:
        errors["parent_id"] = [a.ORG_OUT_OF_SCOPE if parent is None else a.ORG_INACTIVE]
    elif problem := a.level_problem(parent["level_code"], data["level_code"]):
        errors["level_code"] = [problem]
    if _code_taken(data["code"]):
        errors["code"] = [a.CODE_TAKEN]
    if errors:
        return None, errors
    try:
        new_id = db().execute(_o.insert().values(**data, settings={}, active=True).returning(_o.c.id)).scalar_one()
        db_session().commit()
    except IntegrityError:
        db_session().rollback()
        return None, {"code": [a.CODE_TAKEN]}
    return new_id, {}


@bp.route("/orgs/new", methods=["GET", "POST"])
@roles_required("admin")
def org_new() -> Any:
    tree = scope_orgs()
    parent = request.args.get("parent", "")
    form = OrgCreateForm(data=None if request.method == "POST" else {"parent_id": parent, "has_committee": True})
    form.parent_id.choices = _choices([o for o in tree if o["active"]])
    form.level_code.choices = _level_choices()
    _mark_required(form, a.OrgCreate())
    errors: Errors = {}
    if form.validate_on_submit():
        new_id, errors = _create_org(form, tree)
        if new_id is not None:
            flash(_("Organisation %(name)s created.", name=form.name.data), "success")
            return redirect(url_for("admin.orgs", _anchor=f"org-{new_id}"))
    return _form_page("admin_org_form.html", errors, form=form, org=None)


@bp.route("/orgs/<int:org_id>", methods=["GET", "POST"])
@roles_required("admin")
def org_edit(org_id: int) -> Any:
    org = _org_or_404(org_id, scope_orgs())
    defaults = {k: org[k] for k in ("name", "may_admit", "has_committee", "active")}
    form = OrgEditForm(data=None if request.method == "POST" else defaults)
    _mark_required(form, a.OrgEdit())
    errors: Errors = {}
    if form.validate_on_submit():
        data, errors = _parse(form, a.OrgEdit())
        if not errors:
            db().execute(_o.update().where(_o.c.id == org_id).values(**data))
            db_session().commit()
            flash(_("Organisation %(name)s saved.", name=data["name"]), "success")
            return redirect(url_for("admin.orgs", _anchor=f"org-{org_id}"))
    return _form_page("admin_org_form.html", errors, form=form, org=org)


# -- party members -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _with_branch() -> Select[Any]:
    return select(*_m.c, _o.c.name.label("branch_name")).join(_o, _o.c.id == _m.c.branch_id)


def find_members(root: int | None, status: str | None, search: str, page: int) -> MemberPage:
    """A page of members of the subtree of `root` (everyone when None), by name.

    `members` has no folded-name column, so a search folds the names of the filtered members in
    Python (two short columns; some 25 ms for a district's 4,000) and then reads the full rows of
    the one page it shows.
    """
    where: list[ColumnElement[bool]] = []
    if root is not None:
        where.append(_m.c.branch_id.in_(subtree_ids(root)))
    if status is not None:
        where.append(_m.c.status == status)
    offset = (page - 1) * PER_PAGE
    key = search_key(search)
    if key:
        names = db().execute(select(_m.c.id, _m.c.full_name).where(*where).order_by(_m.c.full_name, _m.c.id))
        found = [row.id for row in names if key in search_key(row.full_name)]
        shown = found[offset:offset + PER_PAGE]
        by_id = {row.id: dict(row._mapping) for row in db().execute(_with_branch().where(_m.c.id.in_(shown)))}
        return MemberPage([by_id[i] for i in shown], len(found), page)
    total = db().execute(select(func.count()).select_from(_m).where(*where)).scalar_one()
    rows = db().execute(_with_branch().where(*where).order_by(_m.c.full_name, _m.c.id).limit(PER_PAGE).offset(offset))
    return MemberPage([dict(row._mapping) for row in rows], total, page)


@bp.get("/members")
@roles_required("admin")
def members() -> str:
    tree = scope_orgs()
    org_id = int_arg("org")
    if org_id is not None and org_id not in {o["id"] for o in tree}:
        org_id = None
    status = request.args.get("status") if request.args.get("status") in vocab.MEMBER_STATUSES else None
    search = request.args.get("q", "")[:100]
    root = org_id if org_id is not None else me().org_id
    page = find_members(root, status, search, max(1, int_arg("page") or 1))
    return render_template("admin_members.html", page=page, orgs=tree, org_id=org_id, status=status, search=search,
                           statuses=vocab.MEMBER_STATUSES)


def _branches(tree: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [o for o in tree if o["level_code"] in vocab.DOSSIER_LEVELS]


def _member_form(branches: Sequence[Mapping[str, Any]], defaults: Mapping[str, Any] | None) -> MemberForm:
    form = MemberForm(data=None if request.method == "POST" else defaults)
    form.gender.choices = [("", "—")] + [(code, labels.choice_label(code, lang())) for code in ("male", "female")]
    form.status.choices = _code_choices(vocab.MEMBER_STATUSES)
    form.branch_id.choices = [("", "—")] + [(str(b["id"]), b["name"]) for b in branches]
    _mark_required(form, a.MemberSchema())
    return form


def _save_member(form: MemberForm, branches: Sequence[Mapping[str, Any]], member: Any = None) -> tuple[int | None, Errors]:
    """Insert (member None) or update a member; returns its ID, or the errors and nothing written."""
    data, errors = _parse(form, a.MemberSchema())
    if errors:
        return None, errors
    if problem := _org_problem(data["branch_id"], branches, current=member.branch_id if member is not None else None):
        errors["branch_id"] = [a.NOT_A_BRANCH if problem == a.ORG_OUT_OF_SCOPE else problem]
    if data["citizen_id"] is not None:
        same = select(_m.c.id).where(_m.c.citizen_id == data["citizen_id"])
        if member is not None:
            same = same.where(_m.c.id != member.id)
        if db().execute(same).first() is not None:
            errors["citizen_id"] = [a.CITIZEN_ID_TAKEN]
    if errors:
        return None, errors
    if member is None:
        member_id = db().execute(_m.insert().values(**data).returning(_m.c.id)).scalar_one()
    else:
        member_id = member.id
        db().execute(_m.update().where(_m.c.id == member_id).values(**data))
    db_session().commit()
    return member_id, {}


@bp.route("/members/new", methods=["GET", "POST"])
@roles_required("admin")
def member_new() -> Any:
    branches = _branches(scope_orgs())
    form = _member_form(branches, {"status": "official"})
    errors: Errors = {}
    if form.validate_on_submit():
        member_id, errors = _save_member(form, branches)
        if member_id is not None:
            flash(_("Member %(name)s added.", name=form.full_name.data), "success")
            return redirect(url_for("admin.member_edit", member_id=member_id))
    return _form_page("admin_member_form.html", errors, form=form, member=None)


def _member_defaults(member: Any) -> dict[str, Any]:
    dates = {name: fmt_date(getattr(member, name)) for name in ("date_of_birth", "joined_on", "official_since")}
    return {"full_name": member.full_name, "gender": member.gender or "", "status": member.status, "branch_id": str(member.branch_id),
            "exempt": member.exempt, "is_committee_member": member.is_committee_member, "citizen_id": member.citizen_id or "", **dates}


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@roles_required("admin")
def member_edit(member_id: int) -> Any:
    tree = scope_orgs()
    member = db().execute(select(_m).where(_m.c.id == member_id, _m.c.branch_id.in_([o["id"] for o in tree]))).first()
    if member is None:
        abort(404)
    branches = _branches(tree)
    form = _member_form(branches, _member_defaults(member))
    errors: Errors = {}
    if form.validate_on_submit():
        saved, errors = _save_member(form, branches, member)
        if saved is not None:
            flash(_("Member %(name)s saved.", name=form.full_name.data), "success")
            return redirect(url_for("admin.member_edit", member_id=member_id))
    return _form_page("admin_member_form.html", errors, form=form, member=member)
