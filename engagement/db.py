"""Engine, sessions and the one place a request's unit of work is committed.

Services `add` and `flush`; `CommittingRoute` commits after the endpoint returned and *before*
the response leaves, so a citizen is never told "submitted" for a write that then failed.
"""

from __future__ import annotations

import contextvars
import fcntl
import os
import threading
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
    from engagement.settings import get_settings

    settings = get_settings()
    kwargs.setdefault("pool_size", settings.db_pool_size)
    kwargs.setdefault("max_overflow", settings.db_max_overflow)
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.driver == "psycopg":
        _configure_psycopg(engine)
    return engine


def _configure_psycopg(engine: Engine) -> None:
    """Text goes to PostgreSQL without NUL characters, which its text cannot hold (SQLite's can).

    A NUL typed into any field or URL would otherwise fail the request with a DataError, a 500.
    No one means one: it is invisible, and a lookup with it finds what it finds without it.
    """
    from psycopg.abc import Buffer
    from psycopg.types.string import StrBinaryDumper, StrDumperUnknown

    class TextDumper(StrDumperUnknown):
        def dump(self, obj: str) -> Buffer | None:
            return super().dump(obj.replace("\x00", ""))

    class BinaryTextDumper(StrBinaryDumper):
        def dump(self, obj: str) -> Buffer | None:
            return super().dump(obj.replace("\x00", ""))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.adapters.register_dumper(str, TextDumper)
        dbapi_connection.adapters.register_dumper(str, BinaryTextDumper)


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
        # Sorts too big for memory (the rollups' GROUP BYs) may merge on a second thread.
        cursor.execute("PRAGMA threads=2")
        cursor.close()

    writers = WriterQueue(engine.url.database)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not write_intent.get():
            connection.exec_driver_sql("BEGIN")
            return
        writers.acquire()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            writers.release()
            raise
        connection.info["holds_writer_lock"] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(connection: Any) -> None:
        if connection.info.pop("holds_writer_lock", False):
            writers.release()


class WriterQueue:
    """Makes SQLite writers wait in line instead of polling.

    SQLite's busy handler sleeps and retries (up to 100 ms a time), so under load some writers
    wait seconds while others keep winning. Writers of one process queue on a lock, and the
    processes (uvicorn workers) on an flock of a file beside the database.
    """

    def __init__(self, database: str | None) -> None:
        self._thread_lock = threading.Lock()
        path = database if database and database != ":memory:" else None
        self._fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600) if path else None

    def acquire(self) -> None:
        self._thread_lock.acquire()
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._thread_lock.release()
                raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()


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
    if session.in_transaction():  # a hot handler may have committed on its own thread already
        await run_in_threadpool(session.commit)
    if session.info.pop("outbox", False):
        from engagement.mail import deliver_in_background

        deliver_in_background(request.app.state.sessionmaker)
