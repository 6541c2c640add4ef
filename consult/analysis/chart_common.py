"""What every chart shares: style, words in each language, colours, labels of groups, and stable rendering.

Deterministic output: no dates in any format, fixed SVG ids, one bundled font (DejaVu Sans). Colours are
colour-blind safe: BrBG for agreement, viridis for shares.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import matplotlib
from matplotlib.figure import Figure

from consult import wording
from consult.surveys.questionnaires.spec import Dimension
from consult.wording import N_, say

Format = Literal["png", "svg", "pdf"]
FORMATS: tuple[Format, ...] = ("png", "svg", "pdf")
DimensionLabels = Mapping[str, Mapping[str, Any]]
"""dimension code -> {"label": str, "options": {option code: label}}, in display order."""

ZIP_DATE = (2000, 1, 1, 0, 0, 0)
PNG_DPI = 150
MAX_WIDTH, MAX_HEIGHT = 6.5, 7.0
"""Every chart fits the text width of an A4 page (8.27 in less two 0.8 in margins) and, at the same size,
a 16:9 slide (13.33 x 7.5 in): its height is bounded too, and a long chart is split into parts."""
DEFAULT_THRESHOLDS = (0.40, 0.60, 0.75)
"""The favourable shares separating --, -/+, +/- and ++ (the default rating rule of design.md)."""
RATING_STEPS = ("--", "-/+", "+/-", "++")
SUPPRESSED_COLOUR = "#e3e3e3"
HATCH_COLOUR = "#9a9a9a"
NEUTRAL_COLOUR = "#cfcfcf"
BAR_COLOUR = "#5b8db8"
SHARE_COLOURS = matplotlib.colormaps["viridis"]
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.hashsalt": "consult-charts",
    "svg.fonttype": "path",
    "pdf.fonttype": 3,
    "hatch.color": HATCH_COLOUR,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
METADATA: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "svg": {"Creator": None, "Date": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
}
WORDS = {
    "distribution": N_("Distribution of answers"),
    "heatmap": N_("Share of favourable answers by group"),
    "by_group": N_("Favourable answers by group, with 95% confidence intervals"),
    "respondents": N_("n = {n}"),
    "fewer": N_("fewer than {k}"),
    "all": N_("All respondents"),
    "share": N_("Share of favourable answers"),
    "answers": N_("Share of answers"),
    "dont_know": N_("{n} don't know"),
    "no_answers": N_("no answers"),
    "suppressed": N_("hidden to protect groups of fewer than {k}"),
    "part": N_("part {n} of {total}"),
    "thresholds": N_("Rating thresholds"),
}
"""The charts' labels, in English; the catalogue translates them where a chart is drawn (charts are drawn in
a pool of processes, outside the app: :func:`consult.wording.say` needs none)."""


@functools.cache
def words(language: str) -> dict[str, str]:
    return {key: say(language, text) for key, text in WORDS.items()}


@functools.lru_cache(maxsize=4096)
def percent(share: float, language: str) -> str:
    """Remembered: every drawing of a chart formats its axes' ticks again, and Babel reads the locale each
    time."""
    return wording.share(share, language)


def localised(text: str | Mapping[str, str] | None, language: str) -> str:
    """A plain or translated text in the language, falling back to English, then to any translation."""
    if text is None or isinstance(text, str):
        return text or ""
    return text.get(language) or text.get("en") or next(iter(text.values()), "")


def dimension_labels(dimensions: Iterable[Dimension], language: str) -> dict[str, dict[str, Any]]:
    """The labels the charts need, from the questionnaire's dimensions."""
    return {
        dimension.code: {
            "label": localised(dimension.label, language),
            "options": {option.code: localised(option.label, language) for option in dimension.options},
        }
        for dimension in dimensions
    }


def text_colour(background: Sequence[float]) -> str:
    """Black or white, whichever contrasts more with the background (WCAG relative luminance)."""
    channels = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in background[:3]]
    luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def wilson_interval(share: float, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    if n <= 0:
        return (0.0, 1.0)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def render(figure: Figure, fmt: Format) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r} (expected png, svg or pdf)")
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=METADATA[fmt])
    return buffer.getvalue()


def new_figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(figsize=(width, height), layout="constrained")


def add_title(figure: Figure, section: Mapping[str, Any], subtitle: str, language: str) -> None:
    heading = f"{section['code']} · {localised(section.get('title'), language)}"
    respondents = words(language)["respondents"].format(n=section.get("n", 0))
    figure.suptitle(
        f"{textwrap.fill(heading, 70)}\n{textwrap.fill(f'{subtitle} · {respondents}', 80)}",
        fontsize=9.5,
        x=0.01,
        ha="left",
    )


def chunks(count: int, size: int) -> list[range]:
    """``range(count)`` in consecutive parts of at most ``size`` (one empty part when ``count`` is 0)."""
    return [range(start, min(start + size, count)) for start in range(0, count, size)] or [range(0)]


def one_way_keys(section: Mapping[str, Any], dimensions: DimensionLabels) -> list[str]:
    breakdowns = section.get("breakdowns") or {}
    return [key for key in dict.fromkeys([*dimensions, *breakdowns]) if key in breakdowns and ":" not in key]


def two_way_keys(section: Mapping[str, Any]) -> list[str]:
    return [key for key in section.get("breakdowns") or {} if ":" in key]


def ordered_codes(codes: Iterable[str], dimension: Mapping[str, Any] | None) -> list[str]:
    known = list((dimension or {}).get("options", {}))
    found = list(dict.fromkeys(codes))
    return [code for code in known if code in found] + [code for code in found if code not in known]


def option_label(dimensions: DimensionLabels, dimension: str, option: str) -> str:
    return str(dimensions.get(dimension, {}).get("options", {}).get(option, option))


def dimension_label(dimensions: DimensionLabels, dimension: str) -> str:
    return str(dimensions.get(dimension, {}).get("label", dimension))


def cell_label(group: Mapping[str, Any] | None, language: str, min_group_size: int) -> str:
    if group is None:
        return "\u2013"
    if group.get("suppressed"):
        return words(language)["fewer"].format(k=min_group_size)
    if group.get("favourable") is None:
        return words(language)["no_answers"]
    return f"{percent(group['favourable'], language)}\n{words(language)['respondents'].format(n=group['n'])}"


COMPRESSED_ALREADY = (".png", ".pdf", ".zip", ".xlsx", ".docx", ".jpg", ".jpeg")


def deterministic_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    """Files that are compressed already are stored as they are, the others deflated at the fastest level:
    deflating PNG files gained a sixth of the size for three quarters of a ZIP's building time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            stored = name.lower().endswith(COMPRESSED_ALREADY)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content, compresslevel=None if stored else 1)
    return buffer.getvalue()
