"""Public content made through the real API: published letters, consultations, comments, surveys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from engagement.timeutil import utcnow
from tests.analytics.helpers import act, submit


def letter(
    client: TestClient,
    lead: dict[str, str],
    unit_staff: dict[str, str],
    unit: str,
    subject: str,
    body: str,
    reply: str,
    *,
    consent: bool = True,
    publish: bool = True,
    **kw: Any,
) -> dict[str, str]:
    """A letter assigned to `unit`, replied by its staff and, when asked, approved by a leader."""
    sent = submit(client, subject, body, consent=consent, **kw)
    act(client, lead, sent["number"], "assign", department=unit)
    act(client, unit_staff, sent["number"], "reply", body=reply, public=True)
    if publish:
        response = client.post(f"/api/v1/staff/letters/{sent['number']}/publish", headers=lead)
        assert response.status_code == (200 if consent else 409), response.text
    return sent


def consultation(
    client: TestClient, unit_staff: dict[str, str], title: str, *, days: int = 10, text: str = ""
) -> int:
    now = utcnow()
    response = client.post(
        "/api/v1/staff/consultations",
        json={
            "title": title,
            "summary": f"{title}，现公开征求社会公众意见。",
            "sections": [{"heading": "第一条", "text": text or "为规范管理，制定本办法。"}],
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=days)).isoformat(),
        },
        headers=unit_staff,
    )
    assert response.status_code == 201, response.text
    cid = response.json()["id"]
    published = client.post(f"/api/v1/staff/consultations/{cid}/publish", headers=unit_staff)
    assert published.status_code == 200, published.text
    return cid


def comment(
    client: TestClient,
    unit_staff: dict[str, str],
    consultation_id: int,
    body: str,
    decision: str | None,
    **kw: Any,
) -> int:
    response = client.post(
        f"/api/v1/consultations/{consultation_id}/comments",
        json={"section": None, "body": body, **kw},
    )
    assert response.status_code == 201, response.text
    cid = response.json()["id"]
    if decision:
        moderated = client.post(
            f"/api/v1/staff/comments/{cid}/moderate",
            json={"decision": decision, "reason": "与征求意见内容无关"},
            headers=unit_staff,
        )
        assert moderated.status_code == 200, moderated.text
    return cid


def survey(client: TestClient, unit_staff: dict[str, str], title: str, *, days: int = 9) -> int:
    now = utcnow()
    response = client.post(
        "/api/v1/staff/surveys",
        json={
            "title": title,
            "description": "请花一分钟回答。",
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=days)).isoformat(),
            "results_public": True,
            "one_response_per_browser": False,
            "questions": [
                {
                    "key": "q1",
                    "kind": "single",
                    "text": "您对本项服务满意吗？",
                    "required": True,
                    "options": ["满意", "不满意"],
                }
            ],
        },
        headers=unit_staff,
    )
    assert response.status_code == 201, response.text
    sid = response.json()["id"]
    published = client.post(f"/api/v1/staff/surveys/{sid}/publish", headers=unit_staff)
    assert published.status_code == 200, published.text
    return sid
