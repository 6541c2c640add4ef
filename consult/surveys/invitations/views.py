"""HR pages for invitations (nested in the ``surveys`` blueprint: endpoints ``surveys.invitations.*``):
the address file, sending, reminders, and links printed or exported for distribution by hand.

No page says who has answered: see ``invitations.services`` for what is shown and why.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from consult.accounts.auth import hr_required
from consult.celery_app import is_eager
from consult.extensions import db
from consult.surveys.campaigns import services
from consult.surveys.campaigns.forms import ConfirmForm
from consult.surveys.campaigns.lookup import campaign_or_404, sentence
from consult.surveys.campaigns.models import Campaign
from consult.surveys.campaigns.participation import reminder_count_shown
from consult.surveys.invitations import links, mail, texts
from consult.surveys.invitations import services as invitations
from consult.surveys.invitations import tasks as invitation_tasks
from consult.surveys.invitations.cards import qr_svg
from consult.surveys.invitations.failures import explain
from consult.surveys.invitations.forms import (
    InvitationFileForm,
    MailTextForm,
    SendForm,
    TestMailForm,
    TokensForm,
)

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
    context.setdefault("test_mail", TestMailForm(email=current_user.email))
    summary = invitations.invitation_summary(campaign)
    return render_template(
        "surveys/invitations.html",
        campaign=campaign,
        summary=summary,
        failed=[(email, explain(error)) for email, error in summary.failed],
        unreachable=explain(summary.unreachable) if summary.unreachable else None,
        send=send_form(campaign),
        confirm=ConfirmForm(),
        own_texts={kind: texts.is_own(campaign, kind) for kind in texts.KINDS},
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
    report_first_messages(queued)
    return redirect(url_for("surveys.invitations.index", slug=slug))


def report_first_messages(queued: invitations.Outgoing) -> None:
    """Say what actually happened to the messages: sent, waiting for the workers, or failed and why."""
    if queued.deferred:
        flash(_("%(n)s invitations queued for sending.", n=queued.count) + " " + deferred_note(), "warning")
        return
    states = invitations.first_message_states(queued)
    sent, waiting, failed = (states.get(key, 0) for key in (invitations.SENT, invitations.QUEUED, "failed"))
    if not queued.count:
        flash(_("There was no invitation to send."), "info")
    elif failed or (waiting and queued.count and not sent and is_eager(current_app)):
        flash(_("%(sent)s sent, %(failed)s failed, %(waiting)s waiting for a new attempt.",
                sent=sent, failed=failed, waiting=waiting) + " " + _("The reasons and what to do are below."),
              "error")  # fmt: skip
    elif waiting:
        flash(_("%(n)s invitations handed to the sending workers: this page shows their progress.", n=waiting)
              + (" " + _("%(n)s already sent.", n=sent) if sent else ""), "success")  # fmt: skip
    else:
        flash(_("%(n)s invitations sent.", n=sent), "success")


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
        label = _("QR code of the link")
        cards = [(token, qr_svg(token.url, label)) for token in issued]
        return render_template("surveys/tokens_print.html", campaign=campaign, cards=cards)
    return tokens_csv(campaign, issued)


def tokens_csv(campaign: Campaign, issued: list[links.IssuedToken]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["token", "url"])
    writer.writerows([t.token, t.url] for t in issued)
    disposition = f'attachment; filename="{campaign.slug}-links.csv"'
    return Response(buffer.getvalue(), mimetype="text/csv", headers={"Content-Disposition": disposition})


@bp.post("/<slug>/invitations/test-mail")
@hr_required
def test_mail(slug: str):
    """Send a test message now, through the same mail settings as the invitations, and say how it went."""
    campaign = campaign_or_404(slug)
    form = TestMailForm()
    if not form.validate_on_submit():
        return render_index(campaign, 422, test_mail=form)
    error = texts.send_test_message(form.email.data, str(get_locale()))
    if error is None:
        flash(_("A test e-mail was sent to %(email)s. If it has not arrived within a few minutes, look in "
                "the spam folder, then ask your IT department to look for it in the mail server's logs.",
                email=form.email.data), "success")  # fmt: skip
    else:
        failure = explain(error)
        flash(_("The test e-mail could not be sent. %(reason)s %(action)s (Technical detail: %(detail)s)",
                reason=failure.reason, action=failure.action, detail=failure.technical), "error")  # fmt: skip
    return redirect(url_for("surveys.invitations.index", slug=slug) + "#mail-check")


def kind_or_404(kind: str) -> str:
    if kind not in texts.KINDS:
        abort(404)
    return kind


def text_form(campaign: Campaign, kind: str, **data) -> MailTextForm:
    form_class = MailTextForm.for_languages(list(campaign.questionnaire.languages))
    if data or request.method == "POST":
        return form_class(**data)
    prefill = {}
    for language, text in texts.texts_for_editing(campaign, kind).items():
        prefill[f"subject_{language}"], prefill[f"body_{language}"] = text.subject, text.body
    return form_class(data=prefill)


def render_text_page(campaign: Campaign, kind: str, form: MailTextForm, problems=None, status: int = 200):
    return render_template(
        "surveys/mail_text.html",
        campaign=campaign,
        kind=kind,
        form=form,
        problems=problems or {},
        own=texts.is_own(campaign, kind),
        fields=mail.MESSAGE_FIELDS,
        confirm=ConfirmForm(),
    ), status


@bp.get("/<slug>/invitations/text/<message>")
@hr_required
def edit_text(slug: str, message: str):
    kind = message
    campaign = campaign_or_404(slug)
    return render_text_page(campaign, kind_or_404(kind), text_form(campaign, kind))


@bp.post("/<slug>/invitations/text/<message>")
@hr_required
def save_text(slug: str, message: str):
    kind = message
    campaign = editable_or_409(slug)
    form = text_form(campaign, kind_or_404(kind))
    if not form.validate_on_submit():
        return render_text_page(campaign, kind, form, status=422)
    written = {
        language: mail.Text(form[f"subject_{language}"].data or "", form[f"body_{language}"].data or "")
        for language in campaign.questionnaire.languages
    }
    try:
        texts.save_texts(campaign, kind, written, current_user)
    except texts.TextError as error:
        db.session.rollback()
        return render_text_page(campaign, kind, form, error.problems, 422)
    db.session.commit()
    flash(_("The text was saved. Here is the message as it will be sent."), "success")
    return redirect(url_for("surveys.invitations.preview_text", slug=slug, message=kind))


@bp.post("/<slug>/invitations/text/<message>/reset")
@hr_required
def reset_text(slug: str, message: str):
    kind = message
    campaign = editable_or_409(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    texts.reset_texts(campaign, kind_or_404(kind), current_user)
    db.session.commit()
    flash(_("The standard text is back."), "success")
    return redirect(url_for("surveys.invitations.edit_text", slug=slug, message=kind))


@bp.get("/<slug>/invitations/text/<message>/preview")
@hr_required
def preview_text(slug: str, message: str):
    kind = message
    """The e-mail exactly as sent (headers and body), to a sample address with a sample link."""
    campaign = campaign_or_404(slug)
    offered = list(campaign.questionnaire.languages)
    chosen = [request.args["language"]] if request.args.get("language") in offered else offered
    email = texts.preview(campaign, kind_or_404(kind), chosen)
    return render_template(
        "surveys/mail_preview.html", campaign=campaign, kind=kind, message=email, chosen=chosen
    )


def editable_or_409(slug: str) -> Campaign:
    campaign = campaign_or_404(slug)
    if campaign.status.value not in ("draft", "open"):
        abort(409, _("The campaign is over: its messages can no longer change."))
    return campaign
