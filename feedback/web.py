"""What the feedback domain adds to the app: routers, templates, workbench entries."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from engagement.auth.policy import Action
from engagement.i18n import N_
from feedback.consultations import api as consultations_api
from feedback.consultations import pages as consultations_pages
from feedback.mailbox import api as mailbox_api
from feedback.mailbox import pages as mailbox_pages

TEMPLATE_DIR = Path(__file__).parent / "templates"

api_router = APIRouter()
api_router.include_router(mailbox_api.router)
api_router.include_router(consultations_api.router)

page_router = APIRouter()
page_router.include_router(mailbox_pages.router)
page_router.include_router(consultations_pages.router)

WORKBENCH_LINKS = [
    (N_("Letters to handle"), "/staff/letters", Action.view_workbench),
    (N_("Reply templates"), "/staff/templates", Action.view_workbench),
    (N_("Consultations"), "/staff/consultations", Action.view_workbench),
    (N_("Sensitive words"), "/staff/sensitive-words", Action.manage_settings),
]
