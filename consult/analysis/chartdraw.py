"""Drawing every chart of a results document once, in parallel over the machine's cores.

Each figure is drawn once and saved in every format from that same figure: PNG, PDF, and an SVG whose
text stays text (editable, searchable, a fraction of the size of outlined glyphs), for downloads, the ZIP,
pages and the HTML report alike. Sections are spread over the process's shared pool of workers
(:mod:`consult.analysis.workers`): matplotlib holds the interpreter's lock while it draws, so threads would
not help.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consult.analysis.workers import ordered_map

COMPACT = "svg"
DRAWN_FORMATS = ("png", "pdf")
FILE_FORMATS = (*DRAWN_FORMATS, COMPACT)
"""What is stored of each figure. Analyses made before the SVG kept its text also stored an outlined SVG as
``svg`` and this one as ``compact.svg``: they are read as they are."""
MANIFEST = ("manifest", "json")
"""(kind, format) of the list of a section's kinds, stored last: charts stored without one (drawn before
charts were split into parts) are drawn again."""


@dataclass(frozen=True)
class ChartInputs:
    """What the charts of one results document in one language need, all of it picklable."""

    language: str
    scale_labels: Sequence[str]
    dimensions: Mapping[str, Mapping[str, Any]]
    min_group_size: int
    thresholds: tuple[float, float, float] = (0.40, 0.60, 0.75)
    spelling: str = "compact"


def compact_svg(figure) -> bytes:
    """SVG with its text as text (not outlines): a fraction of the size, for pages and the HTML report."""
    import matplotlib

    from consult.analysis.chart_common import METADATA, STYLE

    buffer = io.BytesIO()
    with matplotlib.rc_context({**STYLE, "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata=METADATA["svg"])
    return slim_svg(buffer.getvalue())


def slim_svg(svg: bytes) -> bytes:
    """The same picture in a third fewer bytes: no XML declaration or DOCTYPE (both optional), no metadata
    block, no names on groups, no line breaks between elements or inside paths (matplotlib writes one path
    command per line), no rotation by zero, coordinates to a hundredth of a point, and each style written
    once in a style sheet that the elements name by class."""
    svg = re.sub(rb"^<\?xml[^>]*\?>\s*(?:<!DOCTYPE[^>]*>\s*)?", b"", svg)
    svg = re.sub(rb"<metadata>.*?</metadata>", b"", svg, flags=re.DOTALL)
    svg = re.sub(rb'<g id="[^"]*">', b"<g>", svg)
    svg = re.sub(rb">\n\s*<", b"><", svg)
    svg = re.sub(rb' transform="rotate\(-?0 [^)"]*\)"', b"", svg)
    svg = re.sub(rb"[ \n]+(?=\"[ />])", b"", svg)
    svg = re.sub(rb" ?\n(?=[A-Za-z])", b" ", svg)
    svg = GEOMETRY.sub(lambda m: m.group(1) + HUNDREDTHS.sub(rb"\1", m.group(2)), svg)
    return styles_as_classes(svg)


GEOMETRY = re.compile(rb'( (?:d|x|y|transform)=")([^"]*)')
HUNDREDTHS = re.compile(rb"(\d\.\d\d)\d+")
"""Coordinates to a hundredth of a point (a three-hundredth of a millimetre), as no screen or printer shows
finer."""


STYLE_ATTRIBUTE = re.compile(rb' style="([^"]*)"')


def styles_as_classes(svg: bytes) -> bytes:
    """Every style used more than once moved into a ``<style>`` sheet (``.s0{...}``), named by class."""
    counts: dict[bytes, int] = {}
    for style in STYLE_ATTRIBUTE.findall(svg):
        counts[style] = counts.get(style, 0) + 1
    names = {style: b"s%d" % i for i, style in enumerate(s for s, n in counts.items() if n > 1)}
    if not names or b"</defs>" not in svg:
        return svg
    body = STYLE_ATTRIBUTE.sub(
        lambda m: b' class="%s"' % names[m.group(1)] if m.group(1) in names else m.group(0), svg
    )
    sheet = b"".join(b".%s{%s}" % (name, style) for style, name in names.items())
    return body.replace(b"</defs>", b'<style type="text/css">' + sheet + b"</style></defs>", 1)


def agg_pixels(figure):
    """The figure drawn by Agg at the PNG's resolution, as an RGB image: the pixels its PNG file would hold,
    without encoding that PNG only to decode it again. The figure is laid out first, once for every format."""
    import matplotlib
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    from consult.analysis.chart_common import PNG_DPI, STYLE

    canvas = FigureCanvasAgg(figure)
    with matplotlib.rc_context(STYLE):
        figure.set_dpi(PNG_DPI)
        lay_out_once(figure)
        figure.savefig(io.BytesIO(), format="rgba", dpi=PNG_DPI)
    return Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")


def palette_png(image) -> bytes:
    """The picture in at most 256 colours and without alpha channel: a chart's flat colours and smoothed
    text look the same in a third of the bytes, and the PDF report embeds it as it is
    (:mod:`consult.gap.pdfimages`)."""
    from PIL import Image

    flat = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    flat.save(buffer, format="PNG")
    return buffer.getvalue()


def lay_out_once(figure) -> None:
    """Solves the figure's layout with the renderer of its PNG, then removes its layout engine so that every
    format reuses those positions (the same picture in each) instead of solving it again. Removed, not set
    to matplotlib's do-nothing engine ("none"): with any engine, even that one, each save draws the figure
    twice, once only to lay it out. A ValueError leaves the positions as they were, as in matplotlib's own
    drawing."""
    engine = figure.get_layout_engine()
    if engine is None:
        return
    with contextlib.suppress(ValueError):
        engine.execute(figure)
    figure.set_layout_engine(None)


def draw_section(section: Mapping[str, Any], inputs: ChartInputs) -> dict[tuple[str, str], bytes]:
    """Every chart of one section, keyed (kind, file format): each figure drawn once, saved in each format."""
    from consult.analysis import charts

    figures = charts.section_figures(
        section,
        inputs.scale_labels,
        inputs.dimensions,
        inputs.language,
        inputs.min_group_size,
        inputs.thresholds,
        inputs.spelling,
    )
    files: dict[tuple[str, str], bytes] = {}
    for kind, figure in figures.items():
        files[(kind, "png")] = palette_png(agg_pixels(figure))
        files[(kind, "pdf")] = charts.render(figure, "pdf")
        files[(kind, COMPACT)] = compact_svg(figure)
    files[MANIFEST] = json.dumps(list(figures)).encode()
    return files


DrawJob = tuple[Mapping[str, Any], ChartInputs]
"""One section to draw, in its inputs' language."""


def _draw_one(job: DrawJob) -> tuple[str, str, dict[tuple[str, str], bytes]]:
    section, inputs = job
    return inputs.language, str(section["code"]), draw_section(section, inputs)


def draw_sections(
    jobs: Sequence[DrawJob], progress: Callable[[int, int], None] | None = None
) -> Iterator[tuple[str, str, dict[tuple[str, str], bytes]]]:
    """Each job's charts as ``(language, section code, files)`` as they are finished, ``progress(done,
    total)`` after each. Every language's sections go to the pool together: drawn language by language, the
    pool would wait for each language's last section with all but one worker idle."""
    yield from _reported(ordered_map(_draw_one, jobs), len(jobs), progress)


def _reported(finished: Iterator, total: int, progress: Callable[[int, int], None] | None) -> Iterator:
    for done, result in enumerate(finished, start=1):
        yield result
        if progress is not None:
            progress(done, total)
