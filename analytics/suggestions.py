"""The unit suggestion of a letter: JSON for the API, and a fragment of buttons for the letter page.

Both answer only to someone who may read the letter (`letter_for_staff`: 403 for another unit's
staff, 404 for an unknown number), and both only read the model `analytics refresh` stored.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from analytics import suggester
from engagement.api_errors import NOT_FOUND, STAFF
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import ApiUser, DbSession, PageUser, page_user
from engagement.auth.policy import Action, can
from engagement.db import CommittingRoute
from engagement.rendering import render
from feedback.mailbox import labels, rules, service
from feedback.mailbox.models import Category
from feedback.mailbox.schemas import UnitRef

api_router = APIRouter(route_class=CommittingRoute, tags=["mailbox"])
page_router = APIRouter(
    route_class=CommittingRoute, dependencies=[Depends(verify_csrf), Depends(page_user)]
)


class UnitSuggestion(BaseModel):
    department: UnitRef
    score: float = Field(ge=0, le=1)


class CategorySuggestion(BaseModel):
    value: Category
    score: float = Field(ge=0, le=1)


class SuggestionsRead(BaseModel):
    departments: list[UnitSuggestion]
    category: CategorySuggestion | None


@api_router.get("/staff/letters/{number}/suggestions", responses=STAFF | NOT_FOUND)
def letter_suggestions(number: str, session: DbSession, user: ApiUser) -> SuggestionsRead:
    """At most three units, most likely first; `[]` and `null` before anything was learned."""
    letter = service.letter_for_staff(session, user, number)
    return SuggestionsRead.model_validate(suggester.suggest(session, letter).as_contract())


@page_router.get("/staff/letters/{number}/suggestions")
def suggestions_fragment(
    request: Request, session: DbSession, user: PageUser, number: str
) -> Response:
    """Buttons that assign the letter to a suggested unit in one step (the page's assign form)."""
    letter = service.letter_for_staff(session, user, number)
    return render(
        request,
        "analytics/suggestions.html",
        {
            "number": number,
            "found": suggester.suggest(session, letter),
            "current": letter.department.slug if letter.department else None,
            "may_assign": can(user, Action.assign_letter, letter.department_id)
            and letter.status in rules.ALLOWED_FROM["assign"],
            "labels": labels,
        },
        block="suggestions",
    )
