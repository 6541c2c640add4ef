"""HR pages that revoke single-use links (nested in the ``surveys`` blueprint: endpoints
``surveys.revoking.*``). Each revocation has a confirmation page; none says whether anyone answered (see
``invitations.revoking``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.auth import hr_required
from consult.extensions import db
from consult.surveys.campaigns.forms import ConfirmForm
from consult.surveys.campaigns.lookup import campaign_or_404, conflict_page
from consult.surveys.campaigns.models import Campaign
from consult.surveys.campaigns.services import CampaignError
from consult.surveys.invitations import revoking
from consult.surveys.invitations.forms import RevokeForm
from consult.surveys.invitations.models import REVOKED_ONE, Invitation

bp = Blueprint("revoking", __name__)


def revocable_or_409(slug: str) -> Campaign | tuple:
    campaign = campaign_or_404(slug)
    try:
        revoking.check_can_revoke(campaign)
    except CampaignError as error:
        return conflict_page(str(error))
    return campaign


def back_to_invitations(slug: str):
    return redirect(url_for("surveys.invitations.index", slug=slug) + "#revoke", 303)


@bp.route("/<slug>/invitations/revoke", methods=["GET", "POST"])
@hr_required
def find(slug: str):
    """Name the link (address, link or token); a link found is shown for confirmation, nothing revoked."""
    campaign = revocable_or_409(slug)
    if not isinstance(campaign, Campaign):
        return campaign
    form = RevokeForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("surveys/revoke_find.html", campaign=campaign, form=form), status
    invitation = revoking.find_link(campaign, form.link.data)
    if invitation is None:
        form.link.errors = [
            _(
                "No link of this campaign matches what you entered. A link revoked earlier no longer has "
                "an address."
            )
        ]
        return render_template("surveys/revoke_find.html", campaign=campaign, form=form), 422
    return confirm_page(campaign, invitation, form.link.data.strip())


def confirm_page(campaign: Campaign, invitation: Invitation, named: str):
    return render_template(
        "surveys/revoke_confirm.html",
        campaign=campaign,
        invitation=invitation,
        named=named,
        already=invitation.revoked == REVOKED_ONE,
        confirm=ConfirmForm(),
    )


@bp.post("/<slug>/invitations/revoke/<int:invitation_id>")
@hr_required
def revoke(slug: str, invitation_id: int):
    """The confirmed revocation of one link; again for a revoked link, nothing changes."""
    campaign = revocable_or_409(slug)
    if not isinstance(campaign, Campaign):
        return campaign
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        revoked_now = revoking.revoke_one(campaign, invitation_id, current_user)
    except LookupError:
        abort(404, _("This campaign has no such invitation."))
    db.session.commit()
    if revoked_now:
        flash(_("The link is revoked: it can no longer be used, and its address is deleted."), "success")
    else:
        flash(_("This link was already revoked: nothing changed."), "success")
    return back_to_invitations(slug)


@bp.route("/<slug>/invitations/revoke-unused", methods=["GET", "POST"])
@hr_required
def revoke_unused(slug: str):
    """Every link not used yet: a confirmation page, then the revocation (no count, see ``revoking``)."""
    campaign = revocable_or_409(slug)
    if not isinstance(campaign, Campaign):
        return campaign
    form = ConfirmForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("surveys/revoke_unused.html", campaign=campaign, confirm=form), status
    revoking.revoke_unused(campaign, current_user)
    db.session.commit()
    flash(_("Every link not used yet is revoked. Answers already sent are kept."), "success")
    return back_to_invitations(slug)
