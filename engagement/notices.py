"""The message a person sees after an action: "已分办", "用户已添加".

After a form posts and the server redirects (post/redirect/get), the message rides in a short-lived
signed cookie and is shown once by the next page, at the place of the action (`place`, an element id
the redirect's URL also scrolls to) or else at the top of the page. site.js moves the focus to it,
so a screen reader reads it. An htmx answer that swaps a fragment instead announces its message
through the page's live region (`announce`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from engagement.browser import remember_cookie
from engagement.settings import get_settings

COOKIE = "notice"
MAX_AGE = 120  # seconds: the page that follows the redirect reads it at once


@dataclass(frozen=True)
class Notice:
    text: str
    place: str = ""  # the id of the element the message belongs to; "" for the top of the page
    kind: str = "ok"  # or "error": the alert-… class


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="engagement-notice")


def set_notice(response: Response, text: str, *, place: str = "", kind: str = "ok") -> None:
    """Shows `text` once on the next page this browser opens."""
    value = _serializer().dumps({"text": text, "place": place, "kind": kind})
    remember_cookie(response, COOKIE, value, max_age=MAX_AGE)


def read_notice(request: Request) -> Notice | None:
    """The notice waiting for this page, if any (`clear_notice` then drops it)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None
    return Notice(str(data["text"]), str(data.get("place") or ""), str(data.get("kind") or "ok"))


def clear_notice(response: Response) -> None:
    """Drops the shown notice, so that a reload does not repeat it."""
    response.delete_cookie(
        COOKIE, httponly=True, samesite="lax", secure=get_settings().cookies_secure
    )


def announce(response: Response, text: str) -> None:
    """Has site.js read `text` out through the page's live region after an htmx swap."""
    # HX-Trigger is JSON; json.dumps escapes non-ASCII, as an HTTP header needs.
    response.headers["HX-Trigger"] = json.dumps({"engagement:announce": text})
