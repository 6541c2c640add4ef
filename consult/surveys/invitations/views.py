"""HR pages for invitations (nested in the ``surveys`` blueprint: endpoints ``surveys.invitations.*``):
the address file, sending, reminders, and links printed or exported for distribution by hand.

No page says who has answered: see ``invitations.services`` for what is shown and why.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.accounts.auth import hr_required
from consult.extensions import db
from consult.surveys.campaigns import services
from consult.surveys.campaigns.forms import ConfirmForm
from consult.surveys.campaigns.lookup import campaign_or_404, sentence
from consult.surveys.campaigns.models import Campaign
from consult.surveys.campaigns.participation import reminder_count_shown
from consult.surveys.invitations import links
from consult.surveys.invitations import services as invitations
from consult.surveys.invitations import tasks as invitation_tasks
from consult.surveys.invitations.forms import InvitationFileForm, SendForm, TokensForm

bp = Blueprint("invitations", __name__)
ALL_LANGUAGES = "all"


def send_form(campaign: Campaign) -> SendForm:
    form = SendForm()
    offered = campaign.questionnaire.languages
    form.language.choices = [SelectChoice(ALL_LANGUAGES, _("Every language of the questionnaire"))]
    form.language.choices += [SelectChoice(code, code.upper()) for code in offered]
    form.language.default = ALL_LANGUAGES
    return form


def chosen_languages(form: SendForm, campaign: Campaign) -> list[str]:
    if form.language.data in campaign.questionnaire.languages:
        return [form.language.data]
    return list(campaign.questionnaire.languages)


def render_index(campaign: Campaign, status: int = 200, **context):
    context.setdefault("upload", InvitationFileForm())
    context.setdefault("tokens", TokensForm())
    return render_template(
        "surveys/invitations.html",
        campaign=campaign,
        summary=invitations.invitation_summary(campaign),
        send=send_form(campaign),
        confirm=ConfirmForm(),
        **context,
    ), status


@bp.get("/<slug>/invitations")
@hr_required
def index(slug: str):
    return render_index(campaign_or_404(slug))


@bp.post("/<slug>/invitations/upload")
@hr_required
def upload(slug: str):
    campaign = campaign_or_404(slug)
    form = InvitationFileForm()
    if not form.validate_on_submit():
        return render_index(campaign, 422, upload=form)
    try:
        people = invitations.read_invitation_csv(form.file.data.read(), campaign)
        links.invite_emails(campaign, people, current_user)
    except invitations.InvitationFileError as error:
        db.session.rollback()
        return render_index(campaign, 422, upload=form, upload_errors=error.errors)
    except services.CampaignError as error:
        db.session.rollback()
        return render_index(campaign, 422, upload=form, upload_errors=[str(error)])
    db.session.commit()
    flash(
        _("%(n)s invitations added. They are sent when you ask, once the campaign is open.", n=len(people)),
        "success",
    )
    return redirect(url_for("surveys.invitations.index", slug=slug))


@bp.post("/<slug>/invitations/send")
@hr_required
def send(slug: str):
    return queue_first_messages(slug, retry_failed=False)


@bp.post("/<slug>/invitations/retry")
@hr_required
def retry(slug: str):
    return queue_first_messages(slug, retry_failed=True)


def queue_first_messages(slug: str, retry_failed: bool):
    campaign = campaign_or_404(slug)
    form = send_form(campaign)
    if not form.validate_on_submit():
        return render_index(campaign, 422, send=form)
    try:
        queued = invitation_tasks.queue_invitations(
            campaign.id, current_user, chosen_languages(form, campaign), retry_failed=retry_failed
        )
    except services.CampaignError as error:
        db.session.rollback()
        flash(sentence(str(error)), "error")
        return redirect(url_for("surveys.invitations.index", slug=slug))
    if queued.deferred:
        flash(_("%(n)s invitations queued for sending.", n=queued.count) + " " + deferred_note(), "warning")
    else:
        flash(_("%(n)s invitations queued for sending.", n=queued.count), "success")
    return redirect(url_for("surveys.invitations.index", slug=slug))


def deferred_note() -> str:
    return _(
        "The task queue cannot be reached right now: the messages are kept, and they will be sent as soon as "
        "it is back."
    )


@bp.post("/<slug>/invitations/remind")
@hr_required
def remind(slug: str):
    campaign = campaign_or_404(slug)
    form = send_form(campaign)
    if not form.validate_on_submit():
        return render_index(campaign, 422)
    try:
        queued = invitation_tasks.queue_reminders(campaign.id, current_user, chosen_languages(form, campaign))
    except services.CampaignError as error:
        db.session.rollback()
        flash(sentence(str(error)), "error")
        return redirect(url_for("surveys.invitations.index", slug=slug))
    if queued.deferred:
        flash(_("Reminders were queued for sending.") + " " + deferred_note(), "warning")
    elif reminder_count_shown(queued.count, queued.eligible, campaign.min_group_size):
        flash(_("%(n)s reminders were sent.", n=queued.count), "success")
    else:
        flash(
            _(
                "Reminders were sent. Their number is not shown: with so few people it could tell who has "
                "answered."
            ),
            "success",
        )
    return redirect(url_for("surveys.invitations.index", slug=slug))


@bp.post("/<slug>/tokens")
@hr_required
def tokens(slug: str):
    campaign = campaign_or_404(slug)
    form = TokensForm()
    if not form.validate_on_submit():
        return render_index(campaign, 422, tokens=form)
    try:
        issued = links.issue_tokens(campaign, form.count.data, current_user)
    except services.CampaignError as error:
        db.session.rollback()
        form.count.errors = [sentence(str(error))]
        return render_index(campaign, 422, tokens=form)
    db.session.commit()
    if form.output.data == "print":
        return render_template("surveys/tokens_print.html", campaign=campaign, issued=issued)
    return tokens_csv(campaign, issued)


def tokens_csv(campaign: Campaign, issued: list[links.IssuedToken]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["token", "url"])
    writer.writerows([t.token, t.url] for t in issued)
    disposition = f'attachment; filename="{campaign.slug}-links.csv"'
    return Response(buffer.getvalue(), mimetype="text/csv", headers={"Content-Disposition": disposition})
