"""A long-lived random id per browser, for "one per browser" (我也关注, 赞同, one survey answer).

It is a deterrent, not proof of identity: the id is random, kept in an HttpOnly cookie, and
stored only as the domains choose (a hash for support).
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from engagement.settings import get_settings

BROWSER_COOKIE = "browser_id"
YEAR = 365 * 86400


def browser_id(request: Request) -> str | None:
    """This browser's id, or None when it has none yet."""
    return request.cookies.get(BROWSER_COOKIE)


def browser_id_or_new(request: Request) -> str:
    return browser_id(request) or secrets.token_urlsafe(16)


def remember_cookie(response: Response, name: str, value: str, *, max_age: int = YEAR) -> None:
    """Sets an HttpOnly cookie (a year by default), Secure when the site is served by HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=get_settings().cookies_secure,
    )


def remember_browser(response: Response, browser: str) -> None:
    remember_cookie(response, BROWSER_COOKIE, browser)
