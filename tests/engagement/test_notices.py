"""The message after an action: shown once by the next page, at its place, signed."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.testclient import TestClient

from engagement.app import create_app
from engagement.notices import COOKIE
from engagement.rendering import redirect, render


def _app_with_action() -> FastAPI:
    """An app of its own: the routes below must not join the app other tests share."""
    app = create_app()
    router = APIRouter()

    @router.post("/_notice-test/act")
    def act(request: Request) -> Response:
        return redirect(request, "/_notice-test/page", notice="已保存", place="")

    @router.get("/_notice-test/page")
    def page(request: Request) -> Response:
        return render(request, "error.html", {"status": 200, "message": "page"})

    app.router.include_router(router)
    return app


def test_a_notice_shows_once_on_the_page_after_the_redirect() -> None:
    client = TestClient(_app_with_action())
    answer = client.post("/_notice-test/act", follow_redirects=False)
    assert answer.status_code == 303
    first = client.get(answer.headers["location"])
    assert "已保存" in first.text and 'role="status"' in first.text and "data-notice" in first.text
    again = client.get(answer.headers["location"])
    assert "已保存" not in again.text


def test_a_forged_notice_is_not_shown() -> None:
    client = TestClient(_app_with_action())
    client.cookies.set(COOKIE, "eyJ0ZXh0IjoiZm9yZ2VkIn0.forged.sig")
    assert "forged" not in client.get("/_notice-test/page").text


def test_a_notice_with_a_place_sends_the_browser_there_and_waits_there() -> None:
    app = _app_with_action()

    @app.post("/_notice-test/placed")
    def placed(request: Request) -> Response:
        return redirect(request, "/_notice-test/page#old", notice="已分办", place="actions")

    client = TestClient(app)
    answer = client.post("/_notice-test/placed", follow_redirects=False)
    assert answer.headers["location"] == "/_notice-test/page#actions"
    page = client.get("/_notice-test/page")
    # error.html has no element "actions": a placed notice is not shown at the top instead
    assert "已分办" not in page.text
