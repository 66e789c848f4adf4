"""Languages: Chinese by default, English on request, remembered; friendly 404s in both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.engagement.conftest import html_lang

CJK = re.compile(r"[\u4e00-\u9fff]")


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "no <h1> on the page"
    return match.group(1).strip()


def test_default_page_is_chinese(client: TestClient) -> None:
    response = client.get("/login")

    assert html_lang(response.text) == "zh-CN"
    assert response.headers["content-language"] == "zh-CN"
    assert CJK.search(_h1(response.text)), _h1(response.text)
    assert "Staff sign-in" not in response.text


def test_lang_en_gives_english_and_is_remembered(client: TestClient) -> None:
    english = client.get("/login", params={"lang": "en"})

    assert html_lang(english.text) == "en"
    assert _h1(english.text) == "Staff sign-in"

    later = client.get("/login")
    assert html_lang(later.text) == "en"
    assert _h1(later.text) == "Staff sign-in"


def test_lang_zh_switches_back(client: TestClient) -> None:
    client.get("/login", params={"lang": "en"})

    assert html_lang(client.get("/login", params={"lang": "zh"}).text) == "zh-CN"
    assert html_lang(client.get("/login").text) == "zh-CN"


def test_the_choice_belongs_to_one_browser(app: FastAPI, client: TestClient) -> None:
    client.get("/login", params={"lang": "en"})

    other = TestClient(app, base_url="http://testserver")
    assert html_lang(other.get("/login").text) == "zh-CN"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("en;q=0.3, zh;q=0.7", "zh-CN"),
        ("fr", "zh-CN"),
        ("", "zh-CN"),
    ],
)
def test_accept_language_decides_without_a_choice(
    client: TestClient, header: str, lang: str
) -> None:
    response = client.get("/login", headers={"Accept-Language": header})

    assert html_lang(response.text) == lang


def test_an_explicit_choice_beats_accept_language(client: TestClient) -> None:
    client.get("/login", params={"lang": "zh"})

    response = client.get("/login", headers={"Accept-Language": "en"})

    assert html_lang(response.text) == "zh-CN"


def test_unknown_lang_parameter_is_ignored(client: TestClient) -> None:
    response = client.get("/login", params={"lang": "xx"})

    assert response.status_code == 200
    assert html_lang(response.text) == "zh-CN"


def test_language_links_keep_the_other_query_parameters(client: TestClient) -> None:
    page = client.get("/login", params={"next": "/admin/users"}).text

    assert 'href="/login?next=%2Fadmin%2Fusers&amp;lang=en"' in page


def test_page_404_is_a_friendly_chinese_page(client: TestClient) -> None:
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert html_lang(response.text) == "zh-CN"
    assert CJK.search(_h1(response.text))
    assert 'href="/"' in response.text


def test_page_404_in_english(client: TestClient) -> None:
    response = client.get("/no-such-page", params={"lang": "en"})

    assert response.status_code == 404
    assert html_lang(response.text) == "en"
    assert _h1(response.text) == "Page not found"
    assert "does not exist" in response.text


def test_unknown_unit_page_is_a_404_page(client: TestClient) -> None:
    response = client.get("/departments/no-such-unit", headers={"Accept-Language": "en"})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no-such-unit" in response.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_api_404_is_json(client: TestClient, lang: str) -> None:
    response = client.get("/api/v1/no-such-thing", params={"lang": lang})

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) == {"detail"}


def test_page_405_is_a_page_and_api_405_is_json(client: TestClient) -> None:
    page = client.delete("/login")
    api = client.delete("/api/v1/health")

    assert page.status_code == 405 and page.headers["content-type"].startswith("text/html")
    assert api.status_code == 405 and set(api.json()) == {"detail"}


def test_pages_vary_on_language(client: TestClient) -> None:
    vary = client.get("/login").headers["vary"]

    assert "Accept-Language" in vary and "Cookie" in vary


def test_a_template_fills_every_placeholder_of_a_plural_message() -> None:
    from engagement.rendering import make_templates

    env = make_templates([Path(__file__).parent]).env
    template = env.from_string(
        '{{ ngettext("%(num)s letter in %(place)s", "%(num)s letters in %(place)s", 3,'
        ' place="桃源镇") }}'
        ' {{ _("%(rate)s done", rate="50%") }}'
    )
    assert template.render() == "3 letters in 桃源镇 50% done"
