from __future__ import annotations

import io
import math
import zipfile
from typing import Any
from xml.etree import ElementTree

import matplotlib.image
import numpy as np
import pytest

from consult.analysis import charts
from consult.surveys.questionnaires.spec import Dimension, Option

SCALE_EN = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
SCHOOLS = {
    "telecom-paris": "Télécom Paris",
    "imt-atlantique": "IMT Atlantique",
    "mines-ales": "IMT Mines Alès",
    "mines-saint-etienne": "Mines Saint-Étienne",
}
STAGES = {"r1": "R1 First stage", "r2": "R2 Recognised", "r3": "R3 Established", "r4": "R4 Leading"}
GENDERS = {"woman": "Woman", "man": "Man", "other": "Another gender"}
DIMENSIONS = {
    "school": {"label": "School", "options": SCHOOLS},
    "career_stage": {"label": "Career stage", "options": STAGES},
    "gender": {"label": "Gender", "options": GENDERS},
}


def wilson(share: float, n: int) -> list[float]:
    z = 1.959963984540054
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return [centre - half, centre + half]


def item(code: str, counts: list[int], dont_know: int = 0) -> dict[str, Any]:
    values = np.repeat(np.arange(1, len(counts) + 1), counts)
    favourable = (counts[3] + counts[4]) / len(values)
    return {
        "code": code,
        "n": len(values),
        "dont_know": dont_know,
        "counts": counts,
        "mean": values.mean(),
        "sd": values.std(ddof=1),
        "favourable": favourable,
        "favourable_ci": wilson(favourable, len(values)),
    }


def group(code: str, n: int, favourable: float) -> dict[str, Any]:
    return {
        "code": code,
        "n": n,
        "mean": 2.2 + 2.5 * favourable,
        "favourable": favourable,
        "suppressed": False,
    }


def hidden(code: str) -> dict[str, Any]:
    return {"code": code, "suppressed": True}


def breakdowns() -> dict[str, Any]:
    kruskal = {
        "name": "kruskal-wallis",
        "statistic": 9.1,
        "p": 0.028,
        "p_adjusted": 0.09,
        "effect_size": 0.04,
    }
    return {
        "school": {
            "groups": [
                group("telecom-paris", 96, 0.78),
                group("imt-atlantique", 88, 0.73),
                group("mines-ales", 21, 0.61),
                hidden("mines-saint-etienne"),
            ],
            "test": kruskal,
        },
        "career_stage": {
            "groups": [
                group("r1", 74, 0.66),
                group("r2", 61, 0.71),
                group("r3", 50, 0.79),
                group("r4", 24, 0.86),
            ],
            "test": kruskal,
        },
        "gender": {
            "groups": [group("woman", 92, 0.69), group("man", 117, 0.79), hidden("other")],
            "test": {
                "name": "mann-whitney",
                "statistic": 4410.0,
                "p": 0.04,
                "p_adjusted": 0.11,
                "effect_size": -0.18,
            },
        },
        "school:gender": {
            "groups": [
                group("telecom-paris:woman", 40, 0.72),
                group("telecom-paris:man", 54, 0.83),
                group("imt-atlantique:woman", 37, 0.67),
                group("imt-atlantique:man", 49, 0.78),
                hidden("mines-ales:woman"),
                hidden("mines-ales:man"),
            ],
            "test": None,
        },
    }


def section(code: str, principle: int, title: str, items: list[dict[str, Any]], rating: dict[str, Any]):
    favourable = sum(i["favourable"] * i["n"] for i in items) / sum(i["n"] for i in items)
    return {
        "code": code,
        "principle": principle,
        "title": title,
        "n": 214,
        "mean": 3.61,
        "favourable": favourable,
        "favourable_ci": wilson(favourable, sum(i["n"] for i in items)),
        "alpha": 0.81,
        "rating": rating,
        "items": items,
        "breakdowns": breakdowns(),
    }


def results_fixture() -> dict[str, Any]:
    proposed = {"suggested": "+/-", "final": None, "reason": "64% of answers are favourable (60% to 75%)."}
    decided = {"suggested": "-/+", "final": "--", "reason": "48% of answers are favourable (40% to 60%)."}
    ethics = section(
        "P01",
        1,
        "Ethics and Research Integrity",
        [
            item("P01.1", [6, 14, 31, 98, 62], dont_know=3),
            item("P01.2", [11, 25, 40, 90, 45]),
            item("P01.3", [4, 9, 22, 101, 76], dont_know=12),
        ],
        proposed,
    )
    ethics["items"][0]["text"] = "I know whom to contact about a question of research integrity at my school."
    stability = section(
        "P14",
        14,
        "Stability of Employment",
        [item("P14.1", [38, 52, 33, 60, 27]), item("P14.2", [45, 48, 40, 55, 20], dont_know=6)],
        decided,
    )
    return {
        "campaign": {
            "slug": "survey-2026",
            "title": "Researchers' survey 2026",
            "responses": 214,
            "min_group_size": 5,
        },
        "sections": [ethics, stability],
    }


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return results_fixture()


def chart_bytes(results: dict[str, Any], kind: str, fmt: str, language: str = "en") -> bytes:
    section = results["sections"][0]
    if kind == "distribution":
        return charts.item_distribution_chart(section, SCALE_EN, language, fmt)
    if kind == "heatmap":
        return charts.breakdown_heatmap(section, DIMENSIONS, language, fmt, 5)
    return charts.favourable_by_group_chart(section, DIMENSIONS, language, fmt, 5)


@pytest.mark.parametrize("kind", ["distribution", "heatmap", "by_group"])
def test_png_decodes_to_a_sizeable_image(results, kind):
    image = matplotlib.image.imread(io.BytesIO(chart_bytes(results, kind, "png")), format="png")
    assert image.shape[0] > 300 and image.shape[1] > 900
    assert image[..., :3].std() > 0.05


@pytest.mark.parametrize("kind", ["distribution", "heatmap", "by_group"])
def test_svg_is_well_formed_xml(results, kind):
    root = ElementTree.fromstring(chart_bytes(results, kind, "svg"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("kind", ["distribution", "heatmap", "by_group"])
def test_pdf_is_a_pdf_document(results, kind):
    pdf = chart_bytes(results, kind, "pdf")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") and len(pdf) > 5000


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize("kind", ["distribution", "heatmap", "by_group"])
def test_charts_are_deterministic(kind, fmt):
    assert chart_bytes(results_fixture(), kind, fmt) == chart_bytes(results_fixture(), kind, fmt)


def test_pdf_and_svg_carry_no_date(results):
    assert b"CreationDate" not in chart_bytes(results, "distribution", "pdf")
    assert b"<dc:date>" not in chart_bytes(results, "distribution", "svg")


def test_unknown_format_is_refused(results):
    with pytest.raises(ValueError, match="gif"):
        chart_bytes(results, "distribution", "gif")


def svg_text(figure) -> str:
    return " ".join(text.get_text() for text in figure.findobj(lambda a: hasattr(a, "get_text")))


def test_distribution_shows_respondents_labels_and_dont_know(results):
    text = svg_text(charts.distribution_figure(results["sections"][0], SCALE_EN, "en"))
    assert "n = 214" in text and "n = 211" in text and "3 don't know" in text
    assert "Strongly agree" in text and "P01.2" in text
    assert "I know whom to contact" in text


def test_distribution_bars_are_centred_on_the_neutral_point(results):
    figure = charts.distribution_figure(results["sections"][0], SCALE_EN, "en")
    bars = [p for p in figure.axes[0].patches if p.get_height() == pytest.approx(0.62)]
    first_item = [bar for bar in bars if bar.get_y() + 0.31 == pytest.approx(2)]
    neutral = first_item[2]
    assert neutral.get_x() == pytest.approx(-neutral.get_width() / 2)
    assert first_item[0].get_x() == pytest.approx(-100 * (6 + 14 + 15.5) / 211)


def heat_figures(section, language: str = "en", **options) -> dict:
    figures = charts.section_figures(section, SCALE_EN, DIMENSIONS, language, 5, **options)
    return {kind: figure for kind, figure in figures.items() if kind.startswith("heatmap")}


def test_the_heat_map_is_one_panel_per_breakdown_and_marks_suppressed_groups_in_french(results):
    figures = heat_figures(results["sections"][0], "fr")
    assert list(figures) == ["heatmap-1", "heatmap-2", "heatmap-3", "heatmap-4"]
    titles = [svg_text(figure) for figure in figures.values()]
    assert ["School" in titles[0], "Career stage" in titles[1], "Gender" in titles[2]] == [True] * 3
    assert "School \u00d7 Gender" in titles[3]
    text = " ".join(titles)
    assert text.count("masqué\u202f: moins de 5 répondants") == 2 and text.count("masqué") == 4
    assert "Ensemble des répondants" in text and "n = 214" in text and "78\xa0%" in text
    for figure in figures.values():
        assert not [p for ax in figure.axes for p in ax.patches if p.get_hatch()]


def test_a_suppressed_heat_map_cell_is_an_outlined_gap_without_colour(results):
    figure = heat_figures(results["sections"][0])["heatmap-1"]
    gaps = [p for p in figure.axes[0].patches if p.get_linestyle() not in ("-", "solid")]
    assert len(gaps) == 1 and gaps[0].get_facecolor()[:3] == (1.0, 1.0, 1.0)


def test_every_chart_fits_an_a4_page_and_a_16_9_slide(results):
    """A4's text width is 8.27 - 2 x 0.8 in; a 16:9 slide is 13.33 x 7.5 in."""
    many = dict(results["sections"][0])
    many["items"] = [*many["items"]] * 6
    many["breakdowns"] = {
        **many["breakdowns"],
        "school": {"groups": [group(f"s{i}", 20, 0.5) for i in range(25)]},
    }
    for section in (results["sections"][0], many):
        figures = charts.section_figures(section, SCALE_EN, DIMENSIONS, "en", 5)
        for kind, figure in figures.items():
            width, height = figure.get_size_inches()
            assert width <= 6.67 and height <= 7.5, kind
            image = matplotlib.image.imread(io.BytesIO(charts.render(figure, "png")), format="png")
            assert image.shape[1] <= 6.67 * 150 and image.shape[0] <= 7.5 * 150, kind
    kinds = list(charts.section_figures(many, SCALE_EN, DIMENSIONS, "en", 5))
    assert {"distribution", "distribution-2", "distribution-3", "by_group", "by_group-2"} <= set(kinds)
    assert len([kind for kind in kinds if kind.startswith("heatmap")]) == 6  # school in 3 panels


def test_the_colour_scale_marks_the_campaign_rating_thresholds(results):
    figure = heat_figures(results["sections"][0], thresholds=(0.5, 0.65, 0.8), spelling="plus-slash")[
        "heatmap-1"
    ]
    scale = figure.axes[1]
    assert list(scale.get_xticks()) == pytest.approx([0, 0.5, 0.65, 0.8, 1])
    assert [t.get_text() for t in scale.get_xticklabels()] == ["0%", "50%", "65%", "80%", "100%"]
    lines = {round(line.get_xdata()[0], 2) for line in scale.get_lines()}
    assert {0.5, 0.65, 0.8} <= lines
    bands = [t.get_text() for t in scale.texts]
    assert bands == ["-/-", "-/+", "+/-", "+/+"]


def test_heatmap_text_contrasts_with_its_cell():
    assert charts.text_colour(charts.SHARE_COLOURS(0.0)) == "white"
    assert charts.text_colour(charts.SHARE_COLOURS(1.0)) == "black"
    assert charts.text_colour((1.0, 1.0, 1.0)) == "black"


def test_by_group_chart_labels_suppressed_groups_and_the_overall_share(results):
    figure = charts.favourable_by_group_figure(results["sections"][0], DIMENSIONS, "en", 7)
    text = svg_text(figure)
    assert text.count("(suppressed: fewer than 7 respondents)") == 2
    assert "Mines Saint-Étienne" in text and "R4 Leading" in text and "All respondents (" in text
    assert "78% · n = 96" in text


def test_a_suppressed_group_is_a_labelled_gap_never_a_bar(results):
    section = results["sections"][0]
    figure = charts.favourable_by_group_figure(section, DIMENSIONS, "en", 5)
    school = figure.axes[0]
    bars = [p for p in school.patches if p.get_height() == pytest.approx(0.6)]
    assert sorted(round(bar.get_width(), 2) for bar in bars) == [0.61, 0.73, 0.78]
    assert not [bar for bar in bars if bar.get_y() + 0.3 == pytest.approx(3)], "no bar on the hidden row"
    labels = [t for t in school.texts if "suppressed" in t.get_text()]
    assert len(labels) == 1 and labels[0].get_position()[1] == 3
    assert "n = " not in labels[0].get_text() and "%" not in labels[0].get_text()


def test_group_interval_falls_back_to_wilson_on_the_group():
    low, high = charts.wilson_interval(0.5, 100)
    assert (low, high) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    assert charts.wilson_interval(0.0, 0) == (0.0, 1.0)


def test_dimension_labels_come_from_the_questionnaire():
    dimension = Dimension(
        "gender", {"en": "Gender", "fr": "Genre"}, (Option("woman", {"en": "Woman", "fr": "Femme"}),)
    )
    assert charts.dimension_labels([dimension], "fr") == {
        "gender": {"label": "Genre", "options": {"woman": "Femme"}}
    }


def test_charts_zip_holds_every_chart_in_every_format(results):
    archive = zipfile.ZipFile(io.BytesIO(charts.charts_zip(results, SCALE_EN, DIMENSIONS, "en")))
    names = archive.namelist()
    kinds = ("by_group", "distribution", "heatmap-1", "heatmap-2", "heatmap-3", "heatmap-4")
    expected = [
        f"{code}/{kind}.{fmt}" for code in ("P01", "P14") for kind in kinds for fmt in ("pdf", "png", "svg")
    ]
    assert names == sorted(expected)
    assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert archive.read("P01/distribution.png") == chart_bytes(results, "distribution", "png")


def test_charts_zip_is_deterministic():
    def one_section() -> dict[str, Any]:
        results = results_fixture()
        return {**results, "sections": results["sections"][1:]}

    first = charts.charts_zip(one_section(), SCALE_EN, DIMENSIONS, "en")
    assert first == charts.charts_zip(one_section(), SCALE_EN, DIMENSIONS, "en")
