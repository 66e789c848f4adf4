"""Domain errors raised by services; `app.py` maps them to status codes and pages.

A message is an English msgid with %(name)s placeholders, translated where it is shown.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def render(self, gettext: Any = None) -> str:
        """The message in the reader's language; string parameters that are msgids too."""
        if not gettext:
            return self.message % self.params if self.params else self.message
        params = {k: gettext(v) if isinstance(v, str) else v for k, v in self.params.items()}
        text = gettext(self.message)
        return text % params if params else text


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class Invalid(DomainError):
    """Bad input, reported per field so the API gives one 422 entry and a form one message each."""

    status_code = 422

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message, **params)
        self.errors: list[tuple[str | None, DomainError]] = [
            (field, DomainError(message, **params))
        ]

    @classmethod
    def many(cls, errors: list[tuple[str | None, DomainError]]) -> Invalid:
        first_field, first = errors[0]
        exc = cls(first.message, field=first_field, **first.params)
        exc.errors = errors
        return exc


class Unauthenticated(DomainError):
    status_code = 401
