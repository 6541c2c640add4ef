"""Pages drawn once with slots and filled per respondent: a pure module, tested without the app."""

from __future__ import annotations

from consult.surveys.respond.skeleton import Skeleton, Skeletons, Slot, fill


def drawn(slot: Slot) -> str:
    radios = f"{slot('a=1')}{slot('a=2')}"
    return f'<form action="{slot("base")}/step/1"><input value="{slot("csrf")}">{radios}</form>{slot("base")}'


def test_a_filled_skeleton_is_the_page_drawn_with_the_values():
    skeleton = Skeleton(drawn(Slot(None)))
    for fills in ({}, {"base": "/r/x", "csrf": "t"}, {"a=2": " checked", "base": "/r/y", "unrelated": "z"}):
        assert fill(skeleton, fills) == drawn(Slot(fills))


def test_filling_leaves_the_cached_skeleton_blank_for_the_next_respondent():
    cache = Skeletons(size=1)
    first = cache.get(("page",), lambda: drawn(Slot(None)))
    assert "checked" in fill(first, {"a=1": " checked"})
    assert "checked" not in fill(cache.get(("page",), lambda: "never drawn"), {})
    assert cache.get(("other",), lambda: "<p>other</p>").blank == ["<p>other</p>"]
    assert list(cache.entries) == [("other",)]
