"""A crash is answered with a 500 and the connection lives on, behind a real server (uvicorn)."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import sessionmaker

from engagement.app import create_app


def _crashing_app(connection: Connection) -> FastAPI:
    application = create_app()
    application.state.sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    router = APIRouter()

    @router.get("/api/v1/test-probe/crash")
    @router.get("/test-probe/crash")
    def crash() -> None:
        raise RuntimeError("a bug")

    application.include_router(router)
    return application


@pytest.fixture
def server_port(connection: Connection) -> Iterator[int]:
    """uvicorn serving the app on a free port of 127.0.0.1, in a thread, for this test only."""
    config = uvicorn.Config(
        _crashing_app(connection), host="127.0.0.1", port=0, lifespan="off", log_level="critical"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("path", ["/test-probe/crash", "/api/v1/test-probe/crash"])
def test_the_connection_serves_the_next_request_after_a_500(server_port: int, path: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server_port, timeout=10)
    connection.request("GET", path)
    crashed = connection.getresponse()
    crashed.read()
    socket = connection.sock

    connection.request("GET", "/api/v1/health")
    after = connection.getresponse()

    assert crashed.status == 500
    assert not crashed.will_close
    assert after.status == 200
    assert connection.sock is socket  # the same connection, not a silent reconnect
    connection.close()


def test_a_crash_is_a_500_page_or_json_with_the_security_headers(connection: Connection) -> None:
    client = TestClient(_crashing_app(connection))

    page = client.get("/test-probe/crash")
    api = client.get("/api/v1/test-probe/crash")

    assert page.status_code == 500
    assert "系统错误" in page.text
    assert api.status_code == 500
    assert api.json() == {"detail": "Internal server error"}
    assert page.headers["x-content-type-options"] == "nosniff"
