"""The Vietnamese catalog covers every message of the UI, with the same placeholders, and is compiled."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "ketnap/webui/translations/vi/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as fh:
        return {first(m.id) for m in read_po(fh) if m.id}


def first(value: str | tuple[str, ...] | list[str]) -> str:
    """A message or its first plural form (Vietnamese has one form)."""
    return value if isinstance(value, str) else value[0]


def po_catalog() -> dict[str, str]:
    with PO.open("rb") as fh:
        return {first(m.id): first(m.string) for m in read_po(fh, locale="vi") if m.id and not m.fuzzy}


def test_every_ui_message_has_a_vietnamese_translation(extracted: set[str]) -> None:
    catalog = po_catalog()
    missing = sorted(m for m in extracted if not catalog.get(m))
    assert not missing, "untranslated (run `make translations`, translate, run it again):\n" + "\n".join(missing)


def test_translations_keep_the_placeholders() -> None:
    wrong = [(k, v) for k, v in po_catalog().items() if set(PLACEHOLDER.findall(k)) != set(PLACEHOLDER.findall(v))]
    assert not wrong


def test_the_compiled_catalog_matches_the_source() -> None:
    with MO.open("rb") as fh:
        compiled = {first(m.id): first(m.string) for m in read_mo(fh) if m.id}
    assert compiled == po_catalog(), "messages.mo is stale: run `make translations`"
