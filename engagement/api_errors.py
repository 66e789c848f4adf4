"""The JSON API's error answers as /openapi.json documents them, shared by every router.

Each constant is a FastAPI `responses=` entry; a route joins those it can answer with `|`, e.g.
`responses=STAFF | CONFLICT`. 422 needs none: FastAPI documents it for every route with a
parameter, with the same `{"detail": [{"loc", "msg", "type"}]}` that `Invalid` answers.
The fuzz test (tests/test_openapi_fuzz.py) fails on any status a route answers undocumented.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

Responses = dict[int | str, dict[str, Any]]


class ErrorRead(BaseModel):
    detail: str


def _error(description: str, *headers: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"model": ErrorRead, "description": description}
    if headers:
        answer["headers"] = {n: {"required": True, "schema": {"type": "string"}} for n in headers}
    return answer


BAD_BODY: Responses = {
    400: _error("The body could not be read: not JSON, or not a form, or not UTF-8."),
    413: _error("The body is larger than this route takes."),
}
UNAUTHENTICATED: Responses = {
    401: _error("No bearer token, or one that is wrong or expired.", "WWW-Authenticate")
}
FORBIDDEN: Responses = {403: _error("The caller's role or unit may not do this.")}
NOT_FOUND: Responses = {404: _error("No such object, or none the caller may see.")}
CONFLICT: Responses = {409: _error("The object's state does not allow this now.")}
RATE_LIMITED: Responses = {429: _error("Too many requests from this address.", "Retry-After")}

STAFF: Responses = UNAUTHENTICATED | FORBIDDEN
"""Every call with a bearer token: 401 without a valid one, 403 for a wrong role or unit."""

PUBLIC_WRITE: Responses = BAD_BODY | RATE_LIMITED
"""An anonymous write: a body that may be unreadable and a rate limit."""
