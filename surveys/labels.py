"""Human words for the surveys' enumerations (msgids, translated where shown)."""

from __future__ import annotations

from engagement.i18n import N_

KIND_LABELS = {
    "single": N_("Single choice"),
    "multiple": N_("Multiple choice"),
    "text": N_("Free text"),
    "rating": N_("Rating scale"),
    "number": N_("Numeric answer"),
}
STATUS_LABELS = {
    "draft": N_("Draft"),
    "scheduled": N_("Opens soon"),
    "open": N_("Open"),
    "closed": N_("Closed"),
}
