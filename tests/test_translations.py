"""The French catalogue: complete, faithful to each message's placeholders and tags, compiled, and covering
every text the code and templates ask to translate (extracted again here with babel.cfg)."""

from __future__ import annotations

import io
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "consult"
BABEL_CFG = ROOT / "babel.cfg"
MESSAGES_DIR = PACKAGE / "translations" / "fr" / "LC_MESSAGES"
PO_FILE = MESSAGES_DIR / "messages.po"
MO_FILE = MESSAGES_DIR / "messages.mo"

KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(
    r"%\([A-Za-z_]\w*\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%|%[#0 +-]*\d*(?:\.\d+)?[dfis]|\{\w*\}"
)
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
GETTEXT_CALL = re.compile(r"\b(?:_|gettext|ngettext)\(")


@cache
def catalogue() -> Catalog:
    with PO_FILE.open("rb") as po:
        return read_po(po)


def messages() -> list[Message]:
    return [message for message in catalogue() if message.id]


def message_key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def forms(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@cache
def extracted() -> tuple[tuple[str, str], ...]:
    """(file relative to consult/, msgid) for every translatable text, as ``pybabel extract`` finds them."""
    with BABEL_CFG.open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, str(BABEL_CFG))
    found = extract_from_dir(PACKAGE, method_map, options_map, keywords=KEYWORDS)
    return tuple((filename, forms(message)[0]) for filename, _line, message, _comments, _context in found)


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def html_tags(text: str) -> Counter[str]:
    return Counter(HTML_TAG.findall(text))


def compiled(catalog: Catalog) -> dict[tuple[str, ...], tuple[str, ...]]:
    return {tuple(forms(message.id)): tuple(forms(message.string)) for message in catalog if message.id}


def test_catalogue_is_french_with_two_plural_forms() -> None:
    assert str(catalogue().locale) == "fr"
    assert catalogue().num_plurals == 2
    assert catalogue().plural_expr == "(n > 1)"


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    untranslated = [message_key(m) for m in messages() if not all(form.strip() for form in forms(m.string))]
    fuzzy = [message_key(m) for m in messages() if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert not catalogue().fuzzy


def test_catalogue_keeps_no_obsolete_entry() -> None:
    assert list(catalogue().obsolete) == []


def test_plural_messages_have_one_translation_per_plural_form() -> None:
    plural = [m for m in messages() if m.pluralizable]
    assert all(len(forms(m.string)) == catalogue().num_plurals for m in plural)


@pytest.mark.parametrize("message", messages(), ids=message_key)
def test_translation_keeps_the_placeholders(message: Message) -> None:
    sources = [placeholders(text) for text in forms(message.id)]
    for translation in forms(message.string):
        assert placeholders(translation) in sources, translation


@pytest.mark.parametrize("message", messages(), ids=message_key)
def test_translation_keeps_the_html_tags(message: Message) -> None:
    for translation in forms(message.string):
        assert html_tags(translation) == html_tags(forms(message.id)[0]), translation


def test_compiled_catalogue_matches_the_po_file() -> None:
    fresh = io.BytesIO()
    write_mo(fresh, catalogue())
    fresh.seek(0)
    with MO_FILE.open("rb") as mo:
        assert compiled(read_mo(mo)) == compiled(read_mo(fresh))


def test_extraction_reads_every_template_folder() -> None:
    files_with_texts = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("templates/**/*.html")
        if GETTEXT_CALL.search(path.read_text(encoding="utf-8"))
    }
    extracted_files = {filename for filename, _ in extracted()}
    assert files_with_texts, "no template asks for a translation"
    assert files_with_texts - extracted_files == set()


def test_every_extracted_text_is_in_the_catalogue() -> None:
    known = {message_key(m) for m in messages()}
    missing = sorted({f"{filename}: {text}" for filename, text in extracted() if text not in known})
    assert missing == [], "run the commands at the top of babel.cfg, then translate:\n" + "\n".join(missing)
