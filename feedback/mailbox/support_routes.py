"""Routes for "我也关注": the form on a public letter's page and the anonymous JSON call."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response

from engagement.api_errors import NOT_FOUND, RATE_LIMITED
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import DbSession, client_ip, page_user
from engagement.browser import browser_id_or_new, remember_browser
from engagement.db import CommittingRoute
from engagement.ratelimit import limiter, public_write_limit
from engagement.rendering import is_htmx, redirect, render
from feedback.mailbox import labels, support, views
from feedback.mailbox.schemas import PublicLetter

page_router = APIRouter(
    route_class=CommittingRoute, dependencies=[Depends(verify_csrf), Depends(page_user)]
)
api_router = APIRouter(route_class=CommittingRoute, tags=["mailbox"])


@page_router.post("/mailbox/letters/{number}/support")
@limiter.limit(public_write_limit)
def support_page(request: Request, session: DbSession, number: str) -> Response:
    """htmx gets the support block back; a plain form goes back to the letter with a thank-you."""
    browser = browser_id_or_new(request)
    letter = support.support_letter(session, number=number, browser=browser, ip=client_ip(request))
    if is_htmx(request):
        context = {
            "l": views.for_public(letter),
            "labels": labels,
            "thanks": True,
            "supported": True,
        }
        response = render(request, "mailbox/public_letter.html", context, block="support")
    else:
        response = redirect(request, f"/mailbox/letters/{letter.number}?supported=1#support")
    remember_browser(response, browser)
    return response


@api_router.post("/letters/{number}/support", responses=NOT_FOUND | RATE_LIMITED)
@limiter.limit(public_write_limit)
def support_api(
    request: Request,
    number: str,
    session: DbSession,
    x_browser_id: Annotated[str | None, Header(max_length=128)] = None,
) -> PublicLetter:
    """Without `X-Browser-Id` a call counts as a new browser, like a browser without cookies."""
    browser = x_browser_id or secrets.token_urlsafe(16)
    letter = support.support_letter(session, number=number, browser=browser, ip=client_ip(request))
    return views.for_public(letter)
