"""What the surveys domain adds to the app: routers, templates, workbench entries."""

from __future__ import annotations

from pathlib import Path

from engagement.auth.policy import Action
from engagement.i18n import N_
from surveys.api import router as api_router
from surveys.pages import router as page_router

TEMPLATE_DIR = Path(__file__).parent / "templates"
WORKBENCH_LINKS = [(N_("Surveys"), "/staff/surveys", Action.view_workbench)]

__all__ = ["TEMPLATE_DIR", "WORKBENCH_LINKS", "api_router", "page_router"]
