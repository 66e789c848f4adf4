"""Engine, sessions and the one place a request's unit of work is committed.

Services `add` and `flush`; `CommittingRoute` commits after the endpoint returned and *before*
the response leaves, so a citizen is never told "submitted" for a write that then failed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# Set for requests that will write, so SQLite takes its write lock up front (BEGIN IMMEDIATE)
# and waits on busy_timeout instead of failing with "database is locked" mid-transaction.
write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling breaks SAVEPOINTs).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; `CommittingRoute` commits it, this only closes it."""
    session: Session = request.app.state.sessionmaker()
    request.state.db = session
    try:
        yield session
    finally:
        session.close()


class CommittingRoute(APIRoute):
    """Commits the request's session once the endpoint succeeded, before the response is sent."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def commit_then_respond(request: Request) -> Response:
            try:
                response = await handler(request)
            except BaseException:
                await _finish(request, commit=False)
                raise
            await _finish(request, commit=response.status_code < 400)
            return response

        return commit_then_respond


async def _finish(request: Request, *, commit: bool) -> None:
    session: Session | None = getattr(request.state, "db", None)
    if session is None:
        return
    if not commit:
        await run_in_threadpool(session.rollback)
        return
    await run_in_threadpool(session.commit)
    if session.info.pop("outbox", False):
        from engagement.mail import deliver_in_background

        deliver_in_background(request.app.state.sessionmaker)
