from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from consult.accounts import services
from consult.accounts.auth import admin_required
from consult.accounts.forms import LoginForm, PasswordResetForm, UserForm
from consult.accounts.models import AuditEvent, User
from consult.extensions import db, limiter

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str:
    """Only a path of this site: browsers read "//host" and "/\\host" as another site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and "\\" not in target:
        return target
    return url_for("home.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(_("The e-mail address or the password is wrong."))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))


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
