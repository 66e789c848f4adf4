from tests.analytics.dataset import dataset, water, water_staff
from tests.analytics.helpers import fast_passwords, no_rate_limits, shared_templates

__all__ = [
    "dataset",
    "fast_passwords",
    "no_rate_limits",
    "shared_templates",
    "water",
    "water_staff",
]
