"""Printed link cards: each link drawn as a QR code, in SVG (segno: pure Python, no image library)."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, label: str) -> Markup:
    """The link as an inline SVG QR code, labelled for screen readers (segno escapes the label); error
    correction M survives a crease."""
    code = segno.make_qr(url, error="m")
    svg = code.svg_inline(scale=4, border=4, title=label, svgclass="qr", omitsize=True)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # nosec B704
