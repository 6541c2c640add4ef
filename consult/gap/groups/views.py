"""HR's pages for a campaign's working groups: the list, a group's form, its deletion, one group per pillar.
Reviewers see the list; only HR and administrators change it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from consult.accounts.auth import hr_required, reviewer_required
from consult.accounts.models import Role, User
from consult.accounts.words import role_name
from consult.analysis.views import campaign_or_404
from consult.extensions import db
from consult.gap.groups import services
from consult.gap.groups.forms import ButtonForm, GroupForm
from consult.gap.groups.models import WorkingGroup
from consult.gap.services import campaign_sections
from consult.i18n import translated
from consult.surveys.campaigns.models import Campaign

bp = Blueprint("groups", __name__, url_prefix="/groups")
EDITORS = frozenset({Role.ADMIN, Role.HR})


@bp.get("/<slug>")
@reviewer_required
def index(slug: str):
    campaign = campaign_or_404(slug)
    groups = services.groups_of(campaign.id)
    claimed = {code for group in groups for code in group.section_codes}
    return render_template(
        "gap/groups/index.html",
        campaign=campaign,
        groups=groups,
        titles=section_titles(campaign),
        unassigned=[s for s in campaign_sections(campaign) if s.code not in claimed],
        can_edit=current_user.role in EDITORS,
        form=ButtonForm(),
    )


@bp.route("/<slug>/new", methods=["GET", "POST"])
@hr_required
def new(slug: str):
    campaign = campaign_or_404(slug)
    return submit(campaign, None, group_form(campaign, None))


@bp.route("/<slug>/<int:group_id>", methods=["GET", "POST"])
@hr_required
def edit(slug: str, group_id: int):
    campaign = campaign_or_404(slug)
    group = group_or_404(campaign, group_id)
    form = group_form(campaign, group)
    if request.method == "GET":
        form.name.data = group.name
        form.members.data = [str(member.user_id) for member in group.members]
        form.principles.data = sorted(group.section_codes)
    return submit(campaign, group, form)


def submit(campaign: Campaign, group: WorkingGroup | None, form: GroupForm):
    if not form.validate_on_submit():
        return render_form(campaign, group, form)
    change = services.GroupChange(form.name.data or "", form.members.data or [], form.principles.data or [])
    try:
        saved = save(campaign, group, change)
    except services.GroupError as error:
        db.session.rollback()
        for name, errors in error.errors.items():
            form[name].errors = errors
        return render_form(campaign, group, form)
    except IntegrityError:
        db.session.rollback()
        form.name.errors = [_("Another change to the working groups was saved meanwhile: try again.")]
        return render_form(campaign, group, form)
    flash(_("The working group “%(name)s” is saved.", name=saved.name), "success")
    return redirect(url_for("groups.index", slug=campaign.slug))


def save(campaign: Campaign, group: WorkingGroup | None, change: services.GroupChange) -> WorkingGroup:
    """Creates or updates the group and commits once; nothing is written when the change is refused."""
    if group is None:
        saved = services.create_group(campaign, change, current_user)
    else:
        saved = services.update_group(campaign, group, change, current_user)
    db.session.commit()
    return saved


def group_form(campaign: Campaign, group: WorkingGroup | None) -> GroupForm:
    """The form with every active user and every principle to tick; a principle in another group says so."""
    form = GroupForm()
    form.members.choices = [SelectChoice(str(user.id), user_label(user)) for user in active_users()]
    claimed = services.context_for(campaign, group).claimed
    titles = section_titles(campaign)
    form.principles.choices = [
        SelectChoice(code, principle_label(code, title, claimed.get(code))) for code, title in titles.items()
    ]
    return form


def user_label(user: User) -> str:
    return (
        f"{user.name} ({user.email}, {role_name(user.role)})"
        if user.name
        else f"{user.email} ({role_name(user.role)})"
    )


def principle_label(code: str, title: str, group: str | None) -> str:
    label = f"{code} · {title}"
    return _("%(principle)s (now in “%(group)s”)", principle=label, group=group) if group else label


def render_form(campaign: Campaign, group: WorkingGroup | None, form: GroupForm):
    return render_template("gap/groups/form.html", campaign=campaign, group=group, form=form), (
        400 if form.errors else 200
    )


@bp.get("/<slug>/<int:group_id>/delete")
@hr_required
def confirm_delete(slug: str, group_id: int):
    campaign = campaign_or_404(slug)
    group = group_or_404(campaign, group_id)
    return render_template(
        "gap/groups/confirm_delete.html", campaign=campaign, group=group, titles=section_titles(campaign)
    )


@bp.post("/<slug>/<int:group_id>/delete")
@hr_required
def delete(slug: str, group_id: int):
    campaign = campaign_or_404(slug)
    group = group_or_404(campaign, group_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    name = group.name
    services.delete_group(campaign, group, current_user)
    db.session.commit()
    flash(
        _("The working group “%(name)s” is deleted; its principles belong to no group now.", name=name),
        "success",
    )
    return redirect(url_for("groups.index", slug=slug))


@bp.post("/<slug>/per-pillar")
@hr_required
def per_pillar(slug: str):
    campaign = campaign_or_404(slug)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        created = services.one_group_per_pillar(campaign, current_user, str(get_locale()))
        db.session.commit()
    except services.GroupError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("groups.index", slug=slug))
    flash(
        ngettext(
            "%(num)s working group created, for one pillar: add its members.",
            "%(num)s working groups created, one per pillar: add their members.",
            len(created),
        ),
        "success",
    )
    return redirect(url_for("groups.index", slug=slug))


def group_or_404(campaign: Campaign, group_id: int) -> WorkingGroup:
    return services.group_of(campaign.id, group_id) or abort(404, description=_("No such working group."))


def section_titles(campaign: Campaign) -> dict[str, str]:
    language = str(get_locale())
    return {section.code: translated(section.title, language) for section in campaign_sections(campaign)}


def active_users() -> list[User]:
    users = db.session.scalars(db.select(User).where(User.active.is_(True)))
    return sorted(users, key=lambda user: (user.name or user.email).casefold())
