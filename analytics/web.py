"""What analytics adds to the app: the dashboard pages and the figures API."""

from __future__ import annotations

from pathlib import Path

from analytics.api import router as api_router
from analytics.pages import router as page_router
from engagement.auth.policy import Action
from engagement.i18n import N_

TEMPLATE_DIR = Path(__file__).parent / "templates"
WORKBENCH_LINKS = [(N_("Dashboard"), "/dashboard", Action.view_dashboard)]

__all__ = ["TEMPLATE_DIR", "WORKBENCH_LINKS", "api_router", "page_router"]
