"""Reference data of the European Charter for Researchers: principles (2023 and 2005), pillars, crosswalk,
standard dimensions and the questionnaire templates. Pure module, read from the YAML files in ``data/``."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from consult.surveys.questionnaires.spec import Dimension, Option, Text

VERSIONS = ("2023", "2005")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Pillar:
    number: int
    name: Text


@dataclass(frozen=True)
class Principle:
    number: int
    pillar: int
    name: Text


def _data_file(*parts: str) -> Any:
    return resources.files("consult.charter").joinpath("data", *parts)


@cache
def _charter(version: str) -> dict[str, Any]:
    if version not in VERSIONS:
        raise KeyError(f"unknown charter version {version!r}; expected one of {', '.join(VERSIONS)}")
    return yaml.safe_load(_data_file(f"principles-{version}.yaml").read_text(encoding="utf-8"))


def version_name(version: str) -> Text:
    return dict(_charter(version)["name"])


@cache
def pillars(version: str) -> tuple[Pillar, ...]:
    return tuple(Pillar(entry["number"], dict(entry["name"])) for entry in _charter(version)["pillars"])


@cache
def principles(version: str) -> tuple[Principle, ...]:
    entries = _charter(version)["principles"]
    return tuple(Principle(entry["number"], entry["pillar"], dict(entry["name"])) for entry in entries)


def principle(version: str, number: int) -> Principle:
    """The principle numbered ``number``; KeyError when the charter has none."""
    for candidate in principles(version):
        if candidate.number == number:
            return candidate
    raise KeyError(f"the {version} charter has no principle {number}")


def pillar(version: str, number: int) -> Pillar:
    for candidate in pillars(version):
        if candidate.number == number:
            return candidate
    raise KeyError(f"the {version} charter has no pillar {number}")


def crosswalk() -> dict[int, tuple[int, ...]]:
    """2023 principle number -> the 2005 principle numbers it takes over (principle 8 takes over none)."""
    return dict(_crosswalk())


@cache
def _crosswalk() -> tuple[tuple[int, tuple[int, ...]], ...]:
    data = yaml.safe_load(_data_file("crosswalk.yaml").read_text(encoding="utf-8"))
    return tuple((int(number), tuple(old)) for number, old in data.items())


def normalise_name(name: str) -> str:
    """A principle name as written anywhere (HTML, typographic quotes, spacing), reduced for comparison."""
    text = html.unescape(_TAG.sub(" ", name)).translate(_QUOTES)
    return " ".join(text.split()).casefold()


@cache
def _names(version: str) -> dict[str, Principle]:
    index: dict[str, Principle] = {}
    for entry in principles(version):
        for name in entry.name.values():
            index.setdefault(normalise_name(name), entry)
    return index


def principle_by_name(version: str, name: str) -> Principle | None:
    """The principle whose English (or French) name matches ``name``, whatever its case, quotes or tags."""
    return _names(version).get(normalise_name(name))


@cache
def _standard_dimensions() -> dict[str, Dimension]:
    data = yaml.safe_load(_data_file("dimensions.yaml").read_text(encoding="utf-8"))
    return {code: _dimension(code, entry) for code, entry in data.items()}


def _dimension(code: str, entry: dict[str, Any]) -> Dimension:
    options = tuple(Option(option["code"], dict(option["label"])) for option in entry["options"])
    return Dimension(code, dict(entry["label"]), options, dict(entry["question"]))


def standard_dimension(code: str) -> Dimension | None:
    """The built-in dimension a questionnaire may name by code alone (career_stage, gender), or None."""
    return _standard_dimensions().get(code)


def template_names() -> tuple[str, ...]:
    folder = _data_file("templates")
    return tuple(
        sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml"))
    )


def template_text(name: str) -> str:
    """The YAML text of the questionnaire template ``name`` (see ``template_names``)."""
    if name not in template_names():
        raise KeyError(f"unknown template {name!r}; expected one of {', '.join(template_names())}")
    return _data_file("templates", f"{name}.yaml").read_text(encoding="utf-8")
