"""Per-address rate limits (slowapi over a `limits` storage named in the settings).

Memory storage counts per worker process: run several workers or machines with Redis.
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
    )


limiter = build_limiter()


def login_limit() -> str:
    return get_settings().ratelimit_login


def public_write_limit() -> str:
    return get_settings().ratelimit_public_write


def tracking_limit() -> str:
    return get_settings().ratelimit_tracking


def retry_after_seconds(request: Request) -> int:
    """Seconds until the window that refused this request resets."""
    current = getattr(request.state, "view_rate_limit", None)
    if current is None:
        return 60
    item, keys = current
    reset_at, _remaining = limiter.limiter.get_window_stats(item, *keys)
    return max(1, math.ceil(reset_at - time.time()))
