"""Names with any Unicode, HTML or SQL in them: stored exactly (NFC-normalised), shown escaped everywhere.

Each name is registered twice, once through the web form and once through the API. The first dossier
stays a source: its page, the list, the search, the printable summary, the auditor's timeline and log
search must show the name escaped (the raw tag never, its escaped form always). The second is taken
through the API to the sympathiser list, then to an application dated years ago, so that it stands in
the sympathiser list, the dashboard's overdue list and the deadlines report (the page, its Excel and CSV
downloads), where a name that looks like a formula must stay text.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from api_world import ApiClient
from flask import Flask
from markupsafe import escape
from sqlalchemy import select
from web_world import Browser

from ketnap.db.models import Candidate, Dossier, Member, table_of
from ketnap.reports.text import guard_formula
from ketnap.webui import services
from ketnap.workflows.journey import happy_path

pytestmark = pytest.mark.db
NAMES = {
    "vietnamese_decomposed": unicodedata.normalize("NFD", "Nguyễn Thị Hằng Ánh"),
    "vietnamese_precomposed": "Đặng Thị Ngọc Hoà",
    "script": "<script>alert(1)</script>",
    "attribute": "\"'><img src=x onerror=alert(1)>",
    "sql": "Robert'); DROP TABLE candidates;--",
    "emoji": "Lê 👩‍👩‍👧‍👦 Văn 🇻🇳",
    "right_to_left": "محمد علي \u202eשרה כהן\u202c",
    "formula": "=HYPERLINK(\"http://x\",\"y\")",
    "formula_plus": "+cmd|' /C calc'!A0",
    "formula_at": "@SUM(1+1)",
    "formula_minus": "-2+3",
    "zalgo": "Z\u0351\u0352a\u0354\u0355lgo Trần",
}
START = date(2020, 1, 6)  # the API's dossiers applied years ago: overdue for their biography (R-SLA-1)


def stored_name(app: Flask, dossier_id: int) -> str:
    c, d = table_of(Candidate), table_of(Dossier)
    with services_of(app).engine.connect() as conn:
        return str(conn.execute(select(c.c.full_name).join(d, d.c.candidate_id == c.c.id).where(d.c.id == dossier_id)).scalar_one())


def services_of(app: Flask) -> Any:
    with app.app_context():
        return services()


def shows_escaped(html: str, name: str, where: str) -> None:
    assert str(escape(name)) in html, f"{where}: the name is not shown (escaped)"
    if any(char in name for char in "<>\"'&"):
        assert name not in html, f"{where}: the name is shown unescaped"
    for tag in ("<script>alert(1)", "<img src=x onerror"):
        assert tag not in html, f"{where}: {tag} unescaped"


def page(browser: Browser, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def start_of(key: str) -> date:
    """Each name's own start, each earlier than the last: the overdue lists show the dossiers waiting longest."""
    return START - timedelta(days=40 * sorted(NAMES).index(key))


def api_dossier(api: ApiClient, branch_id: int, name: str, start: date) -> int:
    body = {"branch_id": branch_id, "candidate": {"full_name": name, "date_of_birth": "1995-03-05", "gender": "female",
                                                  "education": "upper_secondary"},
            "facts": {"registered_on": start.isoformat()}}
    response = api.post("/api/v1/dossiers", json=body)
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def official_member(app: Flask, branch_id: int) -> int:
    m = table_of(Member)
    with services_of(app).engine.connect() as conn:
        return int(conn.execute(select(m.c.id).where(m.c.branch_id == branch_id, m.c.status == "official").order_by(m.c.id)).scalars().first())


@pytest.mark.parametrize("key", sorted(NAMES))
def test_a_name_is_stored_exactly_and_every_page_shows_it_escaped(app: Flask, login: Callable[[str], Browser],
                                                                 api: Callable[..., ApiClient], demo_user: Callable[[str], dict[str, Any]],
                                                                 key: str) -> None:
    name = NAMES[key]
    nfc = unicodedata.normalize("NFC", name)
    chiuy, auditor = login("chiuy"), login("kiemtra")
    branch_id = demo_user("chiuy")["org_id"]

    web_id = chiuy.add_source(name)
    assert stored_name(app, web_id) == nfc
    for url in (f"/dossiers/{web_id}", "/dossiers", f"/dossiers?{urlencode({'q': nfc})}", f"/dossiers/{web_id}/print"):
        shows_escaped(page(chiuy, url), nfc, url)
    for url in (f"/audit/dossiers/{web_id}", f"/audit/log?org={branch_id}&per_page=200"):
        shows_escaped(page(auditor, url), nfc, url)

    client = api("chiuy")
    api_id = api_dossier(client, branch_id, name, start_of(key))
    assert stored_name(app, api_id) == nfc and client.get(f"/api/v1/dossiers/{api_id}").get_json()["candidate"]["full_name"] == nfc
    helper = official_member(app, branch_id)
    journey = dict(happy_path(start_of(key), helper, (helper, helper), 0, "committee", services_of(app).workflow.calendar))
    for trigger in ("admit_to_sympathiser_list", "nominate_for_training", "record_training_certificate", "submit_application"):
        response = client.step(api_id, trigger, journey[trigger])
        assert response.status_code == 200, (trigger, response.get_json())
        if trigger == "admit_to_sympathiser_list":
            url = f"/lists/sympathisers?branch={branch_id}"
            shows_escaped(page(chiuy, url), nfc, url)
    for url in ("/", f"/reports?kind=deadlines&org={branch_id}"):
        shows_escaped(page(chiuy, url), nfc, url)

    xlsx = chiuy.get(f"/reports/deadlines.xlsx?org={branch_id}")
    assert xlsx.status_code == 200
    cells = [cell for row in openpyxl.load_workbook(io.BytesIO(xlsx.data)).active.iter_rows() for cell in row if cell.value == nfc]
    assert cells and all(cell.data_type == "s" for cell in cells), "the name is not a text cell of the Excel report"
    report = chiuy.get(f"/reports/deadlines.csv?org={branch_id}")
    assert report.status_code == 200
    rows = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig"))))
    assert any(guard_formula(nfc) in row for row in rows), "the name is not in the CSV report (as text)"
