"""Charts of a campaign's results (the results JSON of design.md), drawn with matplotlib's Agg backend.

Pure and deterministic: the same data gives the same bytes in PNG, SVG and PDF. Every figure shows its number
of respondents and fits an A4 page's text width and a 16:9 slide (``chartparts`` splits long charts); a
suppressed group is a labelled gap ("suppressed: fewer than k respondents"), never a bar or a colour.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import offset_copy

from consult.analysis.chart_common import (
    BAR_COLOUR,
    DEFAULT_THRESHOLDS,
    FORMATS,
    MAX_WIDTH,
    NEUTRAL_COLOUR,
    SHARE_COLOURS,
    STYLE,
    DimensionLabels,
    Format,
    add_title,
    cell_label,
    deterministic_zip,
    dimension_label,
    dimension_labels,
    localised,
    new_figure,
    one_way_keys,
    option_label,
    ordered_codes,
    percent,
    render,
    text_colour,
    two_way_keys,
    wilson_interval,
    words,
)
from consult.analysis.chartparts import ChartPart, chart_parts
from consult.analysis.heatmap import heatmap_figure

__all__ = [
    "FORMATS",
    "SHARE_COLOURS",
    "ChartPart",
    "DimensionLabels",
    "Format",
    "chart_parts",
    "charts_zip",
    "deterministic_zip",
    "dimension_labels",
    "distribution_figure",
    "draw_item_distribution",
    "favourable_by_group_chart",
    "favourable_by_group_figure",
    "heatmap_figure",
    "item_distribution_chart",
    "legend_columns",
    "one_way_keys",
    "render",
    "safe_entry_name",
    "section_figures",
    "text_colour",
    "two_way_keys",
    "wilson_interval",
]

# Item distribution: diverging stacked bars centred on the neutral point.

COUNT_TEXT = {"fontsize": 7, "color": "#333333"}
ITEM_LABEL_WIDTH, ITEM_LABEL_CHARS = 34, 110


def item_distribution_chart(
    section: Mapping[str, Any],
    scale_labels: Sequence[str],
    language: str,
    fmt: Format,
    item_texts: Mapping[str, str] | None = None,
) -> bytes:
    return render(distribution_figure(section, scale_labels, language, item_texts), fmt)


def distribution_figure(
    section: Mapping[str, Any],
    scale_labels: Sequence[str],
    language: str,
    item_texts: Mapping[str, str] | None = None,
    part: ChartPart | None = None,
) -> Figure:
    """The answers to the statements of ``part`` (all of them without one: callers split long sections)."""
    if part is not None:
        _key, start, stop = part.segments[0]
        section = {**section, "items": list(section.get("items", []))[start:stop]}
    items = section.get("items", [])
    subtitle = words(language)["distribution"]
    with matplotlib.rc_context(STYLE):
        figure = new_figure(MAX_WIDTH, 1.9 + 0.6 * max(len(items), 1))
        draw_item_distribution(figure.add_subplot(), section, scale_labels, language, item_texts)
        add_title(
            figure, section, f"{subtitle} ({part.subject})" if part and part.subject else subtitle, language
        )
    return figure


def agreement_colours(points: int) -> list[Any]:
    colours = list(matplotlib.colormaps["BrBG"](np.linspace(0.1, 0.9, points)))
    if points % 2:
        colours[points // 2] = matplotlib.colors.to_rgba(NEUTRAL_COLOUR)
    return colours


def draw_item_distribution(
    ax: Axes,
    section: Mapping[str, Any],
    scale_labels: Sequence[str],
    language: str,
    item_texts: Mapping[str, str] | None = None,
) -> None:
    """One bar per item, the neutral answers straddling zero: disagreement left, agreement right."""
    items = list(section.get("items", []))
    colours = agreement_colours(len(scale_labels))
    rows = np.arange(len(items))[::-1]
    for row, item in zip(rows, items, strict=True):
        _draw_item_bar(ax, row, item, colours, language)
        count = _item_count_label(item, language)
        ax.text(1.01, row, count, transform=ax.get_yaxis_transform(), va="center", **COUNT_TEXT)
    ax.set_yticks(rows, [_item_label(item, item_texts, language) for item in items], fontsize=8)
    ax.set(xlim=(-105, 105), ylim=(-0.6, len(items) - 0.4), xlabel=words(language)["answers"])
    ax.xaxis.set_major_formatter(lambda x, _pos: percent(abs(x) / 100, language))
    ax.axvline(0, color="#555555", linewidth=0.8, zorder=0.5)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    _legend_below(ax, [Patch(facecolor=c, edgecolor="#777777", linewidth=0.4) for c in colours], scale_labels)


def legend_columns(labels: Sequence[str]) -> int:
    """All entries on one line when they fit the width of a page, else on two lines."""
    return len(labels) if sum(len(label) + 6 for label in labels) <= 110 else math.ceil(len(labels) / 2)


def _legend_below(ax: Axes, handles: Sequence[Any], labels: Sequence[str]) -> None:
    """A legend a fixed distance under the axes, clear of the tick labels whatever the axes' height."""
    below_axis = offset_copy(ax.transAxes, ax.figure, y=-0.42, units="inches")
    ax.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0),
        bbox_transform=below_axis,
        ncol=legend_columns(labels),
        frameon=False,
        fontsize=8,
    )


def _item_label(item: Mapping[str, Any], item_texts: Mapping[str, str] | None, language: str) -> str:
    text = (item_texts or {}).get(item["code"]) or localised(item.get("text"), language)
    label = f"{item['code']}  {text}" if text else item["code"]
    if len(label) > ITEM_LABEL_CHARS:
        label = label[: ITEM_LABEL_CHARS - 2].rsplit(" ", 1)[0] + " …"
    return textwrap.fill(label, ITEM_LABEL_WIDTH)


def _draw_item_bar(ax: Axes, row: int, item: Mapping[str, Any], colours: list[Any], language: str) -> None:
    counts = np.asarray(item.get("counts", []), dtype=float)
    if not item.get("n") or counts.sum() == 0:
        ax.text(0, row, words(language)["no_answers"], ha="center", va="center", fontsize=8, style="italic")
        return
    shares = 100 * counts / counts.sum()
    half = len(shares) // 2
    left = -(shares[:half].sum() + (shares[half] / 2 if len(shares) % 2 else 0))
    for share, colour in zip(shares, colours, strict=True):
        ax.barh(row, share, left=left, height=0.62, color=colour, edgecolor="white", linewidth=0.5)
        if share >= 7:
            ax.text(
                left + share / 2,
                row,
                f"{share:.0f}",
                ha="center",
                va="center",
                fontsize=7,
                color=text_colour(colour),
            )
        left += share


def _item_count_label(item: Mapping[str, Any], language: str) -> str:
    label = words(language)["respondents"].format(n=item.get("n", 0))
    dont_know = int(item.get("dont_know") or 0)
    return f"{label}\n{words(language)['dont_know'].format(n=dont_know)}" if dont_know else label


def breakdown_heatmap(
    section: Mapping[str, Any], dimensions: DimensionLabels, language: str, fmt: Format, min_group_size: int
) -> bytes:
    """The first heat map panel of the section."""
    part = next(p for p in chart_parts(section, dimensions, language) if p.family == "heatmap")
    return render(heatmap_figure(section, part, dimensions, language, min_group_size), fmt)


# Favourable share of each group with its Wilson interval.

HIDDEN_GROUP_TEXT = {"fontsize": 7.5, "style": "italic", "color": "#333333"}


def _group_interval(group: Mapping[str, Any]) -> tuple[float, float]:
    interval = group.get("favourable_ci")
    return tuple(interval) if interval else wilson_interval(group["favourable"], int(group.get("n", 0)))


def _draw_group_bars(
    ax: Axes,
    section: Mapping[str, Any],
    segment: tuple[str, int, int],
    dims: DimensionLabels,
    language: str,
    k: int,
) -> None:
    key, start, stop = segment
    groups = {g["code"]: g for g in section["breakdowns"][key].get("groups", [])}
    codes = ordered_codes(groups, dims.get(key))[start:stop]
    for y, code in enumerate(codes):
        _draw_group_bar(ax, y, groups[code], language, k)
    labels = [textwrap.fill(option_label(dims, key, code), 26) for code in codes]
    ax.set_yticks(range(len(codes)), labels, fontsize=8)
    ax.set(xlim=(0, 1), ylim=(len(codes) - 0.4, -0.6))
    ax.xaxis.set_major_formatter(lambda x, _pos: percent(x, language))
    ax.tick_params(axis="y", length=0)
    ax.set_title(dimension_label(dims, key), fontsize=9, loc="left", fontweight="bold")
    if section.get("favourable") is not None:
        overall = f"{words(language)['all']} ({percent(section['favourable'], language)})"
        ax.axvline(section["favourable"], color="#444444", linestyle="--", linewidth=1, label=overall)


def _draw_group_bar(ax: Axes, y: int, group: Mapping[str, Any], language: str, k: int) -> None:
    """A group's bar and interval; a suppressed group (or one without answers) is a gap saying why."""
    if group.get("suppressed") or group.get("favourable") is None:
        said = (
            words(language)["suppressed"].format(k=k)
            if group.get("suppressed")
            else cell_label(group, language, k)
        )
        ax.text(0.01, y, f"({said})", va="center", zorder=4, **HIDDEN_GROUP_TEXT)
        return
    share = group["favourable"]
    low, high = _group_interval(group)
    ax.barh(y, share, height=0.6, color=BAR_COLOUR)
    ax.errorbar(share, y, xerr=[[share - low], [high - share]], fmt="none", ecolor="black", capsize=3)
    label = f"{percent(share, language)} · {words(language)['respondents'].format(n=group['n'])}"
    ax.text(1.01, y, label, transform=ax.get_yaxis_transform(), va="center", fontsize=8)


def favourable_by_group_figure(
    section: Mapping[str, Any],
    dimensions: DimensionLabels,
    language: str,
    min_group_size: int,
    part: ChartPart | None = None,
) -> Figure:
    """The groups of ``part``'s breakdowns (of every one-way breakdown without one)."""
    segments = part.segments if part else [(key, 0, None) for key in one_way_keys(section, dimensions)]
    heights = [_segment_rows(section, segment) + 0.9 for segment in segments] or [1.0]
    with matplotlib.rc_context(STYLE):
        figure = new_figure(MAX_WIDTH, 1.4 + 0.36 * sum(heights))
        grid = figure.add_gridspec(len(heights), 1, height_ratios=heights)
        axes = [figure.add_subplot(grid[index]) for index in range(len(segments))]
        for ax, segment in zip(axes, segments, strict=True):
            _draw_group_bars(ax, section, segment, dimensions, language, min_group_size)
        if axes and section.get("favourable") is not None:
            _legend_below(axes[-1], *axes[-1].get_legend_handles_labels())
        add_title(figure, section, words(language)["by_group"], language)
    return figure


def _segment_rows(section: Mapping[str, Any], segment: tuple[str, int, Any]) -> int:
    key, start, stop = segment
    return len(section["breakdowns"][key].get("groups", [])[start:stop])


def favourable_by_group_chart(
    section: Mapping[str, Any],
    dimensions: DimensionLabels,
    language: str,
    fmt: Format,
    min_group_size: int = 5,
) -> bytes:
    return render(favourable_by_group_figure(section, dimensions, language, min_group_size), fmt)


# Every chart of a campaign in one archive.


def section_figures(
    section: Mapping[str, Any],
    scale_labels: Sequence[str],
    dimensions: DimensionLabels,
    language: str,
    min_group_size: int,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    spelling: str = "compact",
) -> dict[str, Figure]:
    """Every chart of the section (``chart_parts``), keyed by kind."""
    figures = {}
    for part in chart_parts(section, dimensions, language):
        if part.family == "distribution":
            figures[part.kind] = distribution_figure(section, scale_labels, language, part=part)
        elif part.family == "by_group":
            figures[part.kind] = favourable_by_group_figure(
                section, dimensions, language, min_group_size, part
            )
        else:
            figures[part.kind] = heatmap_figure(
                section, part, dimensions, language, min_group_size, thresholds, spelling
            )
    return figures


SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")
"""A folder or file name in a ZIP: a safe code (spec.ITEM_CODE_PATTERN), or a file name such as ``a.png``."""


def safe_entry_name(name: str) -> str:
    """``name`` when each of its '/'-separated parts is a safe name: never empty, ``..``, hidden, or holding
    a backslash, so that unpacking the ZIP writes only inside its folder; ValueError otherwise."""
    if not all(SAFE_NAME.fullmatch(part) for part in name.split("/")):
        raise ValueError(f"unsafe ZIP entry name {name!r}")
    return name


def section_folder(code: object) -> str:
    """The folder of a section's charts: its code, or for a code that is no safe name (stored before codes
    were checked), the code with every other character replaced by '_' after a leading '_'."""
    text = str(code)
    return text if SAFE_NAME.fullmatch(text) else "_" + re.sub(r"[^A-Za-z0-9_-]", "_", text)


def charts_zip(
    results: Mapping[str, Any], scale_labels: Sequence[str], dimensions: DimensionLabels, language: str
) -> bytes:
    """A ZIP of every section's charts in PNG, SVG and PDF, named like ``P01/distribution.png``."""
    min_group_size = int(results.get("campaign", {}).get("min_group_size", 5))
    entries: dict[str, bytes] = {}
    for section in results.get("sections", []):
        if section.get("suppressed"):
            continue
        folder = section_folder(section["code"])
        figures = section_figures(section, scale_labels, dimensions, language, min_group_size)
        for name, figure in figures.items():
            entries.update(
                {safe_entry_name(f"{folder}/{name}.{fmt}"): render(figure, fmt) for fmt in FORMATS}
            )
    return deterministic_zip(sorted(entries.items()))
