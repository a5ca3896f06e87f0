"""Cross-site request forgery protection for the blog's forms.

Each session gets a random token; every form carries it in a hidden field,
and a POST without the matching token is refused with 400.  A site that
only trusts its own forms cannot be made to post by another site's page.
"""

from __future__ import annotations

import hmac
import secrets

from microflask import abort, request, session


def csrf_token() -> str:
    """The session's token, made on first use (templates call this)."""
    token = session.get("csrf_token")
    if token is None:
        token = session["csrf_token"] = secrets.token_urlsafe(32)
    return token


def check_csrf_token() -> None:
    if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
        return
    expected = session.get("csrf_token")
    sent = request.form.get("csrf_token", "")
    if not expected or not hmac.compare_digest(expected, sent):
        abort(400, description="The form has expired or did not come from this site.")


def init_app(app) -> None:
    app.before_request(check_csrf_token)
    app.add_template_global(csrf_token)
