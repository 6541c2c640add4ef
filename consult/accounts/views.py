from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from consult.accounts import services
from consult.accounts.auth import admin_required, start_new_session
from consult.accounts.forms import LoginForm, PasswordResetForm, UserForm
from consult.accounts.models import AuditEvent, User
from consult.extensions import db, limiter
from consult.sso.client import ID_TOKEN_KEY, end_session_url, local_passwords, sso_settings

bp = Blueprint("accounts", __name__)

URL_STRIPPED = re.compile(r"[\t\n\r]")
URL_EDGES = "".join(map(chr, range(0x21)))
"""What the WHATWG URL parser removes: tabs and newlines anywhere, C0 controls and spaces at either end."""
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str:
    """The page to go to after signing in: ``target`` if it is a path of this site, else the dashboard."""
    return local_path(target or "") or url_for("home.dashboard")


def local_path(target: str) -> str | None:
    """``target`` as a browser reads it, if that is a path of this site. Browsers drop tabs and newlines
    anywhere and control characters and spaces at the ends, and read a backslash as a slash: "/\\t/host",
    "\\/\\/host" and " //host" all lead to another site. The check is made on what the browser will read, and
    that is what is returned; a path holding any other control character is refused."""
    path = URL_STRIPPED.sub("", target).strip(URL_EDGES).replace("\\", "/")
    if not path.startswith("/") or path.startswith("//") or CONTROL.search(path):
        return None
    parts = urlsplit(path)
    return path if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if request.method == "POST" and not local_passwords():
        form.validate_on_submit()
        form.password.errors.append(
            _("Passwords are turned off here: sign in with your institution's account.")
        )
    elif form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            start_new_session()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    return render_template("accounts/login.html", form=form, sso=sso_settings(), passwords=local_passwords())


@bp.post("/logout")
def logout():
    """Signing out ends the session on the server too: a copy of the cookie no longer signs anyone in."""
    if current_user.is_authenticated:
        services.end_sessions(current_user)
        db.session.commit()
    provider_sign_out = end_session_url(session.get(ID_TOKEN_KEY))
    logout_user()
    start_new_session()
    flash(_("You are signed out."), "info")
    return redirect(provider_sign_out or url_for("home.index"))


@bp.route("/admin/users", methods=["GET", "POST"])
@admin_required
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            services.create_user(
                form.email.data, form.role.data, form.password.data, form.name.data, current_user
            )
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("User %(email)s created.", email=form.email.data), "success")
            return redirect(url_for("accounts.users"))
    all_users = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("accounts/users.html", form=form, users=all_users)


@bp.post("/admin/users/<int:user_id>/active")
@admin_required
def toggle_active(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot disable your own account."), "error")
    else:
        services.set_active(user, not user.active, current_user)
        db.session.commit()
    return redirect(url_for("accounts.users"))


@bp.get("/admin/audit")
@admin_required
def audit():
    page = db.paginate(select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), per_page=50)
    return render_template("accounts/audit.html", page=page)


@bp.route("/admin/users/<int:user_id>/password", methods=["GET", "POST"])
@admin_required
def reset_password(user_id: int):
    """An administrator gives a user a new password; the user's open sessions end."""
    user = db.get_or_404(User, user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data, current_user)
        except services.AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            if user.id == current_user.id:
                login_user(user)
            flash(_("New password set for %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/password.html", form=form, user=user)
