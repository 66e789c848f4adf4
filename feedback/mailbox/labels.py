"""Human words for the mailbox's enumerations (msgids, translated where shown)."""

from __future__ import annotations

from typing import Any

from engagement.i18n import N_, gettext

CATEGORY_LABELS = {
    "consultation": N_("Enquiry"),
    "complaint": N_("Complaint"),
    "suggestion": N_("Suggestion"),
    "help": N_("Request for help"),
    "report": N_("Report"),
}
STATUS_LABELS = {
    "submitted": N_("Received, awaiting assignment"),
    "assigned": N_("Being handled"),
    "replied": N_("Replied"),
    "reopened": N_("Reopened"),
    "closed": N_("Case closed"),
    "rejected": N_("Not accepted"),
}
SATISFACTION_LABELS = {
    "satisfied": N_("Satisfied"),
    "basically_satisfied": N_("Basically satisfied"),
    "unsatisfied": N_("Unsatisfied"),
}
EVENT_LABELS = {
    "submitted": N_("Letter received"),
    "assigned": N_("Assigned to %(unit)s"),
    "transferred": N_("Transferred to %(unit)s"),
    "replied": N_("Replied by %(unit)s"),
    "rated": N_("Rated by the writer"),
    "reopened": N_("Reopened for a new reply"),
    "closed": N_("Case closed"),
    "rejected": N_("Not accepted"),
    "published": N_("Approved for publication"),
    "note": N_("Internal note"),
    "merged": N_("Merged as a duplicate of letter %(into)s"),
    "extension_requested": N_("More time asked for: %(days)s working days"),
    "extension_approved": N_("Deadline extended by %(days)s working days"),
    "extension_refused": N_("Extension of %(days)s working days refused"),
}
URGENCY_LABELS = {
    "overdue": N_("Overdue"),
    "due_soon": N_("Due soon"),
    "ok": N_("On time"),
}
REJECTION_REASONS = [
    N_("The matter belongs to a court, arbitration or administrative review."),
    N_(
        "The matter belongs to the Party committee, people's congress, CPPCC, court or "
        "procuratorate."
    ),
    N_("The same petition has already been handled and closed."),
    N_("No usable contact details were given."),
    N_("The letter is advertising or has no real content."),
]


def event_text(kind: str, unit: str, detail: dict[str, Any]) -> str:
    """One timeline line in the reader's language; a merge without its number reads plainly."""
    if kind == "merged" and not detail.get("into"):
        return gettext("Merged as a duplicate")
    msgid = EVENT_LABELS.get(kind, N_("Other change"))
    return gettext(msgid, unit=unit, days=detail.get("days", ""), into=detail.get("into", ""))
