"""Stored PNG charts go into a PDF byte for byte, and come out as the same pixels."""

from __future__ import annotations

import io

import numpy as np
import pymupdf
import pytest
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from PIL import Image

from consult.gap.pdfimages import Placement, place_images, read_png


def blank_pdf(pages: int = 2) -> bytes:
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        for number in range(pages):
            figure = Figure(figsize=(8.27, 11.69))
            figure.text(0.1, 0.9, f"Page {number + 1}")
            pdf.savefig(figure)
    return buffer.getvalue()


def chart_png(mode: str) -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(7)
    colours = rng.integers(0, 256, (6, 3), dtype=np.uint8)
    pixels = colours[rng.integers(0, 6, (40, 60))]
    image = Image.fromarray(pixels)
    if mode == "P":
        image = image.quantize(8, dither=Image.Dither.NONE)
    elif mode == "RGBA":
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue(), np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("mode", ["RGB", "P", "RGBA", "L"])
def test_a_png_comes_out_of_the_pdf_as_the_same_pixels(mode):
    png, pixels = chart_png("RGB" if mode == "L" else mode)
    if mode == "L":
        grey = Image.fromarray(pixels).convert("L")
        buffer = io.BytesIO()
        grey.save(buffer, format="PNG")
        png, pixels = buffer.getvalue(), np.asarray(grey.convert("RGB"))
    pdf = place_images(blank_pdf(), [Placement(1, 72, 400, 300, 200, png)])
    document = pymupdf.open(stream=pdf, filetype="pdf")
    assert [len(page.get_images()) for page in document] == [0, 1]
    extracted = pymupdf.Pixmap(document, document[1].get_images()[0][0])
    shown = Image.frombytes(
        "RGB" if extracted.n >= 3 else "L", (extracted.width, extracted.height), extracted.samples
    )
    assert np.array_equal(np.asarray(shown.convert("RGB")), pixels)
    top = document[1].rect.height
    rect = document[1].get_image_rects(document[1].get_images()[0][0])[0]
    assert rect == pymupdf.Rect(72, top - 600, 372, top - 400)
    assert "Page 2" in document[1].get_text()


def test_a_plain_png_is_embedded_without_decoding():
    png, _ = chart_png("P")
    image = read_png(png)
    assert image.colour_type == 3 and len(image.palette) == 3 * 6
    assert image.data in png


def test_several_charts_on_a_page_and_none_elsewhere():
    png, _ = chart_png("P")
    placements = [Placement(0, 72, 72 + 210 * i, 200, 200, png) for i in range(3)]
    document = pymupdf.open(stream=place_images(blank_pdf(1), placements), filetype="pdf")
    assert len(document[0].get_images()) == 3
    assert place_images(blank_pdf(1), []) == blank_pdf(1)


def test_what_is_not_a_png_is_refused():
    with pytest.raises(ValueError, match="not a PNG"):
        read_png(b"GIF89a")
