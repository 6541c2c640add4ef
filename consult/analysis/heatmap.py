"""The heat map of favourable shares, one panel a figure: a dimension's groups, or a two-way crossing.

Laid out by hand in inches (the axes' data units), so that every cell has the same size whatever the labels;
each figure is at most ``MAX_WIDTH`` wide and ``MAX_HEIGHT`` high (chartparts splits long panels). The colour
scale marks the campaign's rating thresholds. A suppressed group is an empty cell saying so, never a colour.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from consult.analysis.chart_common import (
    DEFAULT_THRESHOLDS,
    MAX_WIDTH,
    RATING_STEPS,
    SHARE_COLOURS,
    STYLE,
    DimensionLabels,
    add_title,
    cell_label,
    dimension_label,
    option_label,
    ordered_codes,
    percent,
    text_colour,
    words,
)
from consult.analysis.chartparts import ChartPart, Segment


@dataclass(frozen=True)
class HeatPanel:
    """One table of the heat map: a dimension's groups (one column), or a two-way crossing."""

    title: str
    rows: list[str]
    columns: list[str]
    cells: list[list[Mapping[str, Any] | None]]


LABEL_WIDTH, CELL_HEIGHT, STRIP_CELL, TOP, SCALE_ROOM = 2.3, 0.42, 2.0, 0.6, 1.15
CELL_EDGE = {"edgecolor": "white", "linewidth": 1.5}
GAP_EDGE = {"facecolor": "white", "edgecolor": "#8a8a8a", "linewidth": 0.8, "linestyle": (0, (3, 2))}
MISSING_TEXT = {"color": "#333333", "style": "italic"}


def _one_way_panel(section: Mapping[str, Any], key: str, dims: DimensionLabels, language: str) -> HeatPanel:
    groups = {g["code"]: g for g in section["breakdowns"][key].get("groups", [])}
    codes = ordered_codes(groups, dims.get(key))
    overall = {"n": section.get("n", 0), "favourable": section.get("favourable")}
    rows = [words(language)["all"], *(option_label(dims, key, code) for code in codes)]
    return HeatPanel(dimension_label(dims, key), rows, [], [[overall], *([groups[code]] for code in codes)])


def _two_way_panel(section: Mapping[str, Any], key: str, dims: DimensionLabels) -> HeatPanel:
    first, second = key.split(":", 1)
    groups = {tuple(g["code"].split(":", 1)): g for g in section["breakdowns"][key].get("groups", [])}
    rows = ordered_codes((a for a, _ in groups), dims.get(first))
    columns = ordered_codes((b for _, b in groups), dims.get(second))
    return HeatPanel(
        f"{dimension_label(dims, first)} \u00d7 {dimension_label(dims, second)}",
        [option_label(dims, first, row) for row in rows],
        [option_label(dims, second, column) for column in columns],
        [[groups.get((row, column)) for column in columns] for row in rows],
    )


def heat_panel(
    section: Mapping[str, Any], segment: Segment, dims: DimensionLabels, language: str
) -> HeatPanel:
    """The rows ``segment`` names of one breakdown's panel."""
    key, start, stop = segment
    whole = _two_way_panel(section, key, dims) if ":" in key else _one_way_panel(section, key, dims, language)
    return HeatPanel(whole.title, whole.rows[start:stop], whole.columns, whole.cells[start:stop])


def _label_width(panel: HeatPanel) -> float:
    return LABEL_WIDTH if not panel.columns else 1.6


def _cell_width(panel: HeatPanel) -> float:
    if not panel.columns:
        return STRIP_CELL
    return min(1.3, (MAX_WIDTH - _label_width(panel) - 0.25) / len(panel.columns))


def _draw_panel(ax: Axes, panel: HeatPanel, subject: str, language: str, k: int) -> None:
    """Draws in inches from the top-left corner (the axes' data units are inches, y downwards)."""
    ax.text(0.1, TOP + 0.2, subject, fontsize=9, fontweight="bold", va="baseline")
    top = TOP + 0.3 + (0.45 if panel.columns else 0)
    left, width = 0.1 + _label_width(panel), _cell_width(panel)
    for column, label in enumerate(panel.columns):
        wrapped = textwrap.fill(label, max(6, int(width * 13)))
        ax.text(left + (column + 0.5) * width, top - 0.06, wrapped, ha="center", va="bottom", fontsize=7.5)
    for row, label in enumerate(panel.rows):
        middle = top + (row + 0.5) * CELL_HEIGHT
        ax.text(left - 0.08, middle, textwrap.fill(label, 30), ha="right", va="center", fontsize=8)
        for column, group in enumerate(panel.cells[row]):
            _draw_cell(ax, (left + column * width, top + row * CELL_HEIGHT), width, group, language, k)


def add_cell(ax: Axes, rectangle: Rectangle) -> None:
    """``add_patch`` without its update of the data limits, which cost a third of building a heat map:
    the axes' limits are set, and drawing is the same."""
    ax.add_artist(rectangle)


def _draw_cell(
    ax: Axes,
    corner: tuple[float, float],
    width: float,
    group: Mapping[str, Any] | None,
    language: str,
    k: int,
) -> None:
    centre = (corner[0] + width / 2, corner[1] + CELL_HEIGHT / 2)
    if group is not None and group.get("suppressed"):
        inset = (corner[0] + 0.04, corner[1] + 0.04)
        add_cell(ax, Rectangle(inset, width - 0.08, CELL_HEIGHT - 0.08, **GAP_EDGE))
        label = textwrap.fill(words(language)["suppressed"].format(k=k), max(10, int(width * 19)))
        ax.text(*centre, label, ha="center", va="center", fontsize=6.5, **MISSING_TEXT)
        return
    share = None if group is None else group.get("favourable")
    colour = SHARE_COLOURS(share) if share is not None else "white"
    add_cell(ax, Rectangle(corner, width, CELL_HEIGHT, facecolor=colour, **CELL_EDGE))
    style = {"color": text_colour(to_rgba(colour))} if share is not None else MISSING_TEXT
    ax.text(*centre, cell_label(group, language, k), ha="center", va="center", fontsize=7.5, **style)


def heatmap_height(panel: HeatPanel) -> float:
    return TOP + 0.3 + (0.45 if panel.columns else 0) + CELL_HEIGHT * len(panel.rows) + SCALE_ROOM


def heatmap_figure(
    section: Mapping[str, Any],
    part: ChartPart,
    dimensions: DimensionLabels,
    language: str,
    min_group_size: int,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    spelling: str = "compact",
) -> Figure:
    """One heat map panel (``part``, one segment) with its colour scale and the rating thresholds on it."""
    panel = heat_panel(section, part.segments[0], dimensions, language)
    height = heatmap_height(panel)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(MAX_WIDTH, height))
        ax = figure.add_axes((0, 0, 1, 1), xlim=(0, MAX_WIDTH), ylim=(height, 0))
        ax.axis("off")
        _draw_panel(ax, panel, part.subject, language, min_group_size)
        cax = figure.add_axes((0.12, 0.5 / height, 0.76, 0.16 / height))
        share_colourbar(figure, cax, language, thresholds, spelling)
        add_title(figure, section, words(language)["heatmap"], language)
    return figure


def share_colourbar(
    figure: Figure, cax: Axes, language: str, thresholds: Sequence[float], spelling: str
) -> None:
    """The colour scale, 0 to 100%, with a tick and a line at each rating threshold and each band's rating
    written above it."""
    from consult.gap.tsv import format_rating

    colourbar = figure.colorbar(
        ScalarMappable(Normalize(0, 1), SHARE_COLOURS), cax=cax, orientation="horizontal"
    )
    limits = [0.0, *thresholds, 1.0]
    colourbar.set_ticks(limits)
    colourbar.ax.xaxis.set_major_formatter(lambda x, _pos: percent(x, language))
    colourbar.ax.tick_params(labelsize=7)
    for threshold in thresholds:
        colourbar.ax.axvline(threshold, color="black", linewidth=1.6)
        colourbar.ax.axvline(threshold, color="white", linewidth=0.6)
    for low, high, rating in zip(limits[:-1], limits[1:], RATING_STEPS, strict=True):
        label = format_rating(rating, spelling)  # type: ignore[arg-type]
        colourbar.ax.text((low + high) / 2, 1.25, label, ha="center", va="bottom", fontsize=7.5)
    said = words(language)
    colourbar.set_label(f"{said['share']} · {said['thresholds']}", fontsize=8)
