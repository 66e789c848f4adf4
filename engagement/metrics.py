"""`/metrics`: Prometheus text for the operators' monitoring (contract §5), with the Prometheus
client library.

Requests and their latency, by route template and status, are counted by the request log
(`engagement.request_log`). The figures of the data (letters by status, overdue letters, the mail
queue, the last analytics refresh) are read from the database at each scrape, by the readers
that the domains list as `METRICS` in their web module, so every worker answers alike.

Several workers: `engagement serve --workers N` gives them one folder for their counts
(`PROMETHEUS_MULTIPROC_DIR`, the client library's multiprocess mode) and a scrape adds them up,
whichever worker answers. Only addresses in `ENGAGEMENT_METRICS_ALLOW` may read the page;
anyone else gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cache

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from engagement import ratelimit
from engagement.auth.deps import DbSession
from engagement.models import OutboxMail
from engagement.settings import get_settings

Reader = Callable[[Session], Iterable[Metric]]
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

REQUESTS = Counter(
    "engagement_http_requests",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
    registry=None,
)
LATENCY = Histogram(
    "engagement_http_request_duration_seconds",
    "Time to answer HTTP requests, by route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
    registry=None,
)

router = APIRouter()


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


@router.get("/metrics", include_in_schema=False)
def metrics_page(request: Request, session: DbSession) -> Response:
    if not allowed(request.client.host if request.client else ""):
        raise HTTPException(404)
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    registry.register(_Data(session, request.app.state.metric_readers))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(get_settings().metrics_allow))


@cache
def _networks(allow: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in allow.split(",")
        if part.strip()
    )


class _Data(Collector):
    """The database's figures, read when the page is scraped."""

    def __init__(self, session: Session, readers: Iterable[Reader]) -> None:
        self.session, self.readers = session, list(readers)

    def collect(self) -> Iterator[Metric]:
        yield from mail_queue(self.session)
        yield GaugeMetricFamily(
            "engagement_ratelimit_storage_up",
            "1 while the rate-limit storage answers; 0 while this worker counts in memory.",
            value=1 if ratelimit.storage_up() else 0,
        )
        for read in self.readers:
            yield from read(self.session)


def mail_queue(session: Session) -> Iterator[Metric]:
    waiting = session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.sent_at.is_(None)))
    yield GaugeMetricFamily(
        "engagement_mail_queue", "Mails waiting to be sent.", value=waiting or 0
    )


def timestamp(name: str, documentation: str, at: datetime | None) -> GaugeMetricFamily:
    """A moment as seconds since the epoch (0 when it never happened)."""
    return GaugeMetricFamily(name, documentation, value=at.timestamp() if at else 0)
