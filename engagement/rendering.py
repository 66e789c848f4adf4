"""One render helper for every page: the whole page, or the named block htmx asked for."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape

from engagement import i18n
from engagement.assets import static_url
from engagement.auth.csrf import csrf_token
from engagement.notices import clear_notice, read_notice, set_notice
from engagement.settings import get_settings
from engagement.timeutil import utcnow


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def make_templates(directories: Sequence[Path]) -> Jinja2Blocks:
    templates = Jinja2Blocks(directory=[str(d) for d in directories])
    env = templates.env
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.template_gettext, i18n.template_ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["local"] = local_time
    env.filters["local_date"] = lambda value: local_time(value, "%Y-%m-%d")
    env.filters["highlight"] = highlight
    env.filters["pct"] = percent
    env.filters["num"] = number
    env.globals["lang_url"] = lang_url
    env.globals["page_url"] = page_url
    env.globals["static_url"] = static_url
    return templates


def highlight(text: str, words: Sequence[str]) -> Markup:
    """`text` escaped, with each of `words` wrapped in <mark> (for moderators and search)."""
    escaped = str(escape(text))
    wanted = sorted({str(escape(w)) for w in words if w}, key=len, reverse=True)
    if not wanted:
        return Markup(escaped)  # noqa: S704 (escaped above)
    pattern = re.compile("|".join(re.escape(w) for w in wanted))
    return Markup(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S704


def percent(value: float | None) -> str:
    """A rate as a percentage; a rate whose divisor was 0 shows as "—", never 0%."""
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.{digits}f}"


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(get_settings().tz).strftime(fmt)


def lang_url(request: Request, language: str) -> str:
    params = {k: v for k, v in request.query_params.multi_items() if k != "lang"}
    return f"{request.url.path}?{urlencode([*params.items(), ('lang', language)])}"


def page_url(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters replaced (for pagers and filters)."""
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in changes.items() if v is not None})
    return f"{request.url.path}?{urlencode(params)}"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    language = i18n.current_language.get()
    whole_page = not (block and is_htmx(request))
    notice = read_notice(request) if whole_page else None
    ctx: dict[str, Any] = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "language": language,
        "html_lang": i18n.LANGUAGES[language],
        "languages": i18n.LANGUAGE_NAMES,
        "display": request.cookies.get("display", "normal"),
        "site_name": get_settings().site_name(language),
        "now_utc": utcnow(),
        "notice": notice,
        **(context or {}),
    }
    kwargs: dict[str, Any] = {"status_code": status_code}
    if not whole_page:
        kwargs["block_name"] = block
    response = request.app.state.templates.TemplateResponse(request, template, ctx, **kwargs)
    if whole_page and request.cookies.get("notice"):
        clear_notice(response)
    response.headers["Vary"] = "HX-Request, Accept-Language, Cookie"
    response.headers["Content-Language"] = i18n.LANGUAGES[language]
    return response


def redirect(request: Request, url: str, *, notice: str | None = None, place: str = "") -> Response:
    """Redirect after POST: a 303 for a plain form, HX-Redirect for htmx.

    `notice` is the message the next page shows once: at the element with id `place` (which the
    URL also scrolls to) when the template puts it there with `notice_at`, else at the top.
    """
    if place:
        url = f"{url.split('#', 1)[0]}#{place}"
    response: Response
    if is_htmx(request):
        response = Response(status_code=200, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if notice:
        set_notice(response, notice, place=place)
    return response
