from tests.analytics.dataset import dataset, water, water_staff
from tests.analytics.helpers import no_rate_limits

__all__ = [
    "dataset",
    "no_rate_limits",
    "water",
    "water_staff",
]
