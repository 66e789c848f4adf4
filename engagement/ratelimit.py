"""Per-address rate limits (slowapi over a `limits` storage named in the settings).

Memory storage counts per worker process: run several workers or machines with Redis.

When Redis does not answer, the site keeps taking letters: each worker counts in its own memory
instead (the limits still hold per worker), logs a warning, shows
`engagement_ratelimit_storage_up 0` on /metrics, and tries Redis again after 1, 2, 4… seconds.
Refusing every citizen because a cache is down would be worse than a looser limit for a while.
"""

from __future__ import annotations

import math
import time

from fastapi import Request
from slowapi import Limiter
from slowapi.util import get_remote_address

from engagement.settings import get_settings


def build_limiter() -> Limiter:
    settings = get_settings()
    return Limiter(
        key_func=get_remote_address,
        storage_uri=settings.ratelimit_storage,
        enabled=settings.ratelimit_enabled,
        headers_enabled=False,
        in_memory_fallback_enabled=True,
    )


limiter = build_limiter()


def storage_up() -> bool:
    """Whether the shared storage answered last time (slowapi keeps this as a private flag)."""
    return not getattr(limiter, "_storage_dead", False)


def login_limit() -> str:
    return get_settings().ratelimit_login


def public_write_limit() -> str:
    return get_settings().ratelimit_public_write


def tracking_limit() -> str:
    return get_settings().ratelimit_tracking


def search_limit() -> str:
    return get_settings().ratelimit_search


def similar_limit() -> str:
    return get_settings().ratelimit_similar


def retry_after_seconds(request: Request) -> int:
    """Seconds until the window that refused this request resets."""
    current = getattr(request.state, "view_rate_limit", None)
    if current is None:
        return 60
    item, keys = current
    reset_at, _remaining = limiter.limiter.get_window_stats(item, *keys)
    return max(1, math.ceil(reset_at - time.time()))
