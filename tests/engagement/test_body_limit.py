"""Request bodies are bounded: too large answers 413 before the body is read (issue: a 60 MB body
was read whole before its 422)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from engagement.settings import get_settings

MB = 1024 * 1024


def call(app: FastAPI, path: str, chunks: list[bytes], length: int | None) -> tuple[int, int]:
    """Sends a POST straight to the ASGI app; returns (status, body bytes the app read)."""
    headers = [(b"content-type", b"application/json")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    pending = list(chunks)
    read = 0
    answer: dict[str, int] = {}

    async def receive() -> dict[str, Any]:
        nonlocal read
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    # A thread of its own: another test's event loop may still run in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, app(scope, receive, send)).result()
    return answer["status"], read


def test_a_declared_length_over_the_limit_is_refused_unread(app: FastAPI) -> None:
    status, read = call(app, "/api/v1/letters", [b"{}"], length=60 * MB)

    assert (status, read) == (413, 0)


def test_a_chunked_body_is_refused_once_it_passes_the_limit(app: FastAPI) -> None:
    limit = get_settings().body_max_bytes
    chunks = [b"x" * MB for _ in range(60)]

    status, read = call(app, "/api/v1/letters", chunks, length=None)

    assert status == 413
    assert read <= limit + MB  # it stopped reading, not after 60 MB


def test_a_letter_with_its_photos_may_be_larger(app: FastAPI) -> None:
    settings = get_settings()
    photos = settings.upload_max_files * settings.upload_max_bytes

    status, _ = call(app, "/mailbox", [b"x"], length=photos)

    assert status != 413  # refused later, for what it says, not for its size


def test_a_page_says_so_in_chinese(client: TestClient) -> None:
    response = client.post(
        "/consultations/1/comments",
        content=b"x" * (get_settings().body_max_bytes + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 413
    assert "您提交的内容过大" in response.text


def test_the_api_answers_json(client: TestClient) -> None:
    response = client.post(
        "/api/v1/letters",
        content=b"x" * (get_settings().body_max_bytes + 1),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large"}
