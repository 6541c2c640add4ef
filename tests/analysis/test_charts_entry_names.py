"""ZIP entry names of the charts come only from safe codes: never ``..``, a leading '/', or a backslash."""

from __future__ import annotations

import io
import zipfile

import pytest

from consult.analysis import charts
from tests.analysis.test_charts import DIMENSIONS, SCALE_EN, results_fixture


@pytest.mark.parametrize("name", ["P01/distribution.png", "P01.1/by_group.svg", "_x/a-b.pdf", "A"])
def test_safe_names_are_kept(name):
    assert charts.safe_entry_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "../x.png",
        "/P01/x.png",
        "P01/../x.png",
        "P01\\x.png",
        "P01//x.png",
        ".hidden/x.png",
        "-P/x",
        "",
        "P01/",
    ],
)
def test_unsafe_names_are_refused(name):
    with pytest.raises(ValueError, match="unsafe ZIP entry name"):
        charts.safe_entry_name(name)


@pytest.mark.parametrize(
    ("code", "folder"),
    [("P01", "P01"), ("P01.1", "P01.1"), ("..", "___"), ("../etc", "____etc"), ("a\\b", "_a_b")],
)
def test_a_section_folder_is_its_code_or_a_safe_stand_in(code, folder):
    assert charts.section_folder(code) == folder


def test_a_section_coded_dot_dot_stays_inside_the_zip():
    results = results_fixture()
    sections = [{**results["sections"][1], "code": ".."}]
    content = charts.charts_zip({**results, "sections": sections}, SCALE_EN, DIMENSIONS, "en")
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert names and all(name.startswith("___/") for name in names)
    assert not any(".." in name or name.startswith("/") or "\\" in name for name in names)
