"""The admin's import page: upload, read the check's report, import with progress, audit.

Most tests run the job inline on the test's connection; one runs the real background thread
against an app on its own SQLite file and follows the progress as a browser would.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.models import AuditEvent, Department, User
from engagement.settings import get_settings
from feedback.mailbox import import_jobs
from feedback.mailbox.models import Letter
from tests import factories
from tests.conftest import csrf_from, login
from tests.feedback.test_import import GOOD, write_csv


@pytest.fixture(autouse=True)
def import_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "imports"
    monkeypatch.setattr(get_settings(), "import_dir", folder)
    return folder


@pytest.fixture
def inline(app: FastAPI) -> None:
    """Jobs run within the request, on the test's connection."""
    app.state.import_runner = import_jobs.run


@pytest.fixture
def as_admin(
    client: TestClient, admin: User, housing: Department, township: Department, inline: None
) -> TestClient:
    login(client, admin.username)
    return client


def upload(client: TestClient, path: Path, name: str | None = None) -> tuple[int, str, str]:
    """Posts the file as the page's form does; returns (status, page, job page address)."""
    token = csrf_from(client, "/admin/import")
    response = client.post(
        "/admin/import",
        data={"csrf_token": token},
        files={"file": (name or path.name, path.read_bytes(), "text/csv")},
        follow_redirects=False,
    )
    if response.status_code != 303:
        return response.status_code, response.text, ""
    location = response.headers["location"]
    return 303, client.get(location).text, location


def letters(db: Session) -> int:
    return db.scalar(select(func.count(Letter.id))) or 0


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_admin_reads_the_check_then_imports(
    as_admin: TestClient, db: Session, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "旧系统来信.csv", GOOD)

    status, page, job = upload(as_admin, path)

    assert status == 303
    shown = text_of(page)
    assert "2019-04-25 – 2019-04-27" in shown  # the period covered
    assert "县住房和城乡建设局 2" in shown  # units found, with their letters
    assert "导入 3 封来信" in shown  # the button says what it will do
    assert letters(db) == 0  # a check writes nothing

    token = csrf_from(as_admin, job)
    done = as_admin.post(f"{job}/import", data={"csrf_token": token})

    assert "已导入 3 封来信" in text_of(done.text)
    assert letters(db) == 3
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "letter.import")).one()
    assert (event.actor_name, event.detail["file"]) == ("admin1", "旧系统来信.csv")
    assert event.detail["imported"] == 3
    assert not list((get_settings().import_dir).glob("*/upload.*"))  # personal data not kept


def test_importing_the_same_file_again_adds_nothing(
    as_admin: TestClient, db: Session, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "letters.csv", GOOD)
    for _ in range(2):
        _, _, job = upload(as_admin, path)
        as_admin.post(f"{job}/import", data={"csrf_token": csrf_from(as_admin, job)})

    _, page, _ = upload(as_admin, path)

    assert letters(db) == 3
    assert "已存在（跳过） 3" in text_of(page)


def test_a_file_with_bad_rows_lists_them_in_chinese_and_offers_no_import(
    as_admin: TestClient, db: Session, tmp_path: Path
) -> None:
    bad = [{**GOOD[0], "department": "no-such-unit"}, GOOD[1], {**GOOD[2], "category": "抱怨"}]

    _, page, job = upload(as_admin, write_csv(tmp_path / "bad.csv", bad))

    shown = text_of(page)
    assert "文件有 2 处问题，未导入任何来信" in shown
    assert "未知单位“no-such-unit”" in shown
    assert "未知类别“抱怨”" in shown
    assert f'action="{job}/import"' not in page
    forced = as_admin.post(f"{job}/import", data={"csrf_token": csrf_from(as_admin, job)})
    assert forced.status_code == 409
    assert letters(db) == 0


def test_the_report_reads_in_english_too(as_admin: TestClient, db: Session, tmp_path: Path) -> None:
    as_admin.get("/admin/import?lang=en")
    bad = [{**GOOD[1], "submitted_at": "someday"}]

    _, page, _ = upload(as_admin, write_csv(tmp_path / "bad.csv", bad))

    assert "unreadable date “someday” (use YYYY-MM-DD HH:MM)" in text_of(page)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letters.txt", b"submitted_at,subject\n", "请上传 .csv 或 .xlsx 文件"),
        ("letters.csv", b"", "文件是空的"),
    ],
)
def test_other_files_are_refused_on_the_form(
    as_admin: TestClient, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    status, page, _ = upload(as_admin, path)

    assert status == 422
    assert message in text_of(page)
    assert not list(get_settings().import_dir.glob("*/job.json"))


def test_a_file_over_the_limit_is_refused_and_not_kept(
    as_admin: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "import_max_bytes", 100)

    status, page, _ = upload(as_admin, write_csv(tmp_path / "letters.csv", GOOD))

    assert status == 422
    assert "engagement import letters" in page
    assert not any(get_settings().import_dir.iterdir())


@pytest.mark.parametrize("role", ["staff", "leader"])
def test_only_admins_import(
    client: TestClient, housing: Department, role: str, tmp_path: Path
) -> None:
    user = factories.user(username=f"{role}9", role=role, department=housing)
    login(client, user.username)
    token = csrf_from(client, "/staff")

    assert client.get("/admin/import").status_code == 403
    posted = client.post(
        "/admin/import",
        data={"csrf_token": token},
        files={"file": ("a.csv", b"submitted_at,subject\n", "text/csv")},
    )
    assert posted.status_code == 403


def test_an_upload_without_the_forms_token_is_refused(as_admin: TestClient) -> None:
    response = as_admin.post("/admin/import", files={"file": ("a.csv", b"x", "text/csv")})

    assert response.status_code == 403
    assert not list(get_settings().import_dir.glob("*/job.json"))


def test_an_import_stopped_by_a_restart_can_be_finished(
    as_admin: TestClient, db: Session, tmp_path: Path
) -> None:
    _, _, job = upload(as_admin, write_csv(tmp_path / "letters.csv", GOOD))
    stored = get_settings().import_dir / job.rsplit("/", 1)[1] / "job.json"
    state = json.loads(stored.read_text(encoding="utf-8"))
    # The process died while importing: no heartbeat since.
    state.update(state="importing", phase="importing", updated_at=time.time() - 3600)
    stored.write_text(json.dumps(state), encoding="utf-8")

    page = as_admin.get(job).text

    assert "服务器重启" in text_of(page)
    as_admin.post(f"{job}/import", data={"csrf_token": csrf_from(as_admin, job)})
    assert letters(db) == 3


# --- the real background thread ------------------------------------------------------------------


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app on its own migrated SQLite file, jobs on their real thread."""
    from engagement.app import create_app
    from engagement.db import make_engine, make_sessionmaker
    from engagement.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'site.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        factories.bind(session)
        factories.department(slug="housing", name="县住房和城乡建设局")
        factories.department(slug="chengguan", name="城关镇", kind="township")
        factories.user(username="admin1", role="admin")
        session.commit()
    monkeypatch.setenv("ENGAGEMENT_DATABASE_URL", url)
    get_settings.cache_clear()
    monkeypatch.setattr(get_settings(), "import_dir", tmp_path / "imports")
    with TestClient(create_app(get_settings())) as client:
        yield client
    get_settings.cache_clear()
    engine.dispose()


def follow(client: TestClient, job: str, until: str) -> str:
    """Polls the status block as htmx does, until its text holds `until`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        block = client.get(job, headers={"HX-Request": "true"}).text
        if until in text_of(block):
            return block
        time.sleep(0.2)
    raise AssertionError(f"{until!r} not shown within a minute: {text_of(block)}")


def test_the_import_runs_in_the_background_and_the_page_follows_it(
    served: TestClient, tmp_path: Path
) -> None:
    rows = [
        {**GOOD[1], "number": f"OLD-{i}", "subject": f"幸福小区路灯不亮{i}"} for i in range(300)
    ]
    login(served, "admin1")

    _, _, job = upload(served, write_csv(tmp_path / "letters.csv", rows))
    checked = follow(served, job, "导入 300 封来信")
    token = csrf_from(served, job)
    response = served.post(f"{job}/import", data={"csrf_token": token}, follow_redirects=False)
    done = follow(served, job, "已导入 300 封来信")

    assert response.status_code == 303
    assert 'hx-trigger="load delay:1s"' not in checked + done  # polling stops when it is over
    with sqlite3.connect(tmp_path / "site.db") as conn:
        assert conn.execute("SELECT count(*) FROM letters").fetchone()[0] == 300
