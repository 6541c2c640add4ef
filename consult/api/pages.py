"""The pages around the API: the account page with personal API tokens, and the API reference."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts.auth import staff_required
from consult.api import tokens
from consult.api.forms import ApiTokenForm
from consult.extensions import db, limiter

bp = Blueprint("api_pages", __name__)


@bp.get("/account")
@staff_required
def account():
    return render_account(ApiTokenForm())


def render_account(form: ApiTokenForm, new_token: str | None = None, status: int = 200):
    return render_template(
        "api/account.html", form=form, tokens=tokens.user_tokens(current_user.id), new_token=new_token
    ), status


@bp.post("/account/tokens")
@staff_required
@limiter.limit("20 per hour")
def create_token():
    """The token is shown on this answer only (never redirected to, never in the session cookie)."""
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return render_account(form, status=422)
    _row, secret = tokens.create_token(current_user, form.name.data, form.read_only.data, form.days.data)
    db.session.commit()
    return render_account(ApiTokenForm(formdata=None), new_token=secret, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
@staff_required
def revoke_token(token_id: int):
    try:
        row = tokens.revoke(token_id, current_user)
    except tokens.TokenError:
        flash(_("No such token."), "error")
    else:
        db.session.commit()
        flash(_("The token %(prefix)s… is revoked.", prefix=row.prefix), "success")
    return redirect(url_for("api_pages.account"))


@bp.get("/api/v1/reference")
def reference():
    """The API's reference, drawn from its OpenAPI document on the server: no script, no CDN."""
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    spec = api.spec.to_dict()
    return render_template("api/reference.html", spec=spec, operations=operations(spec))


def operations(spec: dict) -> list[dict]:
    methods = ("get", "post", "put", "patch", "delete")
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in methods:
            if method in item:
                found.append({"path": path, "method": method.upper(), **item[method]})
    return found
