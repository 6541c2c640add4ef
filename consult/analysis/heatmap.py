"""The heat map of favourable shares: each dimension's groups as strips, then each two-way crossing.

Laid out by hand in inches (the axes' data units), so that every cell has the same size whatever the labels.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from consult.analysis.chart_common import (
    SHARE_COLOURS,
    STYLE,
    SUPPRESSED_COLOUR,
    DimensionLabels,
    add_title,
    cell_label,
    dimension_label,
    one_way_keys,
    option_label,
    ordered_codes,
    percent,
    text_colour,
    two_way_keys,
    words,
)


@dataclass(frozen=True)
class HeatPanel:
    """One table of the heat map: a dimension's groups (one column), or a two-way crossing."""

    title: str
    rows: list[str]
    columns: list[str]
    cells: list[list[Mapping[str, Any] | None]]


LABEL_WIDTH, CELL_HEIGHT, STRIP_WIDTH, PAGE_WIDTH, TOP = 1.6, 0.42, 3.0, 9.0, 0.8
CELL_EDGE = {"edgecolor": "white", "linewidth": 1.5}
MISSING_TEXT = {"color": "#333333", "style": "italic"}
LABEL_BOX = {"facecolor": SUPPRESSED_COLOUR, "edgecolor": "none", "pad": 1}


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


def _panel_height(panel: HeatPanel) -> float:
    return 0.3 + (0.4 if panel.columns else 0) + CELL_HEIGHT * len(panel.rows) + 0.3


def _cell_width(panel: HeatPanel) -> float:
    if not panel.columns:
        return STRIP_WIDTH - LABEL_WIDTH - 0.2
    return min(1.3, (PAGE_WIDTH - LABEL_WIDTH - 0.2) / len(panel.columns))


def _draw_panel(ax: Axes, panel: HeatPanel, x: float, y: float, language: str, k: int) -> None:
    """Draws in inches from the top-left corner (the axes' data units are inches, y downwards)."""
    ax.text(x, y + 0.2, panel.title, fontsize=9, fontweight="bold", va="baseline")
    top, left, width = y + 0.3 + (0.4 if panel.columns else 0), x + LABEL_WIDTH, _cell_width(panel)
    for column, label in enumerate(panel.columns):
        wrapped = textwrap.fill(label, int(width * 13))
        ax.text(left + (column + 0.5) * width, top - 0.06, wrapped, ha="center", va="bottom", fontsize=8)
    for row, label in enumerate(panel.rows):
        middle = top + (row + 0.5) * CELL_HEIGHT
        ax.text(left - 0.08, middle, textwrap.fill(label, 24), ha="right", va="center", fontsize=8)
        for column, group in enumerate(panel.cells[row]):
            _draw_cell(ax, (left + column * width, top + row * CELL_HEIGHT), width, group, language, k)


def _draw_cell(
    ax: Axes,
    corner: tuple[float, float],
    width: float,
    group: Mapping[str, Any] | None,
    language: str,
    k: int,
) -> None:
    suppressed = bool(group and group.get("suppressed"))
    share = None if group is None or suppressed else group.get("favourable")
    colour = SHARE_COLOURS(share) if share is not None else (SUPPRESSED_COLOUR if suppressed else "white")
    hatch = "///" if suppressed else None
    ax.add_patch(Rectangle(corner, width, CELL_HEIGHT, facecolor=colour, hatch=hatch, **CELL_EDGE))
    style = {"color": text_colour(to_rgba(colour))} if share is not None else MISSING_TEXT
    centre = (corner[0] + width / 2, corner[1] + CELL_HEIGHT / 2)
    label = cell_label(group, language, k)
    ax.text(
        *centre,
        label,
        ha="center",
        va="center",
        fontsize=7.5,
        bbox=LABEL_BOX if suppressed else None,
        **style,
    )


def _heat_panels(section: Mapping[str, Any], dims: DimensionLabels, language: str) -> list[list[HeatPanel]]:
    """The panels in lines: up to three one-way strips side by side, then each two-way table on its own."""
    strips = [_one_way_panel(section, key, dims, language) for key in one_way_keys(section, dims)]
    per_line = int(PAGE_WIDTH // STRIP_WIDTH)
    lines = [strips[i : i + per_line] for i in range(0, len(strips), per_line)]
    return lines + [[_two_way_panel(section, key, dims)] for key in two_way_keys(section)]


def breakdown_figure(
    section: Mapping[str, Any], dimensions: DimensionLabels, language: str, min_group_size: int
) -> Figure:
    lines = _heat_panels(section, dimensions, language)
    heights = [max(_panel_height(panel) for panel in line) for line in lines]
    height = TOP + sum(heights) + 0.9
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(PAGE_WIDTH, height))
        ax = figure.add_axes((0, 0, 1, 1), xlim=(0, PAGE_WIDTH), ylim=(height, 0))
        ax.axis("off")
        for line, top in zip(lines, TOP + np.cumsum([0, *heights[:-1]]), strict=True):
            for index, panel in enumerate(line):
                _draw_panel(ax, panel, 0.1 + index * STRIP_WIDTH, top, language, min_group_size)
        _share_colourbar(figure, figure.add_axes((0.33, 0.45 / height, 0.34, 0.15 / height)), language)
        add_title(figure, section, words(language)["heatmap"], language)
    return figure


def _share_colourbar(figure: Figure, cax: Axes, language: str) -> None:
    colourbar = figure.colorbar(
        ScalarMappable(Normalize(0, 1), SHARE_COLOURS), cax=cax, orientation="horizontal"
    )
    colourbar.ax.xaxis.set_major_formatter(lambda x, _pos: percent(x, language))
    colourbar.ax.tick_params(labelsize=7)
    colourbar.set_label(words(language)["share"], fontsize=8)
