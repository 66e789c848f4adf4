"""Human words for the consultations' enumerations (msgids, translated where shown)."""

from __future__ import annotations

from engagement.i18n import N_

KIND_LABELS = {
    "regulation_draft": N_("Draft regulation"),
    "major_decision": N_("Major administrative decision"),
    "normative_document": N_("Normative document"),
    "other": N_("Other"),
}
STATUS_LABELS = {
    "draft": N_("Draft"),
    "scheduled": N_("Opens soon"),
    "open": N_("Open for comment"),
    "closed": N_("Closed"),
    "reported": N_("Results published"),
}
COMMENT_STATUS_LABELS = {
    "pending": N_("Waiting for review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}
DECISION_LABELS = {
    "adopted": N_("Adopted"),
    "partially_adopted": N_("Partly adopted"),
    "not_adopted": N_("Not adopted"),
}
CHANNEL_LABELS = {
    "phone": N_("Phone"),
    "letter": N_("Letters by post"),
    "meeting": N_("Meetings and hearings"),
    "email": N_("Email"),
    "other": N_("Other channels"),
}
