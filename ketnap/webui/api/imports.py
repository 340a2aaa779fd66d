"""The API's bulk import of sources ("nguồn") from a CSV or XLSX file: the same import as the web page and `ketnap import`.

The file comes as multipart/form-data (field `file`) or as the whole body (Content-Type text/csv or the XLSX
type, `filename` in the query string naming the format when it is not clear). A dry run answers 200 with
every row's outcome and every bad row's line and column; a real run writes every new person in one
transaction and answers 201, or, if any row is bad, writes nothing and answers 422 listing each problem.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ...db.source_import import import_sources
from .. import db_session, services
from ..auth import me
from . import allow, fail, new_blueprint, schemas
from .common import document_problems
from .problems import problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BODY = {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}},
    "text/csv": {"schema": {"type": "string"}},
    XLSX: {"schema": {"type": "string", "format": "binary"}},
}}


class FileOut(Schema):
    name = fields.String(required=True)
    format = fields.String(required=True, allow_none=True)
    encoding = fields.String(required=True, allow_none=True)
    delimiter = fields.String(required=True, allow_none=True)
    sheet = fields.String(required=True, allow_none=True)


class CountsOut(Schema):
    rows = fields.Integer(required=True)
    new = fields.Integer(required=True)
    created = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    error = fields.Integer(required=True)
    errors = fields.Integer(required=True)


class RowOut(Schema):
    line = fields.Integer(required=True)
    citizen_id = fields.String(required=True, allow_none=True)
    full_name = fields.String(required=True, allow_none=True)
    status = fields.String(required=True, metadata={"description": "new, created, unchanged or error"})
    dossier_id = fields.Integer(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)


class ImportProblemOut(Schema):
    line = fields.Integer(required=True, allow_none=True, metadata={"description": "Line in the file (header = 1); null: the whole file."})
    column = fields.String(required=True, allow_none=True, metadata={"description": "The column's title as written in the file."})
    field = fields.String(required=True, allow_none=True)
    message = fields.String(required=True)


class ImportReportOut(Schema):
    ok = fields.Boolean(required=True)
    dry_run = fields.Boolean(required=True)
    file = fields.Nested(FileOut, required=True)
    counts = fields.Nested(CountsOut, required=True)
    rows = fields.List(fields.Nested(RowOut), required=True)
    errors = fields.List(fields.Nested(ImportProblemOut), required=True)


def _upload() -> tuple[bytes, str]:
    """The file's bytes and name, from a multipart field `file` or the whole body."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            fail(422, "Gửi tệp trong trường 'file' (send the file in the field 'file').", "invalid-input",
                 errors=[{"field": "file", "pointer": "#/file", "detail": "Bắt buộc (required)."}])
        return upload.read(), upload.filename or ""
    if request.mimetype not in ("text/csv", "text/plain", XLSX, "application/octet-stream", ""):
        fail(415, f"Gửi tệp CSV hoặc XLSX, không phải {request.mimetype} (send a CSV or XLSX file).", "unsupported-media-type")
    name = request.args.get("filename", "")
    if not name:
        name = "sources.xlsx" if request.mimetype == XLSX else "sources.csv"
    return request.get_data(), name


def blueprint() -> Blueprint:
    blp = new_blueprint("api_imports", "Bulk import of sources from CSV or XLSX (nhập danh sách nguồn).")

    @blp.post("/imports/sources")
    @blp.arguments(schemas.ImportArgs, location="query")
    @blp.doc(requestBody=BODY)
    @blp.response(201, ImportReportOut, description="Imported: every new person written (a real run).")
    @blp.alt_response(200, schema=ImportReportOut, description="A dry run: every row checked, nothing written.", success=True)
    @document_problems(401, 403, 415, 422)
    @allow("branch_committee", "grassroots_staff")
    def import_file(args: dict[str, Any]) -> Any:
        """Import sources: dry_run=true checks every row; otherwise all rows are written, or none if one is bad."""
        data, name = _upload()
        db_session().rollback()  # the import reads and writes through its own connections
        report = import_sources(services().engine, services().workflow, me().actor, data, name, args["dry_run"],
                                via="api", remote_addr=request.remote_addr)
        body = report.to_dict()
        if args["dry_run"]:
            return body, 200
        if not report.ok:
            errors = [{"field": e.column or e.field or "", "pointer": "#/file", "line": e.line, "detail": e.message}
                      for e in report.errors if e.line is not None]
            whole = [e.message for e in report.errors if e.line is None]
            detail = (f"{len(report.errors)} lỗi trong tệp; không có gì được ghi (problems in the file; nothing was written)."
                      + (" " + " ".join(whole) if whole else ""))
            return problem(422, detail, "import-refused", errors=errors)
        return body, 201

    return blp
