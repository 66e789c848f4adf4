"""The message after an action: shown once by the next page, at its place, signed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.testclient import TestClient

from engagement.notices import COOKIE
from engagement.rendering import redirect, render


def _app_with_action(app):
    router = APIRouter()

    @router.post("/_notice-test/act")
    def act(request: Request):
        return redirect(request, "/_notice-test/page", notice="已保存", place="")

    @router.get("/_notice-test/page")
    def page(request: Request):
        return render(request, "error.html", {"status": 200, "message": "page"})

    app.router.include_router(router)
    return app


def test_a_notice_shows_once_on_the_page_after_the_redirect(app):
    client = TestClient(_app_with_action(app))
    answer = client.post("/_notice-test/act", follow_redirects=False)
    assert answer.status_code == 303
    first = client.get(answer.headers["location"])
    assert "已保存" in first.text and 'role="status"' in first.text and "data-notice" in first.text
    again = client.get(answer.headers["location"])
    assert "已保存" not in again.text


def test_a_forged_notice_is_not_shown(app):
    client = TestClient(_app_with_action(app))
    client.cookies.set(COOKIE, "eyJ0ZXh0IjoiZm9yZ2VkIn0.forged.sig")
    assert "forged" not in client.get("/_notice-test/page").text
