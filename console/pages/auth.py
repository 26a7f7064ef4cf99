"""Sign-in, sign-out, the language switch and the console's front door.

Sign-in checks credentials with the API's own ``auth.service.authenticate`` and is
throttled by the API login's own limits in the same buckets (``auth.throttling.sign_in_limits``:
``LOGIN_LIMIT_PER_ACCOUNT`` per login and address, ``LOGIN_LIMIT_PER_IP``, failures only), so
failures at the API and here add up to one count. Employees are told to use the app
and get no session. There is no session yet to hold the sign-in form's CSRF token: it is bound
to a pre-session cookie instead (``web.login_csrf_token``), so a sign-in posted from another
site, with the attacker's account, signs nobody in (login CSRF) and answers 403. A new session
is started on every sign-in.
"""
import marshmallow as ma
from flask import current_app, g, redirect, request, url_for

from service_app.auth import service as auth_service
from service_app.auth import throttling, web_sessions
from service_app.auth.schemas import LoginSchema
from service_app.errors import ApiError
from service_app.extensions import db
from service_app.vocabulary import LANGUAGES, STAFF_ROLES

from ..messages import _
from ..web import (bp, check_next, clear_login_cookie, clear_session_cookie, login_csrf_matches, render, safe_next,
                   set_session_cookie)


@bp.route("/login", methods=["GET"])
def login():
    if g.user is not None:
        return redirect(url_for("console.home"), code=303)
    notice = _("Your session has ended. Please sign in again.") if request.args.get("ended") else None
    return render("login.html", next=check_next(request.args.get("next", "")), notice=notice)


@bp.route("/login", methods=["POST"])
@throttling.sign_in_limits  # the API login's own buckets: a failure at either door counts at both
def sign_in():
    if not login_csrf_matches():  # before anything is read or stored: a fresh form to sign in with
        return render("login.html", 403, next="", error=_("The sign-in form had expired. Please sign in again."))
    login_name = request.form.get("login") or ""
    target = check_next(request.form.get("next") or "")
    try:  # the API's own sign-in schema: lengths, no control characters
        credentials = LoginSchema().load({"login": login_name, "password": request.form.get("password") or ""})
    except ma.ValidationError:
        return render("login.html", 401, next=target, error=_("Wrong login or password."), login=login_name[:64])
    try:
        user = auth_service.authenticate(credentials["login"], credentials["password"])
    except ApiError:
        db.session.rollback()
        return render("login.html", 401, next=target, error=_("Wrong login or password."), login=login_name[:64])
    if user.role not in STAFF_ROLES:
        g.lang = user.language if user.language in LANGUAGES else g.lang
        refusal = _("The console is for administrators and managers. Please use the Santrade Service app.")
        return render("login.html", 403, next="", error=refusal, login=login_name[:64])
    if g.signed is not None:
        web_sessions.close_session(g.signed)
    token = web_sessions.open_session(user)
    db.session.commit()
    return clear_login_cookie(set_session_cookie(redirect(safe_next(target), code=303), token))


@bp.route("/logout", methods=["POST"])
def logout():
    web_sessions.close_session(g.signed)
    return clear_session_cookie(redirect(url_for("console.login"), code=303))


@bp.route("/language", methods=["POST"])
def language():
    target = check_next(request.form.get("next"))  # before anything is stored
    chosen = request.form.get("language")
    if chosen in LANGUAGES:
        web_sessions.set_language(g.signed, chosen)
    return redirect(safe_next(target), code=303)


@bp.route("/")
def home():
    if "console.queue" in current_app.view_functions:
        return redirect(url_for("console.queue"), code=303)
    return render("home.html")
