"""The HR page importing a LimeSurvey survey: thin, over ``services.import_survey``."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from consult.accounts.auth import hr_required
from consult.extensions import db
from consult.limesurvey import mapping as automatic
from consult.limesurvey.forms import ImportForm
from consult.limesurvey.services import ImportReport, Upload, import_survey
from consult.limesurvey.structure import LimeSurveyError, read_survey

bp = Blueprint("limesurvey", __name__, url_prefix="/import/limesurvey", template_folder="templates")

DROPPED = {
    "tokens": _l("tokens"),
    "timestamps": _l("timestamps"),
    "timings": _l("timings"),
    "IP addresses": _l("IP addresses"),
    "referrer URLs": _l("referrer URLs"),
    "participant details": _l("participant details"),
}


@bp.route("", methods=["GET", "POST"])
@hr_required
def import_page():
    form, errors = ImportForm(), []
    if form.validate_on_submit():
        try:
            if form.download_mapping.data:
                return mapping_download(uploaded(form.structure))
            report = import_survey(
                uploaded(form.structure), uploaded(form.responses), uploaded(form.mapping), current_user
            )
        except LimeSurveyError as error:
            db.session.rollback()
            errors = error.errors
        else:
            db.session.commit()
            flash(imported_message(report), "success")
            return redirect(url_for("surveys.campaign", slug=report.campaign.slug))
    status = 422 if errors or form.errors else 200
    return render_template("limesurvey/import.html", form=form, errors=errors), status


def uploaded(field) -> Upload | None:
    storage = field.data
    if not storage or not getattr(storage, "filename", ""):
        return None
    return Upload(storage.read(), storage.filename)


def mapping_download(structure: Upload) -> Response:
    survey = read_survey(structure.data, structure.name)
    text = automatic.dump_mapping(automatic.automatic_mapping(survey), survey)
    name = f"{structure.name.rsplit('.', 1)[0] or 'survey'}.mapping.yaml"
    return Response(
        text,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{safe_name(name)}"'},
    )


def safe_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def imported_message(report: ImportReport) -> str:
    dropped = ", ".join(str(DROPPED.get(kind, kind)) for kind in report.dropped)
    message = _(
        "LimeSurvey survey %(sid)s is imported as a closed campaign: %(responses)s responses and "
        "%(comments)s comments, in a shuffled order, dated today; languages kept: %(kept)s.",
        sid=report.survey.sid,
        responses=report.responses,
        comments=report.comments,
        kept=", ".join(report.plan.questionnaire.languages),
    )
    if report.languages_dropped:
        message += " " + _("Languages dropped: %(dropped)s.", dropped=", ".join(report.languages_dropped))
    if dropped:
        message += " " + _("Never stored (dropped): %(dropped)s.", dropped=dropped)
    return message
