"""Web forms built from the workflow's marshmallow schemas, so the browser, the CLI and the API validate alike.

Flask-WTF gives every form its CSRF token and renders the fields; the values are checked by the
step's marshmallow schema (through the engine), whose errors come back keyed by the field path
('introducers[0].member_id') and are shown next to the field. WTForms validates nothing itself
here beyond CSRF, so there is one set of rules and one wording of each error.

Each field type maps to one widget: dates are text boxes in dd/mm/yyyy (ISO also accepted), counts
are numeric text boxes, yes/no are checkboxes, vocabularies and people are drop-down lists, lists
of things (relatives, verification tasks, introducers) are a few rows of sub-fields, blank rows
ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from flask_wtf import FlaskForm
from marshmallow import Schema, fields, missing, validate
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from ..engine.workflow import TransitionSpec
from ..workflows import schemas as s
from ..workflows import vocab
from . import labels

ROWS = {"introducers": 2, "relatives": 4, "tasks": 5, "answers": 5}
PEOPLE = ("helper_member_id", "member_id", "probation_helper_id")
LONG_TEXT = ("reason", "note", "extension_reason")
SKIPPED = ("member",)  # resolved from the member register, never typed


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@dataclass
class FormContext:
    """The choices a form offers for one dossier (or one branch): people, organisations, earlier steps."""

    lang: str = "vi"
    members: Sequence[tuple[int, str]] = ()
    orgs: Sequence[tuple[int, str]] = ()
    mass_orgs: Sequence[tuple[int, str]] = ()
    targets: Sequence[tuple[str, str]] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)


def _choices_of(name: str, fld: fields.Field) -> list[str] | None:
    if isinstance(fld, fields.Boolean):
        return None
    for validator in getattr(fld, "validators", ()):
        if isinstance(validator, validate.OneOf):
            return [str(c) for c in validator.choices]
    return None


def _make_field(name: str, fld: fields.Field) -> Any:
    """An unbound WTForms field for one marshmallow field (labels and choices are set per request)."""
    required = bool(fld.required)
    kw: dict[str, Any] = {"render_kw": {}}
    if required:
        kw["render_kw"]["aria-required"] = "true"
    if isinstance(fld, fields.Boolean):
        return BooleanField(name, default=fld.load_default is True, **kw)
    if isinstance(fld, fields.Date):
        kw["render_kw"].update({"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "class": "date", "autocomplete": "off"})
        return StringField(name, **kw)
    if isinstance(fld, fields.List) and isinstance(fld.inner, fields.Nested) and isinstance(fld.inner.schema, Schema):
        return FieldList(FormField(_subform(type(fld.inner.schema))), min_entries=ROWS.get(name, 3), max_entries=20)
    if isinstance(fld, fields.List):
        return MultiCheckboxField(name, choices=[], validate_choice=False, **kw)
    if isinstance(fld, fields.Nested):
        return FormField(_subform(type(fld.schema)))
    if name in PEOPLE or name in ("deciding_org_id", "introducing_mass_org_id", "target_state", "gender") or _choices_of(name, fld):
        return SelectField(name, choices=[], validate_choice=False, **kw)
    if isinstance(fld, fields.Integer):
        kw["render_kw"].update({"inputmode": "numeric", "pattern": "[0-9]*", "class": "count"})
        return StringField(name, **kw)
    if name in LONG_TEXT:
        kw["render_kw"].update({"rows": 3})
        return TextAreaField(name, **kw)
    return StringField(name, **kw)


@lru_cache(maxsize=64)
def _subform(schema_cls: type[Schema]) -> type[Form]:
    attrs = {n: _make_field(n, f) for n, f in schema_cls().fields.items() if n not in SKIPPED}
    return type(f"{schema_cls.__name__}Row", (Form,), attrs)


@lru_cache(maxsize=64)
def form_class(schema_cls: type[Schema]) -> type[FlaskForm]:
    """The FlaskForm class for a schema (built once per schema)."""
    attrs = {n: _make_field(n, f) for n, f in schema_cls().fields.items() if n not in SKIPPED}
    return type(f"{schema_cls.__name__}Form", (FlaskForm,), attrs)


def _label_choices(name: str, fld: fields.Field, ctx: FormContext) -> list[tuple[str, str]] | None:
    if name in PEOPLE:
        people = [(str(i), label) for i, label in ctx.members]
        return [("", "—")] + people
    if name == "deciding_org_id":
        return [("", "—")] + [(str(i), label) for i, label in ctx.orgs]
    if name == "introducing_mass_org_id":
        return [("", "—")] + [(str(i), label) for i, label in ctx.mass_orgs]
    if name == "target_state":
        return [("", "—")] + list(ctx.targets)
    if name == "gender":
        return [("", "—")] + [(c, labels.choice_label(c, ctx.lang)) for c in ("male", "female")]
    if isinstance(fld, fields.List) and not isinstance(fld.inner, fields.Nested):
        return [(c, labels.choice_label(c, ctx.lang)) for c in vocab.VERIFY_ASPECTS_CANDIDATE]
    codes = _choices_of(name, fld)
    if codes is None:
        return None
    table = labels.CHOICES.get(name)
    blank = [] if fld.load_default not in (missing, None) else [("", "—")]
    return blank + [(c, labels.choice_label(c, ctx.lang, table)) for c in codes]


def _dress(form: Form, schema: Schema, ctx: FormContext) -> None:
    """Set labels and choices in the user's language on a bound form, recursively."""
    for name, fld in schema.fields.items():
        if name in SKIPPED:
            continue
        wt = form[name]
        wt.label.text = labels.field_label(name, ctx.lang)
        wt.flags.required = bool(fld.required)
        if isinstance(wt, FieldList):
            inner = fld.inner.schema  # type: ignore[attr-defined]
            for entry in wt.entries:
                entry.label.text = wt.label.text
                _dress(entry.form, inner, ctx)
        elif isinstance(wt, FormField):
            _dress(wt.form, fld.schema, ctx)  # type: ignore[attr-defined]
        else:
            choices = _label_choices(name, fld, ctx)
            if choices is not None:
                wt.choices = choices


def build_form(schema_cls: type[Schema], ctx: FormContext, prefix: str = "", formdata: MultiDict[str, Any] | None = None) -> FlaskForm:
    """A bound, labelled form; `formdata` None binds to the request when it was posted with this prefix."""
    cls = form_class(schema_cls)
    data = {k: v for k, v in ctx.defaults.items()}
    form = cls(formdata=formdata, prefix=prefix, data=data) if formdata is not None else cls(prefix=prefix, data=data, formdata=None)
    _dress(form, schema_cls(), ctx)
    return form


def _blank(value: Any) -> bool:
    return value is None or value == "" or value is False or value == [] or (isinstance(value, dict) and all(_blank(v) for v in value.values()))


def _untouched(row: Mapping[str, Any], schema: Schema) -> bool:
    """A row of a list the user left as it came: every value blank or the field's own default."""
    for name, value in row.items():
        fld = schema.fields.get(name)
        default = fld.load_default if fld is not None else missing
        if not (_blank(value) or (default not in (missing, None) and str(value) == str(default))):
            return False
    return True


def _clean(data: Mapping[str, Any], schema: Schema, kept: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """The values to load; `kept` receives, per list, the form rows the values came from."""
    out: dict[str, Any] = {}
    for name, fld in schema.fields.items():
        if name in SKIPPED or name not in data:
            continue
        value = data[name]
        if isinstance(fld, fields.List) and isinstance(fld.inner, fields.Nested):
            inner = fld.inner.schema
            used = [i for i, row in enumerate(value) if not _untouched(row, inner)]
            if kept is not None:
                kept[name] = used
            if used:
                out[name] = [_clean(value[i], inner) for i in used]
        elif isinstance(fld, fields.Nested):
            if not _untouched(value, fld.schema):
                out[name] = _clean(value, fld.schema)
        elif isinstance(fld, fields.Boolean):
            out[name] = bool(value)
        elif isinstance(value, str):
            if value.strip():
                out[name] = value.strip()
        elif value not in (None, []):
            out[name] = value
    return out


def raw_values(form: FlaskForm, schema_cls: type[Schema]) -> dict[str, Any]:
    """What the user typed, as the raw mapping the marshmallow schema loads (blanks left out)."""
    data = {k: v for k, v in form.data.items() if k != "csrf_token"}
    kept: dict[str, list[int]] = {}
    values = _clean(data, schema_cls(), kept)
    form.rows_kept = kept  # for error_keys(): errors of row N belong to the Nth row kept
    return values


NOT_OFFERED = "Không có trong danh sách được chọn (not one of the choices offered)."


def not_offered(raw: Mapping[str, Any], ctx: FormContext) -> dict[str, str]:
    """IDs typed in place of the offered choices (people, organisations): refused before anything is
    looked up, so a form never reveals who a foreign ID is."""
    offered = {
        "people": {str(i) for i, _label in ctx.members},
        "deciding_org_id": {str(i) for i, _label in ctx.orgs},
        "introducing_mass_org_id": {str(i) for i, _label in ctx.mass_orgs},
    }

    def check(values: Mapping[str, Any], path: str) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name, value in values.items():
            where = f"{path}.{name}" if path else name
            if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                for i, row in enumerate(value):
                    errors.update(check(row, f"{where}[{i}]"))
            elif isinstance(value, Mapping):
                errors.update(check(value, where))
            elif value not in (None, ""):
                allowed = offered["people"] if name in PEOPLE else offered.get(name)
                if allowed is not None and str(value) not in allowed:
                    errors[where] = NOT_OFFERED
        return errors

    return check(raw, "")


_INDEX = re.compile(r"\[(\d+)\]\.?")


def _row_of_form(path: str, rows: Sequence[int] | None) -> str:
    """'tasks[1].place' -> 'tasks[3].place' when the second row loaded was the form's fourth."""
    found = _INDEX.search(path)
    if not rows or found is None or int(found.group(1)) >= len(rows):
        return path
    return f"{path[:found.start()]}[{rows[int(found.group(1))]}].{path[found.end():]}".rstrip(".")


def error_keys(field_errors: Mapping[str, Any], prefix: str = "", form: Any = None) -> dict[str, list[str]]:
    """Marshmallow paths ('introducers[0].member_id') to the form's field names ('p-introducers-0-member_id').

    With the `form` whose raw_values() were loaded, a row index is mapped back to the row the user
    filled (blank rows in between were left out of what was loaded).
    """
    kept: Mapping[str, list[int]] = getattr(form, "rows_kept", {})
    out: dict[str, list[str]] = {}
    for path, messages in field_errors.items():
        path = _row_of_form(path, kept.get(path.split("[", 1)[0]))
        name = _INDEX.sub(lambda m: f"-{m.group(1)}-", path).replace(".", "-").rstrip("-")
        key = f"{prefix}-{name}" if prefix else name
        out.setdefault(key, []).extend([messages] if isinstance(messages, str) else list(messages))
    return out


def today_text(today: date) -> str:
    return f"{today:%d/%m/%Y}"


def schema_of(spec: TransitionSpec) -> type[Schema]:
    """The marshmallow schema a step's facts are validated with (the one the engine uses)."""
    if not isinstance(spec.parse, s.FactCodec):
        raise TypeError(f"{spec.trigger} has no marshmallow schema")
    return type(spec.parse.schema)


def field_names(form: Any) -> set[str]:
    """Every field name a rendered form shows, list rows and sub-forms included."""
    names: set[str] = set()
    for item in form:
        names.add(item.name)
        if isinstance(item, FieldList):
            for entry in item.entries:
                names |= field_names(entry.form)
        elif isinstance(item, FormField):
            names |= field_names(item.form)
    return names
