"""Store a campaign's headcounts and weighting settings (flush, never commit)."""

from __future__ import annotations

from consult.extensions import db
from consult.surveys.campaigns.models import Campaign
from consult.surveys.headcounts.csv_format import parse_headcounts
from consult.surveys.headcounts.models import Headcounts
from consult.surveys.questionnaires.convert import campaign_spec
from consult.timeutil import utcnow

RATING_BASES = ("weighted", "unweighted")


class SettingsError(ValueError):
    pass


def save_headcounts(campaign: Campaign, data: bytes) -> Headcounts:
    """Replace the campaign's headcounts with the file's (all or nothing: HeadcountsFileError)."""
    parsed = parse_headcounts(campaign_spec(campaign), data)
    found = db.session.get(Headcounts, campaign.id) or Headcounts(campaign_id=campaign.id)
    found.method, found.rows, found.updated_at = parsed.method, parsed.rows, utcnow()
    db.session.add(found)
    db.session.flush()
    return found


def save_settings(campaign: Campaign, trim_low: float, trim_high: float, rating_basis: str) -> Headcounts:
    found = db.session.get(Headcounts, campaign.id)
    if found is None:
        raise SettingsError("give the headcounts first")
    if not 0 < trim_low <= 1 <= trim_high <= 100:
        raise SettingsError("the trimming bounds must satisfy 0 < lower <= 1 <= upper <= 100")
    if rating_basis not in RATING_BASES:
        raise SettingsError(f"the rating uses one of {', '.join(RATING_BASES)}")
    found.trim_low, found.trim_high, found.rating_basis = trim_low, trim_high, rating_basis
    db.session.flush()
    return found


def remove_headcounts(campaign: Campaign) -> None:
    found = db.session.get(Headcounts, campaign.id)
    if found is not None:
        db.session.delete(found)
        db.session.flush()


def headcounts_info(campaign_id: int) -> dict | None:
    """What the analysis needs: the rows, the method and the settings; None without headcounts."""
    found = db.session.get(Headcounts, campaign_id)
    if found is None:
        return None
    return {
        "method": found.method,
        "rows": found.rows,
        "trim": [found.trim_low, found.trim_high],
        "rating_basis": found.rating_basis,
    }
