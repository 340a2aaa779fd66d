"""The API's directory: who the token is, the organisations, the Party members and the candidates in scope."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from ...db import queries
from ...db.dossier_list import scope_org_ids
from ...engine.text import search_key
from .. import db
from ..auth import DOSSIER_READERS, me
from ..dossiers import scope_orgs
from . import allow, fail, new_blueprint, schemas
from .common import candidate_out, document_problems, org_in_scope, page_of, record_list, record_view

MEMBER_READERS = (*DOSSIER_READERS, "admin")
# The officers need members' IDs to name helpers and introducers in steps; like the web forms, they see the name,
# status and branch only. The administrator, who keeps the register, sees every field.
PRIVATE = ("date_of_birth", "gender", "citizen_id")


def _member_out(row: dict[str, Any]) -> dict[str, Any]:
    return row if me().role == "admin" else {**row, **dict.fromkeys(PRIVATE)}


def _scope_of(org_id: int | None) -> list[int] | None:
    """The organisation IDs to read: the user's scope, narrowed to `org_id`'s subtree (404 outside it)."""
    conn = db()
    if org_id is None:
        return scope_org_ids(conn, me().org_id)
    org_in_scope(org_id)
    return scope_org_ids(conn, org_id) or [o["id"] for o in queries.org_tree(conn)]


def blueprint() -> Blueprint:
    blp = new_blueprint("api_directory", "Who you are, organisations, Party members and candidates (tổ chức, đảng viên, quần chúng).")

    @blp.get("/me")
    @blp.response(200, schemas.MeOut)
    @document_problems(401)
    def who_am_i() -> Any:
        """The token's user: role and organisation (the scope of everything else)."""
        user = me()
        return {"id": user.id, "username": user.username, "full_name": user.full_name, "role": user.role, "org_id": user.org_id}

    @blp.get("/organisations")
    @blp.response(200, schemas.OrganisationList)
    @document_problems(401)
    def organisations() -> Any:
        """Every organisation in your scope, parents before their children."""
        return {"items": scope_orgs()}

    @blp.get("/organisations/<int:org_id>")
    @blp.response(200, schemas.OrganisationOut)
    @document_problems(401, 404)
    def organisation(org_id: int) -> Any:
        """One organisation of your scope."""
        return org_in_scope(org_id)

    @blp.get("/members")
    @blp.arguments(schemas.MemberArgs, location="query")
    @blp.response(200, schemas.MemberPage)
    @document_problems(401, 403, 404)
    @allow(*MEMBER_READERS)
    def members(args: dict[str, Any]) -> Any:
        """Party members ("đảng viên") of the branches in scope, by name. Date of birth, gender and citizen ID:
        the administrator only (others get null), as is finding a member by citizen ID."""
        if args.get("citizen_id") is not None and me().role != "admin":
            fail(403, "Chỉ quản trị viên tìm đảng viên theo số CCCD (only the administrator finds members by citizen ID).",
                 "forbidden")
        scope = _scope_of(args.get("org_id"))
        rows, total = queries.member_page(db(), scope, status=args.get("status"), citizen_id=args.get("citizen_id"),
                                          page=args["page"], per_page=args["per_page"])
        if me().role == "admin":
            record_list([row["id"] for row in rows])
        return page_of([_member_out(row) for row in rows], total, args)

    @blp.get("/members/<int:member_id>")
    @blp.response(200, schemas.MemberOut)
    @document_problems(401, 403, 404)
    @allow(*MEMBER_READERS)
    def member(member_id: int) -> Any:
        """One Party member of your scope."""
        rows, _total = queries.member_page(db(), scope_org_ids(db(), me().org_id), per_page=1, member_id=member_id)
        if not rows:
            fail(404, f"Không có đảng viên {member_id} trong phạm vi của bạn (no such member in your scope).", "not-found")
        return _member_out(rows[0])

    @blp.get("/candidates")
    @blp.arguments(schemas.CandidateArgs, location="query")
    @blp.response(200, schemas.CandidatePage)
    @document_problems(401, 403)
    @allow(*DOSSIER_READERS)
    def candidates(args: dict[str, Any]) -> Any:
        """People with a dossier in your scope; `citizen_id` finds one person."""
        rows, total = queries.candidate_page(db(), scope_org_ids(db(), me().org_id), citizen_id=args.get("citizen_id"),
                                             name_key=search_key(args["q"]) if args.get("q") else None,
                                             page=args["page"], per_page=args["per_page"])
        record_list([row["dossier_id"] for row in rows])
        return page_of([candidate_out(row) for row in rows], total, args)

    @blp.get("/candidates/<int:candidate_id>")
    @blp.response(200, schemas.CandidateOut)
    @document_problems(401, 403, 404)
    @allow(*DOSSIER_READERS)
    def candidate(candidate_id: int) -> Any:
        """One person with a dossier in your scope (recorded in the access log)."""
        row = queries.candidate_row(db(), candidate_id, scope_org_ids(db(), me().org_id))
        if row is None:
            fail(404, f"Không có quần chúng {candidate_id} trong phạm vi của bạn (no such candidate in your scope).", "not-found")
        record_view(row["dossier_id"], row["branch_id"])
        return candidate_out(row)

    return blp
