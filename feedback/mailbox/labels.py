"""Human words for the mailbox's enumerations (msgids, translated where shown)."""

from __future__ import annotations

from engagement.i18n import N_

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
    "merged": N_("Merged as a duplicate"),
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
