"""The ZIP of charts and reports: the same bytes for the same files, compressed files stored as they are."""

from __future__ import annotations

import io
import zipfile

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
