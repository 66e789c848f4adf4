"""Languages: English msgids, a Chinese catalog, the request's choice in a context variable.

zh-CN is the default. `?lang=en` (or `zh`) switches and is remembered in the session; without a
choice the Accept-Language header decides. Catalogs are read from the .po files at start-up, so
there is no compile step to forget.
"""

from __future__ import annotations

import contextvars
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "zh"
LANGUAGES = {"zh": "zh-CN", "en": "en"}  # our code -> the <html lang> value
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

current_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT)


@lru_cache
def translations(language: str) -> NullTranslations:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def gettext(message: str, **params: Any) -> str:
    text = translations(current_language.get()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(current_language.get()).ngettext(singular, plural, n)
    params.setdefault("num", n)
    return text % params


def template_gettext(message: str) -> str:
    """For Jinja's new-style gettext, which fills in the placeholders itself."""
    return translations(current_language.get()).gettext(message)


def template_ngettext(singular: str, plural: str, n: int) -> str:
    """For Jinja's new-style ngettext, which fills in `num` and the other placeholders itself."""
    return translations(current_language.get()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a msgid for extraction where it is translated later (labels in module constants)."""
    return message


def from_accept_language(header: str | None) -> str | None:
    best: tuple[float, str] | None = None
    for part in (header or "").split(","):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        code = tag.strip().lower().split("-")[0]
        if code in LANGUAGES and quality > 0 and (best is None or quality > best[0]):
            best = (quality, code)
    return best[1] if best else None


class LanguageMiddleware:
    """Picks the request's language; must run inside SessionMiddleware to remember a switch."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        session = scope.get("session")
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES and session is not None:
            session["lang"] = chosen
        language = (
            (chosen if chosen in LANGUAGES else None)
            or (session.get("lang") if session else None)
            or from_accept_language(request.headers.get("accept-language"))
            or DEFAULT
        )
        token = current_language.set(language)
        try:
            await self.app(scope, receive, send)
        finally:
            current_language.reset(token)
