"""Text helpers for Vietnamese: NFC storage and a diacritic-free search key."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def search_key(text: str) -> str:
    """'Nguyễn Văn Đức' -> 'nguyen van duc': lower case, no diacritics, đ -> d, single spaces.

    A NUL counts as a space: no stored name holds one, and PostgreSQL refuses to compare text that does
    (a search typed with one would fail instead of finding nothing)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").replace("\x00", " "))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())
