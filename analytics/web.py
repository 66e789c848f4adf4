"""What analytics adds to the app: the dashboard pages and the figures API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from analytics import public, suggestions
from analytics.api import router as api_router
from analytics.pages import router as page_router
from engagement.auth.policy import Action
from engagement.i18n import N_
from engagement.models import Department
from engagement.settings import get_settings
from engagement.timeutil import utcnow

TEMPLATE_DIR = Path(__file__).parent / "templates"
WORKBENCH_LINKS = [(N_("Dashboard"), "/dashboard", Action.view_dashboard)]

__all__ = ["TEMPLATE_DIR", "WORKBENCH_LINKS", "api_router", "page_router"]

api_router.include_router(suggestions.api_router)
page_router.include_router(suggestions.page_router)


def home_panel(session: Session) -> tuple[dict[str, Any], str]:
    return {
        "year_figures": public.this_year(session),
        "year": utcnow().astimezone(get_settings().tz).year,
    }, "analytics/_home.html"


def unit_panel(session: Session, unit: Department) -> tuple[dict[str, Any], str]:
    return {
        "unit_figures": public.this_year(session, unit),
        "year": utcnow().astimezone(get_settings().tz).year,
    }, "analytics/_unit.html"
