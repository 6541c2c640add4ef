"""What the HR pages share: finding the campaign of a URL, and the pages for refused requests."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _

from consult.surveys.campaigns import services
from consult.surveys.campaigns.models import Campaign
from consult.surveys.questionnaires.builder import FrozenError, UnknownCode, ensure_draft


def campaign_or_404(slug: str) -> Campaign:
    try:
        return services.get_campaign(slug)
    except services.CampaignError:
        abort(404, _("No campaign has the address %(slug)s.", slug=slug))


def draft_or_409(slug: str) -> Campaign:
    """The draft campaign ``slug``; a campaign that has opened is refused (FrozenError: 409)."""
    campaign = campaign_or_404(slug)
    ensure_draft(campaign)
    return campaign


def sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def conflict_page(message: str):
    """A request that the campaign's state refuses (409), with the reason."""
    return render_template(
        "error.html", code=409, title=_("Not possible now"), message=sentence(message)
    ), 409


def frozen_page(error: FrozenError):
    message = _(
        "%(problem)s. Its questionnaire was frozen when it opened, so that every respondent answers the "
        "same questions. Nothing was changed.",
        problem=sentence(str(error)),
    )
    return render_template(
        "error.html", code=409, title=_("This questionnaire is frozen"), message=message
    ), 409


def unknown_code_page(error: UnknownCode):
    return render_template("error.html", code=404, title=_("Not found"), message=sentence(str(error))), 404
