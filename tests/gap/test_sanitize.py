from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.gap.sanitize import clean_html, html_to_paragraphs, html_to_text

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_gap.tsv"


def sample_cells() -> list[str]:
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    return [cell for line in lines if line.strip() for cell in line.split("\t")]


def test_every_cell_of_the_sample_comes_out_identical():
    cells = sample_cells()
    assert len(cells) == 26 * 4
    assert [clean_html(cell) for cell in cells] == cells


@pytest.mark.parametrize(
    "safe",
    [
        "<p title='x'>a</p>".replace(" title='x'", ""),
        "a &quot;quoted&quot; caf&eacute; &#39;x&#39; &gt; &amp;",
        "<p>first<br/>second</p>",
        "<a href='https://example.org/?a=1&amp;b=2' title='Charter'>the charter</a>",
        '<a href="mailto:hr@example.org">HR</a>',
        '<ol style="list-style-type:none;"><li><em>one</em></li><li><strong>two</strong></li></ol>',
        "<p>2 < 3 and 5 > 4</p>",
    ],
)
def test_safe_markup_is_returned_exactly_as_written(safe):
    assert clean_html(safe) == safe


@pytest.mark.parametrize(
    ("hostile", "cleaned"),
    [
        ("<p>a</p><script>alert(1)</script>", "<p>a</p>"),
        ('<p onclick="steal()">a</p>', "<p>a</p>"),
        ("<b><img src=x onerror=alert(1)>b</b>", "<b>b</b>"),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="&#106;avascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "<a>x</a>"),
        (
            '<a href="https://example.org" target="_blank" onmouseover="x()">x</a>',
            '<a href="https://example.org">x</a>',
        ),
        ('<iframe src="https://evil.example"></iframe>text', "text"),
        ("<style>p { color: red }</style>text", "text"),
        ("<svg onload=alert(1)><circle r=1 /></svg>text", "text"),
        ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
        ('<ul style="background:url(https://evil.example/x.png)"><li>a</li></ul>', "<ul><li>a</li></ul>"),
        ('<ol style="list-style-type: none; background: red"><li>a</li></ol>', "<ol><li>a</li></ol>"),
        ('<p style="list-style-type: none">a</p>', "<p>a</p>"),
        ("<blink>unknown</blink> <marquee>tags</marquee>", "unknown tags"),
        ("<p>a<!-- comment --></p>", "<p>a</p>"),
        ("<<script>script>alert(1)<</script>/script>", "&lt;/script&gt;"),
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', '&lt;p title=""&gt;'),
        ('<p lang="fr" title="x" class="c" id="i">a</p>', "<p>a</p>"),
        ("<b/onmouseover=alert(1)>x</b>", "<b>x</b>"),
    ],
)
def test_hostile_markup_is_removed(hostile, cleaned):
    assert clean_html(hostile) == cleaned


def test_a_safe_looking_fragment_with_a_hidden_handler_is_not_kept():
    sneaky = '<p>a</p><a href="https://example.org"\tonclick="x()">b</a>'
    assert "onclick" not in clean_html(sneaky)


FRAGMENTS = [
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    '<ul style="list-style-type: none">',
    "<li>",
    "</li>",
    "</ul>",
    "<script>",
    "</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:x()">',
    "</a>",
    '<a href="https://example.org">',
    "<!--",
    "-->",
    "&amp;",
    "&lt;",
    "<",
    ">",
    '"',
    "'",
    "text ",
    "<svg>",
    "<style>",
    "onclick=",
    "<br/>",
    "<i>",
    "</i>",
]
ALLOWED = {
    "p": set(),
    "b": set(),
    "i": set(),
    "strong": set(),
    "em": set(),
    "br": set(),
    "li": set(),
    "ul": {"style"},
    "ol": {"style"},
    "a": {"href", "title"},
}


def unsafe_value(attribute: str, value: str) -> bool:
    if attribute == "href":
        has_scheme = re.match(r"\s*[a-z][a-z0-9+.-]*:", value, re.IGNORECASE)
        return bool(has_scheme) and not re.match(r"(https?|mailto):", value)
    return attribute == "style" and "".join(value.split()).rstrip(";") != "list-style-type:none"


class MarkupAudit(HTMLParser):
    """Everything in the markup that a browser could act on, other than the allowed tags and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            self.problems.append(tag)
        for name, value in attrs:
            if name not in ALLOWED.get(tag, set()):
                self.problems.append(f"{tag}[{name}]")
            elif unsafe_value(name, value or ""):
                self.problems.append(value)

    def handle_comment(self, data):
        self.problems.append("comment")

    def handle_decl(self, decl):
        self.problems.append("declaration")


def problems_in(markup: str) -> list[str]:
    audit = MarkupAudit()
    audit.feed(markup)
    audit.close()
    return audit.problems


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
def test_output_is_never_dangerous_and_cleaning_is_idempotent(fragment):
    cleaned = clean_html(fragment)
    assert problems_in(cleaned) == []
    assert clean_html(cleaned) == cleaned


def test_the_audit_finds_what_the_sanitiser_removes():
    assert problems_in('<p onclick="x">a</p><a href="javascript:x()">b</a><!-- c --><script></script>') == [
        "p[onclick]",
        "javascript:x()",
        "comment",
        "script",
    ]


def test_html_becomes_paragraphs_and_bullets():
    html = (
        '<p>First &amp; <b>bold</b>.</p> <ul style="list-style-type: none"> <li>•already bulleted</li> '
        '<li>plain item</li> </ul> <p>See <a href="https://example.org/charter">the charter</a>.</p>'
        '<p>Write to <a href="mailto:hr@example.org">hr@example.org</a></p>'
    )
    assert html_to_paragraphs(html) == [
        "First & bold.",
        "•already bulleted",
        "• plain item",
        "See the charter (https://example.org/charter).",
        "Write to hr@example.org",
    ]


def test_html_to_text_joins_paragraphs_with_line_breaks():
    assert html_to_text("<p>one</p><p>two<br>three</p>") == "one\ntwo\nthree"
    assert html_to_text("") == ""
    assert html_to_text("bare text") == "bare text"
