"""Stored PNG charts placed on the pages of a PDF without decoding them.

A PNG's image data (its IDAT chunks) is a zlib stream of rows filtered by PNG predictors, which is what a PDF
image reads with ``/FlateDecode`` and ``/Predictor 15``: each stored chart goes into the report byte for byte,
where drawing it again through matplotlib took a tenth of a second per image. A PNG with an alpha channel or
interlaced rows (not what the chart store keeps) is first re-encoded as plain RGB with Pillow.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
)

SIGNATURE = b"\x89PNG\r\n\x1a\n"
GREY, RGB, PALETTE = 0, 2, 3
CHANNELS = {GREY: 1, RGB: 3, PALETTE: 1}


@dataclass(frozen=True)
class Placement:
    """A PNG drawn on page ``page`` (from 0) in the rectangle at (x, y) from the bottom left, in points."""

    page: int
    x: float
    y: float
    width: float
    height: float
    png: bytes


@dataclass(frozen=True)
class PngImage:
    width: int
    height: int
    bit_depth: int
    colour_type: int
    palette: bytes
    data: bytes


def chunks(png: bytes) -> Iterator[tuple[bytes, bytes]]:
    if not png.startswith(SIGNATURE):
        raise ValueError("not a PNG file")
    position = len(SIGNATURE)
    while position + 8 <= len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        yield kind, png[position + 8 : position + 8 + length]
        position += 12 + length


def read_png(png: bytes) -> PngImage:
    """The parts of a PNG a PDF can use as they are; re-encoded first when it has transparency or
    interlacing."""
    parts: dict[bytes, list[bytes]] = {}
    for kind, body in chunks(png):
        parts.setdefault(kind, []).append(body)
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(
        ">IIBBBBB", parts[b"IHDR"][0]
    )
    if colour not in CHANNELS or interlace or b"tRNS" in parts:
        return read_png(plain_rgb(png))
    palette = parts.get(b"PLTE", [b""])[0]
    return PngImage(width, height, depth, colour, palette, b"".join(parts[b"IDAT"]))


def plain_rgb(png: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def image_object(image: PngImage) -> StreamObject:
    raw = StreamObject()
    raw._data = image.data
    raw.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(image.width),
            NameObject("/Height"): NumberObject(image.height),
            NameObject("/ColorSpace"): colour_space(image),
            NameObject("/BitsPerComponent"): NumberObject(image.bit_depth),
            NameObject("/Filter"): NameObject("/FlateDecode"),
            NameObject("/DecodeParms"): DictionaryObject(
                {
                    NameObject("/Predictor"): NumberObject(15),
                    NameObject("/Colors"): NumberObject(CHANNELS[image.colour_type]),
                    NameObject("/BitsPerComponent"): NumberObject(image.bit_depth),
                    NameObject("/Columns"): NumberObject(image.width),
                }
            ),
        }
    )
    return raw


def colour_space(image: PngImage):
    if image.colour_type == PALETTE:
        entries = len(image.palette) // 3
        return ArrayObject(
            [
                NameObject("/Indexed"),
                NameObject("/DeviceRGB"),
                NumberObject(entries - 1),
                ByteStringObject(image.palette),
            ]
        )
    return NameObject("/DeviceRGB" if image.colour_type == RGB else "/DeviceGray")


def place_images(pdf: bytes, placements: Sequence[Placement]) -> bytes:
    """``pdf`` with each placement's PNG drawn on its page, above what the page already shows."""
    if not placements:
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    by_page: dict[int, list[Placement]] = {}
    for placement in placements:
        by_page.setdefault(placement.page, []).append(placement)
    for number, on_page in by_page.items():
        _draw_on(writer, writer.pages[number], on_page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _child(parent: DictionaryObject, key: str) -> DictionaryObject:
    """The page's own copy of a dictionary it may share with other pages (matplotlib shares them)."""
    own = DictionaryObject(parent[NameObject(key)].get_object()) if key in parent else DictionaryObject()
    parent[NameObject(key)] = own
    return own


def _draw_on(writer: PdfWriter, page, placements: Sequence[Placement]) -> None:
    resources = _child(page, "/Resources")
    xobjects = _child(resources, "/XObject")
    operations = []
    for index, placement in enumerate(placements):
        name = f"/Chart{index}"
        xobjects[NameObject(name)] = writer._add_object(image_object(read_png(placement.png)))
        operations.append(
            f"q {placement.width:.3f} 0 0 {placement.height:.3f} {placement.x:.3f} {placement.y:.3f} cm "
            f"{name} Do Q"
        )
    drawing = DecodedStreamObject()
    drawing.set_data("\n".join(operations).encode("ascii"))
    contents = page.get(NameObject("/Contents"))
    if contents is None:
        existing = []
    elif isinstance(contents.get_object(), ArrayObject):
        existing = list(contents.get_object())
    else:
        existing = [contents]
    page[NameObject("/Contents")] = ArrayObject([*existing, writer._add_object(drawing)])
