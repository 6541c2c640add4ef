"""Redaction of contact details in comments, however they are written (consult.analysis.redaction)."""

from __future__ import annotations

import re
import time

import pytest

from consult.analysis.redaction import REDACTED, normalise, redact


def fullwidth(text: str) -> str:
    """``text`` in full-width characters (spaces kept): NFKC turns them back."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


ADDRESSES = [
    "jean.dupont@univ.fr",
    "jean.dupont@telecom-paris.fr",
    "Jean.Dupont+hrs4r@sub.univ-paris.fr",
    "jean dot dupont at univ dot fr",
    "jean DOT dupont AT univ DOT fr",
    "jean(at)univ(dot)fr",
    "jean (at) univ (dot) fr",
    "jean[at]univ[dot]fr",
    "jean [at] univ [point] fr",
    "jean{at}univ{dot}fr",
    "jean(a)univ.fr",
    "jean (a) univ . fr".replace(" . ", "."),
    "jean arobase univ point fr",
    "jean point dupont arobase univ point fr",
    "jean at univ.fr",
    "jean @ univ . fr",
    "jean @univ.fr",
    "jean@ univ.fr",
    "jean(@)univ.fr",
    "jean[@]univ.fr",
    "jean(at)univ.fr",
    "jean@univ[dot]fr",
    fullwidth("jean@univ.fr"),
    "jean\u200b@univ.fr",
    "jean@\u200buniv\u200c.fr",
    "je\u00adan@univ.fr",
    "jean\u2060@\ufeffuniv.fr",
    "jean\ufe6buniv.fr",
    "jéan.dupônt@univ.fr",
    "jean@univ",
]
PHONES = [
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "0612345678",
    "+33 6 12 34 56 78",
    "+33 (0)6 12 34 56 78",
    "+33 (0)1 45 81 77 77",
    "0033 6 12 34 56 78",
    "+33612345678",
    "(555) 123-4567",
    "555-123-4567",
    "+1 555 123 4567",
    "+1 (555) 123-4567",
    "+44 20 7946 0958",
    "020 7946 0958",
    "+49 30 1234567",
    "030 1234567",
    "+32 2 123 45 67",
    "02 123 45 67",
    "+41 44 668 18 00",
    "044 668 18 00",
    fullwidth("06 12 34 56 78"),
    fullwidth("+33 6 12 34 56 78"),
    "06\u200b12\u200b34\u200b56\u200b78",
    "06\u00a012\u00a034\u00a056\u00a078",
    "1234 5678 9012",
    "12.34.56.78",
]
FRAMES = [
    "Write to {} please",
    "Écrivez-moi à {} si besoin.",
    "Contact: {}.",
    "({})",
    "Mon numéro est le {}, merci de rappeler",
    "Call me on {} tomorrow",
]
INNOCENT = [
    "In 2023, 45% of R1 staff (12 of 30) waited 3.5 months; see principle 14.",
    "I have worked here for 5 years.",
    "Career stages R1 to R4 are not treated alike.",
    "About 50% of us got the training in 2023.",
    "We met at the lab and talked at length.",
    "The dot product of our goals is zero.",
    "Look at the point of view of PhD students.",
    "Look at the point it makes, at the end of the day.",
    "We looked at the dot com bubble in class.",
    "Option (a) then. Next option (b).",
    "Nous sommes au point mort, at least for now.",
    "Un point important : le télétravail à 2 jours par semaine.",
    "Les contrats de 18 à 36 mois sont trop courts.",
    "Between 2020-2023 the budget fell.",
    "The meeting on 12.03.2024 was cancelled; another on 2024-03-12.",
    "Version 1.2.3 of the charter, page 123-456.",
    "The call for 112 emergency staff.",
    "Our team (a) lacks money and (b) lacks time.",
    "Salaire brut : 2 500 € par mois, 13 mois.",
    "We are at work.",
    "See @HR on the intranet.",
    "Il y a 3 postes, 2 thèses et 1 post-doc.",
    "Arriving at 9:30 and leaving at 17:45.",
    "Ratio 1:10, score 4/5, grade A+.",
    "Tel est le cas depuis 2019 et 2021.",
    "Questions 1, 2, 3 et 4.",
    "I… waited — a lot « vraiment ».",
    "Ce n\u2019est pas à la hauteur.",
]


def cases() -> list[tuple[str, str]]:
    """Every contact in two frames, and two of them in every frame."""
    everywhere = ("jean(at)univ(dot)fr", "+44 20 7946 0958")
    return [(frame, contact) for contact in ADDRESSES + PHONES for frame in FRAMES[:2]] + [
        (frame, contact) for contact in everywhere for frame in FRAMES[2:]
    ]


def test_the_corpus_is_large_enough():
    assert len(ADDRESSES) + len(PHONES) >= 40 and len(INNOCENT) >= 20


@pytest.mark.parametrize("contact", ADDRESSES + PHONES)
def test_a_contact_alone_is_redacted_whole(contact):
    assert redact(contact) == REDACTED


@pytest.mark.parametrize(("frame", "contact"), cases())
def test_contacts_in_sentences_are_gone_and_the_rest_kept(frame, contact):
    redacted = redact(frame.format(contact))
    assert "univ" not in redacted and "@" not in redacted and "\uff20" not in redacted
    assert not re.search(r"\d", redacted)
    assert redacted == frame.format(REDACTED)


@pytest.mark.parametrize("text", INNOCENT)
def test_ordinary_text_is_unchanged(text):
    assert redact(text) == text


def test_two_contacts_and_text_between_them():
    text = "Mail jean@univ.fr or call 06 12 34 56 78; I have 5 years here."
    assert redact(text) == f"Mail {REDACTED} or call {REDACTED}; I have 5 years here."


def test_long_runs_of_digits_are_redacted():
    assert redact("Badge 123456789 lost") == f"Badge {REDACTED} lost"
    assert redact("ID 12-34-56-78") == f"ID {REDACTED}"
    assert redact("ID 1234567 kept") == "ID 1234567 kept"


def test_normalise_maps_back_to_the_text():
    normal, origin = normalise("a\u200b\uff42\u00adc")
    assert normal == "abc" and origin == [0, 2, 4]


def test_redaction_takes_linear_time_on_adversarial_text():
    texts = ["a dot " * 2000 + "b", "a.b " * 3000 + "at", "x@" * 3000, "1 " * 5000, "(at)" * 3000]
    started = time.perf_counter()
    for text in texts:
        redact(text)
    assert time.perf_counter() - started < 10


# Moved from test_disclosure.py with redact().


@pytest.mark.parametrize(
    "text",
    [
        "Write to jean.dupont@telecom-paris.fr please",
        "Call +33 6 12 34 56 78 now",
        "Call 06.12.34.56.78 now",
        "Call 06 12 34 56 78 now",
        "Call (555) 123-4567 now",
        "Call 555-123-4567 now",
        "Call +1 555 123 4567 now",
        "Call +33 (0)1 45 81 77 77 now",
    ],
)
def test_redact_hides_contacts(text):
    redacted = redact(text)
    assert "[redacted]" in redacted
    assert not any(ch.isdigit() for ch in redacted) and "@" not in redacted
    assert redacted.split()[0] == text.split()[0] and redacted.split()[-1] == text.split()[-1]


def test_redact_keeps_ordinary_numbers():
    text = "In 2023, 45% of R1 staff (12 of 30) waited 3.5 months; see principle 14."
    assert redact(text) == text
