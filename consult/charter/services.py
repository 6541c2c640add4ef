"""Charter reference data in the database, loaded from the package's data files (idempotent)."""

from __future__ import annotations

from consult.charter import reference
from consult.charter.models import CharterVersion, Principle
from consult.extensions import db

VERSION_NAMES = {
    "2023": {
        "en": "European Charter for Researchers (2023)",
        "fr": "Charte européenne des chercheurs (2023)",
    },
    "2005": {
        "en": "European Charter & Code for Researchers (2005)",
        "fr": "Charte européenne du chercheur et Code de conduite (2005)",
    },
}


def load_reference_data() -> int:
    """Insert or update the charter versions and principles; returns the number of principles."""
    crosswalk = reference.crosswalk()
    count = 0
    for code, name in VERSION_NAMES.items():
        db.session.merge(CharterVersion(code=code, name=name))
        pillar_names = {p.number: dict(p.name) for p in reference.pillars(code)}
        existing = {p.number: p for p in db.session.query(Principle).filter_by(version_code=code)}
        for principle in reference.principles(code):
            row = existing.get(principle.number) or Principle(version_code=code, number=principle.number)
            row.pillar, row.name = principle.pillar, dict(principle.name)
            row.pillar_name = pillar_names[principle.pillar]
            row.crosswalk_2005 = list(crosswalk.get(principle.number, ())) if code == "2023" else []
            db.session.add(row)
            count += 1
    db.session.flush()
    return count
