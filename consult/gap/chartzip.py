"""The charts ZIP, assembled from stored chart files: one folder per language, each file named by its
principle's number and name, and an index page listing every chart with its title and description."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from consult.analysis.chart_common import deterministic_zip, words
from consult.analysis.chartparts import ChartPart
from consult.analysis.charts import safe_entry_name, section_folder

ZIP_FORMATS = ("png", "svg", "pdf")
DESCRIPTIONS = {
    "en": {
        "distribution": "How the {n} respondents answered each statement, from disagreement (left) to "
        "agreement (right).",
        "heatmap": "The share of favourable answers of each group, coloured on a scale that marks the rating "
        "thresholds; groups of fewer than {k} are hidden.",
        "by_group": "Each group's share of favourable answers with its 95% confidence interval; groups of "
        "fewer than {k} are hidden.",
        "title": "Charts",
        "files": "Files",
    },
    "fr": {
        "distribution": "Les réponses des {n} répondants à chaque affirmation, du désaccord (à gauche) à "
        "l'accord (à droite).",
        "heatmap": "La part de réponses favorables de chaque groupe, sur une échelle de couleurs qui marque "
        "les seuils d'appréciation ; les groupes de moins de {k} sont masqués.",
        "by_group": "La part de réponses favorables de chaque groupe, avec son intervalle de confiance à "
        "95\u202f% ; les groupes de moins de {k} sont masqués.",
        "title": "Graphiques",
        "files": "Fichiers",
    },
}
_ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class ChartSection:
    """A section whose charts go in the ZIP: its code, principle number, name, respondents and charts."""

    code: str
    number: int | None
    name: str
    n: int
    parts: tuple[ChartPart, ...] = ()


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def file_stem(section: ChartSection) -> str:
    """``01-ethics-and-research-integrity``; a section without a principle number starts with its code."""
    lead = f"{section.number:02d}" if section.number is not None else section_folder(section.code)
    name = slug(section.name)
    return f"{lead}-{name}" if name else lead


def charts_archive(
    sections: Sequence[ChartSection],
    files: Mapping[tuple[str, str, str], bytes],
    language: str,
    campaign_title: str,
    min_group_size: int,
) -> bytes:
    """The ZIP of the stored ``files`` ((section code, kind, format) -> bytes) of ``sections``."""
    entries: dict[str, bytes] = {}
    listed = []
    for section in sections:
        for part in section.parts:
            if (section.code, part.kind, "png") not in files:
                continue
            names = {fmt: f"{part_stem(section, part)}.{fmt}" for fmt in ZIP_FORMATS}
            for fmt, name in names.items():
                entries[safe_entry_name(f"{language}/{name}")] = files[(section.code, part.kind, fmt)]
            listed.append(index_entry(section, part, names, language, min_group_size))
    entries[f"{language}/index.html"] = index_page(listed, language, campaign_title).encode("utf-8")
    return deterministic_zip(sorted(entries.items()))


def part_stem(section: ChartSection, part: ChartPart) -> str:
    """``01-ethics-and-research-integrity_heatmap-2-career-stage``: the part's kind, then what it shows."""
    subject = slug(part.subject)
    return f"{file_stem(section)}_{part.kind}-{subject}" if subject else f"{file_stem(section)}_{part.kind}"


def index_entry(
    section: ChartSection, part: ChartPart, names: Mapping[str, str], language: str, k: int
) -> dict[str, object]:
    described = DESCRIPTIONS.get(language, DESCRIPTIONS["en"])
    number = f"{section.number}. " if section.number is not None else f"{section.code} "
    title = words(language)[part.family]
    return {
        "principle": f"{number}{section.name}",
        "title": f"{title} ({part.subject})" if part.subject else title,
        "description": described[part.family].format(n=section.n, k=k),
        "files": names,
    }


def index_page(entries: Sequence[Mapping[str, object]], language: str, campaign_title: str) -> str:
    described = DESCRIPTIONS.get(language, DESCRIPTIONS["en"])
    return _ENVIRONMENT.get_template("gap/charts_index.html").render(
        language=language,
        title=f"{described['title']} · {campaign_title}",
        files=described["files"],
        entries=entries,
    )
