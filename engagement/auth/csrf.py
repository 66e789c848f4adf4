"""CSRF tokens for the cookie-based HTML forms (the bearer-token JSON API needs none)."""

from __future__ import annotations

import secrets

from fastapi import Request

from engagement.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfFailed(Forbidden):
    pass


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def rotate_csrf(request: Request) -> None:
    """A new token at sign-in and sign-out, so that a token seen before (a shared computer, a
    token planted by an attacker) is worth nothing once the session's rights change."""
    request.session["csrf"] = secrets.token_urlsafe(32)


async def verify_csrf(request: Request) -> None:
    """Router dependency: refuses an unsafe request whose token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(HEADER)
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise CsrfFailed(
            "This form has expired or did not come from this site. "
            "Go back, reload the page and send it again."
        )
