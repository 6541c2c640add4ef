"""Roles and audit-log actions in words, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from consult.accounts.models import Role

ROLE_NAMES = {
    Role.ADMIN: _l("administrator"),
    Role.HR: _l("HR"),
    Role.REVIEWER: _l("reviewer"),
}

ACTIONS = {
    "campaign.create": _l("created the campaign"),
    "campaign.open": _l("opened the campaign"),
    "campaign.close": _l("closed the campaign"),
    "campaign.archive": _l("archived the campaign"),
    "campaign.schedule": _l("set the campaign's dates"),
    "campaign.mode": _l("changed how respondents reach the campaign"),
    "campaign.invite": _l("added people to invite"),
    "campaign.tokens": _l("made links to distribute by hand"),
    "campaign.send-invitations": _l("sent invitations"),
    "campaign.remind": _l("sent reminders"),
    "campaign.revoke-link": _l("revoked an invitation link"),
    "campaign.revoke-unused": _l("revoked every invitation link not used yet"),
    "campaign.mail-text": _l("changed the text of a message"),
    "campaign.mail-text-reset": _l("went back to the standard text of a message"),
    "campaign.import_responses": _l("imported responses"),
    "campaign.page-size": _l("changed how many statements a page shows"),
    "questionnaire.export": _l("downloaded the questionnaire"),
    "questionnaire.replace": _l("replaced the questionnaire with a file"),
    "questionnaire.settings": _l("changed the questionnaire's settings"),
    "questionnaire.scale": _l("changed the answer scale"),
    "questionnaire.principles": _l("changed the principles covered"),
    "questionnaire.section.add": _l("added a section"),
    "questionnaire.section.edit": _l("edited a section"),
    "questionnaire.section.delete": _l("deleted a section"),
    "questionnaire.section.move": _l("moved a section"),
    "questionnaire.item.add": _l("added a question"),
    "questionnaire.item.edit": _l("edited a question"),
    "questionnaire.item.delete": _l("deleted a question"),
    "questionnaire.undo": _l("undid a deletion"),
    "questionnaire.item.move": _l("moved a question"),
    "questionnaire.dimension.add": _l("added a profile question"),
    "questionnaire.dimension.edit": _l("edited a profile question"),
    "questionnaire.dimension.delete": _l("deleted a profile question"),
    "questionnaire.dimension.move": _l("moved a profile question"),
    "gap.assessment.save": _l("saved a principle's assessment"),
    "gap.import": _l("imported a gap-analysis table"),
    "gap.assessment.validate": _l("validated a principle's assessment"),
    "group.create": _l("created a working group"),
    "group.edit": _l("changed a working group"),
    "group.delete": _l("deleted a working group"),
    "group.per-pillar": _l("created one working group per pillar"),
    "user.create": _l("created a user"),
    "user.enable": _l("enabled a user"),
    "user.disable": _l("disabled a user"),
    "user.password": _l("set a new password"),
    "user.role": _l("changed a user's role"),
}


def role_name(role: Role | str) -> str:
    return str(ROLE_NAMES.get(Role(role), role))


def action_words(action: str) -> str:
    """What was done, in words; an action without words yet shows as recorded."""
    return str(ACTIONS.get(action, action))
