"""After every admin action the admin sees what happened where they acted, and a refused form
shows its errors in the form, which the browser lands on (issue #15)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import Department, User
from tests.conftest import csrf_from, login
from tests.engagement.admin.reading import element, text


@pytest.fixture
def signed_in_admin(client: TestClient, admin: User) -> TestClient:
    client.headers["Accept-Language"] = "en"
    login(client, "admin1")
    return client


def post(client: TestClient, path: str, **data: str):
    data.setdefault("csrf_token", csrf_from(client, "/admin/users"))
    return client.post(path, data=data, follow_redirects=False)


def landing(client: TestClient, response) -> tuple[str, str]:
    """Where a redirect after an action lands (path, #place) and the page shown there."""
    assert response.status_code == 303, response.text
    path, _, place = response.headers["location"].partition("#")
    return place, client.get(path).text


def notice_in(page: str, place: str) -> str:
    """The confirmation shown inside the element with id `place`, announced (role=status)."""
    return text(element(element(page, id=place), role="status"))


def test_adding_a_user_is_confirmed_at_the_form(
    signed_in_admin: TestClient, housing: Department
) -> None:
    response = post(
        signed_in_admin,
        "/admin/users",
        username="clerk2",
        display_name="新办事员",
        role="staff",
        department="housing",
        password="a-new-clerk-password",
    )

    place, page = landing(signed_in_admin, response)
    assert place == "add-user"
    assert "clerk2" in notice_in(page, "add-user")
    # shown once: a reload does not repeat it
    assert notice_in(signed_in_admin.get("/admin/users").text, "add-user") == ""


def test_deactivating_and_reactivating_a_user_is_confirmed_on_their_row(
    signed_in_admin: TestClient, staff: User
) -> None:
    place, page = landing(
        signed_in_admin, post(signed_in_admin, "/admin/users/staff1/active", active="false")
    )
    assert place == "user-staff1"
    assert "staff1" in notice_in(page, "user-staff1")
    assert "sign in" in notice_in(page, "user-staff1")

    place, page = landing(
        signed_in_admin, post(signed_in_admin, "/admin/users/staff1/active", active="true")
    )
    assert "staff1" in notice_in(page, "user-staff1")


def test_unlocking_from_the_lockouts_is_confirmed_there(
    signed_in_admin: TestClient, staff: User
) -> None:
    place, page = landing(
        signed_in_admin,
        post(signed_in_admin, "/admin/users/staff1/unlock", place="lockouts"),
    )
    assert place == "lockouts"
    assert "staff1" in notice_in(page, "lockouts")

    place, page = landing(signed_in_admin, post(signed_in_admin, "/admin/users/staff1/unlock"))
    assert place == "user-staff1"
    assert "staff1" in notice_in(page, "user-staff1")


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"username": "x y", "password": "a-new-clerk-password"}, "username"),
        ({"username": "staff1", "password": "a-new-clerk-password"}, "username"),
        ({"username": "clerk3", "password": "short"}, "password"),
        ({"username": "clerk3", "password": "long-enough", "department": ""}, "department"),
    ],
)
def test_a_refused_user_form_shows_the_error_in_the_form_and_lands_on_it(
    signed_in_admin: TestClient, staff: User, form: dict[str, str], field: str
) -> None:
    data = {"display_name": "新人", "role": "staff", "department": "housing", **form}
    response = post(signed_in_admin, "/admin/users", **data)

    assert response.status_code == 422
    form_html = element(response.text, id="add-user-form")
    assert re.search(r'action="/admin/users#add-user"', form_html)
    assert text(element(form_html, role="alert")), "the error is not inside the form"
    control = element(form_html, id=f"f-{field}")
    assert 'aria-invalid="true"' in control
    assert f"f-{field}-error" in control  # aria-describedby names the field's message
    assert text(element(form_html, id=f"f-{field}-error"))
    assert 'value="新人"' in form_html  # what was typed is kept


def test_adding_a_unit_is_confirmed_and_its_name_is_not_a_persons_name(
    signed_in_admin: TestClient,
) -> None:
    page = signed_in_admin.get("/admin/departments", headers={"Accept-Language": "zh-CN"}).text
    label = re.search(r'<label for="f-name">([^<]*)', element(page, id="add-unit-form"))
    assert label is not None and label[1].strip() == "单位名称"  # not 姓名, a person's name

    response = post(signed_in_admin, "/admin/departments", slug="water", name="县水利局")
    place, page = landing(signed_in_admin, response)
    assert place == "add-unit"
    assert "县水利局" in notice_in(page, "add-unit")


def test_a_refused_unit_form_shows_the_error_at_the_slug(
    signed_in_admin: TestClient, housing: Department
) -> None:
    response = post(signed_in_admin, "/admin/departments", slug="housing", name="重复")

    assert response.status_code == 422
    form_html = element(response.text, id="add-unit-form")
    assert 'action="/admin/departments#add-unit"' in form_html
    assert "already taken" in text(element(form_html, role="alert"))
    assert 'aria-invalid="true"' in element(form_html, id="f-slug")


def test_deactivating_a_unit_is_confirmed_on_its_row(
    signed_in_admin: TestClient, housing: Department
) -> None:
    response = post(signed_in_admin, "/admin/departments/housing/active", active="false")
    place, page = landing(signed_in_admin, response)

    assert place == "unit-housing"
    assert housing.name in notice_in(page, "unit-housing")


def test_holidays_are_confirmed_and_a_bad_date_is_shown_at_the_form(
    signed_in_admin: TestClient, db: Session
) -> None:
    response = post(signed_in_admin, "/admin/holidays", day="2031-10-08", kind="holiday")
    place, page = landing(signed_in_admin, response)
    assert place == "add-day"
    assert "2031-10-08" in notice_in(page, "add-day")

    response = post(signed_in_admin, "/admin/holidays/2031-10-08/delete")
    place, page = landing(signed_in_admin, response)
    assert place == "days"
    assert "2031-10-08" in notice_in(page, "days")

    response = post(signed_in_admin, "/admin/holidays", day="next monday", note="国庆")
    assert response.status_code == 422
    form_html = element(response.text, id="add-day-form")
    assert 'action="/admin/holidays#add-day"' in form_html
    assert "2027-01-01" in text(element(form_html, role="alert"))
    assert 'aria-invalid="true"' in element(form_html, id="f-day")
    assert 'value="国庆"' in form_html


def test_confirmations_read_as_chinese(signed_in_admin: TestClient, staff: User) -> None:
    signed_in_admin.headers["Accept-Language"] = "zh-CN"
    response = post(signed_in_admin, "/admin/users/staff1/active", active="false")
    _, page = landing(signed_in_admin, response)
    message = notice_in(page, "user-staff1")
    assert re.search(r"[\u4e00-\u9fff]", message) and "staff1" in message
    assert not re.search(r"[\u4e00-\u9fff][,:;()]|[,:;()][\u4e00-\u9fff]", message), message
