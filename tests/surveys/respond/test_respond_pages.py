"""The respondent's pages as plain data: steps, reading a posted page, packing the answers. No app needed."""

from __future__ import annotations

from dataclasses import replace

from consult.surveys.questionnaires import spec
from consult.surveys.respond.pages import (
    COMMENT_LIMIT,
    build_layout,
    first_open_step,
    merge_page,
    offers_prefer_not,
    pack_answers,
    pack_profile,
    read_page,
    submitted_comments,
)
from tests.conftest import small_questionnaire


def form(**fields: str) -> dict[str, list[str]]:
    return {name.replace("__", "-").replace("_", "."): [value] for name, value in fields.items()}


def test_one_step_per_pillar_then_about_you_then_review():
    layout = build_layout(small_questionnaire())
    assert [(s.number, s.kind, s.pillar) for s in layout.steps] == [
        (1, "questions", 1),
        (2, "questions", 3),
        (3, "about", None),
        (4, "review", None),
    ]
    assert layout.steps[0].title["en"] == "Ethics, Integrity, Gender and Open Science"
    assert layout.steps[1].title["fr"] == "Conditions et pratiques de travail"


def test_sections_of_one_pillar_share_a_page():
    q = small_questionnaire()
    q = replace(q, sections=(q.sections[0], replace(q.sections[1], pillar=1)))
    layout = build_layout(q)
    assert [s.kind for s in layout.steps] == ["questions", "about", "review"]
    assert [s.code for s in layout.steps[0].sections] == ["P01", "P14"]


def test_one_step_per_section_without_a_charter_and_no_about_without_dimensions():
    q = replace(small_questionnaire(), charter=None, dimensions=())
    layout = build_layout(q)
    assert [(s.kind, s.title.get("en")) for s in layout.steps] == [
        ("questions", "Ethics"),
        ("questions", "Stability"),
        ("review", None),
    ]


def test_one_page_per_principle_keeps_the_pillar_as_a_kicker():
    q = small_questionnaire()
    q = replace(q, sections=(q.sections[0], replace(q.sections[1], pillar=1)))
    layout = build_layout(q, "principle")
    assert [(s.kind, s.pillar, [x.code for x in s.sections]) for s in layout.steps[:2]] == [
        ("questions", 1, ["P01"]),
        ("questions", 1, ["P14"]),
    ]
    assert layout.steps[0].title["en"] == "Ethics"


def test_adaptive_pages_hold_about_eight_statements_and_never_split_a_section():
    from consult.surveys.questionnaires.charter_templates import load_template

    q = load_template("charter-2023")
    layout = build_layout(q, "adaptive")
    pages = [s for s in layout.steps if s.kind == "questions"]
    assert sum(len(s.sections) for s in pages) == len(q.sections)
    for page in pages:
        assert len(page.sections) == 1 or sum(len(x.items) for x in page.sections) <= 8
    assert len(pages) < len(q.sections)
    assert len(build_layout(q, "principle").steps) == len(q.sections) + 2


def test_a_valid_page_is_read_whole():
    q = small_questionnaire()
    step = build_layout(q).steps[0]
    page = read_page(
        q,
        step,
        {
            "item-P01.1": ["5"],
            "item-P01.2": ["DK"],
            "comment-P01": ["  Fine.\r\n"],
            "csrf_token": ["x"],
            "action": ["next"],
        },
    )
    assert page.problems == []
    assert page.answers == {"P01.1": 5, "P01.2": "DK"}
    assert page.comments == {"P01": "Fine."}


def test_every_bad_field_is_named_and_the_valid_ones_kept():
    q = small_questionnaire()
    step = build_layout(q).steps[0]
    page = read_page(
        q,
        step,
        {
            "item-P01.1": ["6"],
            "item-P01.2": ["4"],
            "item-P14.1": ["3"],
            "item-NOPE": ["1"],
            "comment-P01": ["x" * (COMMENT_LIMIT + 1)],
            "forged": ["1"],
        },
    )
    assert page.answers == {"P01.2": 4}
    assert {(p.kind, p.field) for p in page.problems} == {
        ("out_of_scale", "item-P01.1"),
        ("unknown_field", "item-P14.1"),
        ("unknown_field", "item-NOPE"),
        ("too_long", "comment-P01"),
        ("unknown_field", "forged"),
    }


def test_values_that_are_not_answers_are_refused():
    q = small_questionnaire(dont_know=False)
    step = build_layout(q).steps[0]
    for value, kind in (
        ("0", "out_of_scale"),
        ("-1", "out_of_scale"),
        ("4.0", "out_of_scale"),
        ("DK", "dont_know_off"),
        ("٣", "out_of_scale"),
    ):
        page = read_page(q, step, {"item-P01.1": [value]})
        assert [p.kind for p in page.problems] == [kind], value
        assert page.answers == {}


def test_a_field_sent_twice_with_two_values_is_refused():
    q = small_questionnaire()
    page = read_page(q, build_layout(q).steps[0], {"item-P01.1": ["2", "4"]})
    assert [p.kind for p in page.problems] == ["repeated"]


def test_a_comment_at_the_limit_is_kept_and_windows_line_breaks_count_once():
    q = small_questionnaire()
    text = "ab\r\n" * (COMMENT_LIMIT // 3)
    page = read_page(q, build_layout(q).steps[0], {"comment-P01": [text]})
    assert page.problems == [] and len(page.comments["P01"]) <= COMMENT_LIMIT


def test_about_you_accepts_options_and_prefer_not_to_say_only():
    q = small_questionnaire()
    about = build_layout(q).step_of_kind("about")
    page = read_page(q, about, {"profile-school": ["south"], "profile-career_stage": [""]})
    assert page.problems == [] and page.profile == {"school": "south", "career_stage": ""}
    forged = read_page(q, about, {"profile-school": ["east"], "profile-gender": ["woman"]})
    assert {(p.kind, p.field) for p in forged.problems} == {
        ("unknown_option", "profile-school"),
        ("unknown_field", "profile-gender"),
    }


def test_merging_a_page_replaces_only_its_own_fields():
    q = small_questionnaire()
    layout = build_layout(q)
    draft = {"answers": {"P01.1": 2, "P14.1": 3}, "comments": {"P01": "old"}, "profile": {}}
    page = read_page(q, layout.steps[0], {"item-P01.2": ["5"]})
    merged = merge_page(q, layout.steps[0], draft, page)
    assert merged["answers"] == {"P14.1": 3, "P01.2": 5}
    assert merged["comments"] == {} and merged["step"] == 1


def test_answers_pack_one_byte_per_item_in_questionnaire_order():
    q = small_questionnaire()
    assert pack_answers(q, {"P14.1": 5, "P01.1": "DK"}) == bytes([spec.DONT_KNOW, 0, 5])
    assert pack_answers(q, {"P01.1": 9, "P01.2": True, "P14.1": "3"}) == bytes(3)
    no_dk = small_questionnaire(dont_know=False)
    assert pack_answers(no_dk, {"P01.1": "DK"}) == bytes(3)


def test_profile_packs_option_positions_and_zero_when_not_stated():
    q = small_questionnaire()
    assert pack_profile(q, {"school": "south", "career_stage": "R3"}) == bytes([2, 3])
    assert pack_profile(q, {"school": "", "career_stage": "R9"}) == bytes([0, 0])


def test_only_comments_of_sections_that_take_one_are_submitted():
    q = small_questionnaire()
    comments = {"P01": " kept ", "P14": "dropped", "P99": "dropped", "P02": "x" * (COMMENT_LIMIT + 1)}
    assert submitted_comments(q, comments) == [("P01", "kept")]


def test_a_returning_respondent_continues_after_the_last_saved_step():
    layout = build_layout(small_questionnaire())
    assert first_open_step(layout, {}).number == 1
    assert first_open_step(layout, {"step": 2}).number == 3
    assert first_open_step(layout, {"step": 99}).kind == "review"


def test_prefer_not_to_say_is_added_unless_the_dimension_has_its_own():
    q = small_questionnaire()
    own = spec.Dimension(
        "gender",
        {"en": "Gender"},
        (spec.Option("woman", {"en": "Woman"}), spec.Option("prefer-not", {"en": "Prefer not"})),
    )
    assert not offers_prefer_not(q.dimensions[0])
    assert offers_prefer_not(own)
