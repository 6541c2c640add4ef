"""Chart files as stored and shipped: the ZIP (same bytes for the same files, compressed files stored as they
are) and the slim SVG of pages and reports."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

from consult.analysis.chart_common import deterministic_zip

FILES = [
    ("en/01_distribution.png", b"\x89PNG" + bytes(range(256)) * 40),
    ("en/01_distribution.svg", b"<svg>" * 4000),
]


def test_compressed_files_are_stored_and_text_is_deflated():
    archive = zipfile.ZipFile(io.BytesIO(deterministic_zip(FILES)))
    kinds = {info.filename: info.compress_type for info in archive.infolist()}
    assert kinds == {
        "en/01_distribution.png": zipfile.ZIP_STORED,
        "en/01_distribution.svg": zipfile.ZIP_DEFLATED,
    }
    svg = archive.getinfo("en/01_distribution.svg")
    assert svg.compress_size < svg.file_size / 10
    assert {name: archive.read(name) for name, _ in FILES} == dict(FILES)


def test_the_same_files_give_the_same_bytes():
    assert deterministic_zip(FILES) == deterministic_zip(list(FILES))


def test_slim_svg_draws_the_same_elements_in_fewer_bytes():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from consult.analysis.chartdraw import slim_svg

    figure = Figure()
    axes = figure.add_subplot()
    axes.bar([1, 2, 3], [3, 1, 2], color=["#1b7837", "#1b7837", "#b2182b"])
    axes.set_title("Réponses favorables")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    original = buffer.getvalue()
    slim = slim_svg(original)
    assert len(slim) < 0.8 * len(original)
    tree, before = ElementTree.fromstring(slim), ElementTree.fromstring(original)
    assert [e.tag for e in tree.iter() if e.tag.endswith(("path", "text", "use"))] == [
        e.tag for e in before.iter() if e.tag.endswith(("path", "text", "use"))
    ]
    assert b"<metadata>" not in slim and b'class="s0"' in slim and b".s0{" in slim
    assert slim.startswith(b"<svg ")


def _bar_figure():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 3), layout="constrained")
    axes = figure.add_subplot()
    axes.barh(["R1", "R2", "R3"], [0.43, 0.61, 0.72], color=["#1b7837", "#a6d96a", "#b2182b"])
    axes.set_title("Réponses favorables")
    return figure


def _saved_png(figure) -> bytes:
    import matplotlib

    from consult.analysis.chart_common import STYLE

    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="png", dpi=150)
    return buffer.getvalue()


def test_a_chart_is_drawn_with_the_pixels_and_layout_of_its_saved_png():
    import numpy as np
    from PIL import Image

    from consult.analysis.chartdraw import agg_pixels

    with Image.open(io.BytesIO(_saved_png(_bar_figure()))) as saved:
        expected = np.asarray(saved.convert("RGB"))
    figure = _bar_figure()
    drawn = agg_pixels(figure)
    assert drawn.mode == "RGB" and np.array_equal(np.asarray(drawn), expected)
    assert figure.get_layout_engine() is None
    assert np.array_equal(np.asarray(agg_pixels(figure)), expected)


def test_a_chart_png_is_stored_in_256_colours_that_look_the_same():
    import numpy as np
    from PIL import Image

    from consult.analysis.chartdraw import agg_pixels, palette_png

    original = _saved_png(_bar_figure())
    flat = palette_png(agg_pixels(_bar_figure()))
    with Image.open(io.BytesIO(flat)) as image, Image.open(io.BytesIO(original)) as before:
        assert image.mode == "P" and image.size == before.size
        difference = np.abs(np.asarray(image.convert("RGB"), int) - np.asarray(before.convert("RGB"), int))
    assert difference.mean() < 1 and len(flat) < len(original) / 2
