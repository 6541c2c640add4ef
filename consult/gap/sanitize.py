"""The limited HTML of the gap-analysis texts: sanitising it, and reading it as plain text.

``clean_html`` returns safe input unchanged, byte for byte, so that a table imported and exported again is
the file the working group wrote. nh3 re-serialises what it parses (entities, attribute quotes, ``<br/>``),
so the input is kept only when it passes two independent checks: its raw tags are plain allowed tags (no
comment, declaration or other markup a browser might parse differently), and it parses to the same tags,
attributes and text as nh3's cleaned output. Otherwise the cleaned output is returned.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

from consult.textcheck import clean_text

ALLOWED_TAGS = frozenset({"p", "b", "i", "strong", "em", "ul", "ol", "li", "a", "br"})
ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href", "title"}, "ul": {"style"}, "ol": {"style"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LIST_STYLE_NONE = "list-style-type:none"
BULLETS = ("•", "·", "-", "\u2013", "*", "◦", "▪")

_PLAIN_TAG = re.compile(
    r"""</?(?:p|b|i|strong|em|ul|ol|li|a|br)(?:\s+[a-z]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*/?>""",
    re.IGNORECASE,
)
_MARKUP_START = re.compile(r"<[a-zA-Z/!?]")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute != "style":
        return value
    return value if "".join(value.split()).rstrip(";").lower() == LIST_STYLE_NONE else None


def _nh3_clean(text: str) -> str:
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        attribute_filter=_keep_attribute,
    )


def clean_html(text: str) -> str:
    """The text with only the allowed markup and no control character; safe input is returned exactly as
    given."""
    text = clean_text(text)
    cleaned = _nh3_clean(text)
    if cleaned == text or (_has_plain_markup(text) and _markup_tokens(text) == _markup_tokens(cleaned)):
        return text
    return cleaned


def _has_plain_markup(text: str) -> bool:
    return "\0" not in text and _MARKUP_START.search(_PLAIN_TAG.sub("", text)) is None


class _Tokens(HTMLParser):
    """What a fragment means: its tags with their attributes, and its text with entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, *sorted(f"{name}={value}" for name, value in attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag != "br":
            self.tokens.append(("end", tag))

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.tokens and self.tokens[-1][0] == "text":
            data = self.tokens.pop()[1] + data
        self.tokens.append(("text", data))

    def handle_comment(self, data: str) -> None:
        self.tokens.append(("comment", data))

    def handle_decl(self, decl: str) -> None:
        self.tokens.append(("declaration", decl))

    def handle_pi(self, data: str) -> None:
        self.tokens.append(("instruction", data))

    def unknown_decl(self, data: str) -> None:
        self.tokens.append(("declaration", data))


def _markup_tokens(text: str) -> list[tuple[str, ...]]:
    parser = _Tokens()
    parser.feed(text)
    parser.close()
    return parser.tokens


class _TextBlocks(HTMLParser):
    """Paragraphs and list items as lines of plain text, links followed by their address."""

    BLOCKS = frozenset({"p", "ul", "ol", "li", "br"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.pending: list[str] = []
        self.in_item = False
        self.link: str | None = None
        self.link_start = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.flush()
            self.in_item = tag == "li"
        elif tag == "a":
            self.link = dict(attrs).get("href")
            self.link_start = len(self.pending)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.flush()
        elif tag == "a" and self.link:
            label = "".join(self.pending[self.link_start :])
            if self.link.removeprefix("mailto:") not in label:
                self.pending.append(f" ({self.link})")
            self.link = None

    def handle_data(self, data: str) -> None:
        self.pending.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.pending).split())
        if text:
            bullet = "" if not self.in_item or text.startswith(BULLETS) else "• "
            self.blocks.append(bullet + text)
        self.pending = []
        self.in_item = False


def html_to_paragraphs(text: str) -> list[str]:
    """The readable text of a cell: one string per paragraph or list item ("• " before list items)."""
    parser = _TextBlocks()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.blocks


def html_to_text(text: str) -> str:
    return "\n".join(html_to_paragraphs(text))


def removed_markup(original: str, cleaned: str) -> list[str]:
    """What sanitising dropped, for the person who wrote it: elements (``<script>``) and attributes
    (``onclick``), each named once, in the order they appear."""
    kept = {token[1:] for token in _markup_tokens(cleaned) if token[0] == "start"}
    kept_tags = {tag for tag, *_ in kept}
    found: list[str] = []
    for token in _markup_tokens(original):
        if token[0] == "comment":
            found.append("<!-- -->")
        elif token[0] == "start" and token[1] not in kept_tags:
            found.append(f"<{token[1]}>")
        elif token[0] == "start":
            kept_attributes = {a.partition("=")[0] for tag, *attrs in kept if tag == token[1] for a in attrs}
            found += [a.partition("=")[0] for a in token[2:] if a.partition("=")[0] not in kept_attributes]
    return list(dict.fromkeys(found))
