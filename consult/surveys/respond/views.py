"""The respondent's questionnaire: a personal link (``/r/<token>``) or a campaign's open link
(``/r/open/<slug>``), then one page per step, the review, and one submission.

Every page is served for both kinds of link by the same view; ``Here`` carries which one it is. Only failed
look-ups are rate limited (per client, under a keyed hash of its address, see ``misses``), and the open
link's start: a valid link is never limited, so a whole institution behind one address can answer at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import Blueprint, Request, abort, current_app, g, redirect, request, url_for
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.wrappers import Response

from consult.database import abandon_request_work, commit_if_used, database_unavailable, statements_alone
from consult.extensions import csrf, db, limiter
from consult.surveys.campaigns.models import CampaignStatus
from consult.surveys.respond import services
from consult.surveys.respond.forms import csrf_token_valid, posted_page, shown_again
from consult.surveys.respond.misses import counted_miss
from consult.surveys.respond.pages import Problem, Step, first_open_step, merge_page
from consult.surveys.respond.privacy import client_key, install_log_redaction
from consult.surveys.respond.rendering import (
    Here,
    interrupted,
    open_link_cookie,
    read_open_link_cookie,
    render_page,
    step_page,
    unavailable,
)
from consult.surveys.respond.services import Outcome
from consult.surveys.responses import ballots

bp = Blueprint("respond", __name__, url_prefix="/r")
csrf.exempt(bp)
bp.record_once(lambda state: install_log_redaction(state.app.logger.name))

VISIT_KEY = "consult.respond.visit"
HERE_KEY = "respond_here"
STATEMENTS_ALONE = frozenset({"respond.step", "respond.open_step"})
"""Besides every GET: the step's save is one statement (see ``services.save_draft``)."""
OPEN_START_LIMIT = "60 per minute"


@dataclass(frozen=True)
class Gate:
    """Why a visit cannot go on, as the page to show instead."""

    response: Response


def open_start_limit() -> str:
    return current_app.config.get("RESPOND_OPEN_START_LIMIT", OPEN_START_LIMIT)


def current_visit() -> services.Visit | None:
    """The visit behind this request's link, looked up once per request (the miss counter asks first)."""
    environ = request.environ
    if VISIT_KEY not in environ:
        environ[VISIT_KEY] = find_visit(request._get_current_object())
    return environ[VISIT_KEY]


def find_visit(asked: Request) -> services.Visit | None:
    if asked.method == "GET" or asked.endpoint in STATEMENTS_ALONE:
        statements_alone()
    args = asked.view_args or {}
    if "token" in args:
        return services.find_invitation(args["token"])
    return services.find_open_link(args.get("slug", ""), read_open_link_cookie(args.get("slug", "")))


def route(rule: str, endpoint: str, **options):
    """Serve ``rule`` under both kinds of link: ``respond.<endpoint>`` and ``respond.open_<endpoint>``."""

    def register(view):
        @wraps(view)
        def wrapped(**kwargs):
            if current_visit() is None:
                return counted_miss(lambda: unavailable("unknown"))
            return view(**kwargs)

        bp.add_url_rule("/<token>" + rule, endpoint, wrapped, **options)
        bp.add_url_rule("/open/<slug>" + rule, "open_" + endpoint, wrapped, **options)
        return wrapped

    return register


def arrive(token: str | None, slug: str | None, answered_ok: bool = False) -> Here | Gate:
    visit = current_visit()
    if visit is None:
        return Gate(unavailable("unknown"))
    if visit.revoked:
        return Gate(unavailable("revoked", visit))
    if visit.campaign.status != CampaignStatus.OPEN:
        return Gate(
            unavailable("not_open" if visit.campaign.status == CampaignStatus.DRAFT else "closed", visit)
        )
    here = Here(visit, services.layouts.get(visit.campaign), token, slug)
    g.setdefault(HERE_KEY, here)
    if visit.used and not answered_ok:
        return Gate(received_page(here, just_now=False))
    return here


@route("", "welcome")
def welcome(token: str | None = None, slug: str | None = None):
    here = arrive(token, slug)
    if isinstance(here, Gate):
        return here.response
    return welcome_page(here)


def welcome_page(here: Here, csrf_refused: bool = False) -> Response:
    resume = first_open_step(here.layout, here.visit.draft) if here.visit.draft else None
    return render_page(
        here,
        "respond/welcome.html",
        400 if csrf_refused else 200,
        variant=(resume is not None, here.visit.invited_by_email),
        fills={"resume": str(resume.number)} if resume else {},
        direct=csrf_refused,
        resume=resume is not None,
        csrf_refused=csrf_refused,
    )


def received_page(here: Here, just_now: bool, status: int = 200) -> Response:
    return render_page(here, "respond/received.html", status, variant=(just_now,), just_now=just_now)


@bp.post("/open/<slug>/start")
@limiter.limit(open_start_limit, key_func=client_key)
def open_start(slug: str):
    here = arrive(None, slug)
    if isinstance(here, Gate):
        return here.response
    if here.visit.draft is not None:
        return redirect(here.url("step", number=first_open_step(here.layout, here.visit.draft).number), 303)
    if not csrf_token_valid(here.visit.key_hash):
        return welcome_page(here, csrf_refused=True)
    key = services.start_open_link(here.visit.campaign)
    if key is None:
        db.session.rollback()
        return unavailable("closed", here.visit)
    db.session.commit()
    response = redirect(here.url("step", number=1), 303)
    open_link_cookie(response, slug, key)
    return response


@route("/step/<int:number>", "step", methods=["GET", "POST"])
def step(number: int, token: str | None = None, slug: str | None = None):
    here = arrive(token, slug)
    if isinstance(here, Gate):
        return here.response
    shown = here.layout.step(number)
    if shown is None:
        abort(404)
    if here.is_open_link and here.visit.draft is None:
        return redirect(here.url("welcome"), 303)
    from_review = request.args.get("from") == "review"
    if request.method == "GET":
        return step_page(here, shown, here.visit.draft or {}, [], from_review=from_review)
    return save_step(here, shown, from_review)


def save_step(here: Here, shown: Step, from_review: bool = False) -> Response:
    page = posted_page(here.layout, shown, here.visit.key_hash)
    merged = merge_page(here.layout.questionnaire, shown, here.visit.draft or {}, page)
    if page.problems:
        again = shown_again(merged, page)
        return step_page(here, shown, again, page.problems, status=400, from_review=from_review)
    outcome = services.save_draft(here.visit, merged)
    if outcome != Outcome.STORED:
        db.session.rollback()
        return outcome_page(here, outcome)
    commit_if_used()
    return redirect(next_url(here, shown, request.form.get("action", "next")), 303)


def next_url(here: Here, shown: Step, action: str) -> str:
    if action == "save":
        return here.url("saved")
    if action == "review":
        return here.url("step", number=len(here.layout.steps))
    if action == "back":
        return here.url("step", number=max(shown.number - 1, 1)) if shown.number > 1 else here.url("welcome")
    return here.url("step", number=min(shown.number + 1, len(here.layout.steps)))


@route("/submit", "submit", methods=["POST"])
def submit(token: str | None = None, slug: str | None = None):
    here = arrive(token, slug)
    if isinstance(here, Gate):
        return here.response
    review = here.layout.steps[-1]
    if not csrf_token_valid(here.visit.key_hash):
        return step_page(here, review, here.visit.draft or {}, [Problem("csrf", "")], status=400)
    outcome = services.submit(here.visit, here.layout)
    if outcome != Outcome.STORED:
        db.session.rollback()
        return outcome_page(here, outcome, status=409)
    db.session.commit()
    if ballots_ready(here.visit.campaign):
        admit_ballots(here.visit.campaign.id)
    return redirect(here.url("thanks"), 303)


def ballots_ready(campaign: services.CampaignInfo) -> bool:
    """A count in one statement (no transaction, no lock) on most submissions; the admission, which locks
    the campaign and counts again, only once there may be k ballots. A failure loses nothing (see below)."""
    try:
        return services.pending_ballots(campaign.id) >= max(campaign.min_group_size, 3)
    except SQLAlchemyError:
        abandon_request_work()
        return False


def admit_ballots(campaign_id: int) -> None:
    """Once the ballot is committed (the respondent's answers are safe): admit the campaign's ballots if
    they are now at least k, then vacuum them away. A failure here loses nothing (the ballots wait for the
    next submission, the vacuum for the next admission or autovacuum), and must not tell the respondent,
    whose answers are stored, to send them again."""
    try:
        admitted = ballots.admit_if_ready(campaign_id)
        db.session.commit()
        if admitted:
            ballots.purge()
    except SQLAlchemyError:
        abandon_request_work()
        current_app.logger.warning("ballots of campaign %s not admitted yet", campaign_id, exc_info=True)


def outcome_page(here: Here, outcome: Outcome, status: int = 200) -> Response:
    if outcome == Outcome.CLOSED:
        return unavailable("closed", here.visit)
    if outcome == Outcome.REVOKED:
        return unavailable("revoked", here.visit)
    return received_page(here, just_now=False, status=status)


@route("/thanks", "thanks")
def thanks(token: str | None = None, slug: str | None = None):
    here = arrive(token, slug, answered_ok=True)
    if isinstance(here, Gate):
        return here.response
    if not here.visit.used:
        return redirect(here.url("welcome"), 303)
    return received_page(here, just_now=True)


@route("/saved", "saved")
def saved(token: str | None = None, slug: str | None = None):
    here = arrive(token, slug)
    if isinstance(here, Gate):
        return here.response
    resume = first_open_step(here.layout, here.visit.draft or {})
    link = current_app.config["CONSULT_BASE_URL"] + here.url("welcome")
    fills = {"resume": str(resume.number), "link": str(escape(link))}
    return render_page(here, "respond/saved.html", fills=fills)


@bp.errorhandler(DBAPIError)
@bp.errorhandler(PoolTimeout)
def database_failed(error: Exception) -> Response:
    """Whatever the database did (down, connections cut, a failed commit), nothing the respondent saved is
    lost: a draft is written whole or not at all, a submission in one transaction. They get a page in their
    language that says so and offers to press the button again, never an error 500."""
    abandon_request_work()
    if database_unavailable(error):
        current_app.logger.warning("respondent page: database unavailable (%s)", type(error).__name__)
    else:
        current_app.logger.error("respondent page: database error", exc_info=error)
    return interrupted(g.get(HERE_KEY), *interruption())


def interruption() -> tuple[str, str]:
    """What the failed request was doing, and the page to go back to."""
    if request.method == "GET":
        return "show", request.path
    kind = (request.endpoint or "").rpartition(".")[2].removeprefix("open_")
    if kind == "step":
        return "save", request.path
    here = g.get(HERE_KEY)
    if kind == "submit" and here is not None:
        return kind, here.url("step", number=len(here.layout.steps))
    args = request.view_args or {}
    welcome = "respond.welcome" if "token" in args else "respond.open_welcome"
    return kind if kind == "submit" else "start", url_for(welcome, **args)
