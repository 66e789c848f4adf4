"""An admin brings in an earlier system's letters through the import page, in a real browser."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from engagement import i18n
from tests.e2e.conftest import ADMIN, DESKTOP, PHONE, ContextFactory, shot, sign_in, t
from tests.e2e.test_accessibility import RULES


def import_button(language: str = "zh") -> str:
    text = i18n.translations(language).ngettext(
        "Import %(num)s letter", "Import %(num)s letters", 5
    )
    return text % {"num": 5}


HEADER = ["number", "submitted_at", "subject", "body", "department", "reply", "replied_at"]


def write_file(path: Path, prefix: str, *, bad: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        out = csv.writer(file)
        out.writerow(HEADER)
        for i in range(1, 6):
            out.writerow(
                [
                    f"{prefix}-{i}",
                    f"2018/3/{i} 9:30:00",
                    f"旧系统来信{i}：东关小学门口积水",
                    "东关小学门口下雨就积水，孩子上学要蹚水。",
                    "no-such-unit" if bad and i == 2 else "housing",
                    "已安排疏通排水管，雨季前完成。",
                    f"2018/3/{i + 9} 16:00:00",
                ]
            )
    return path


@pytest.mark.parametrize(
    ("language", "device", "prefix"),
    [("zh", DESKTOP, "E2E-ZH"), ("en", PHONE, "E2E-EN")],
)
def test_an_admin_checks_and_imports_a_file(
    new_context: ContextFactory,
    base_url: str,
    tmp_path: Path,
    language: str,
    device: dict[str, object],
    prefix: str,
) -> None:
    page = new_context(device).new_page()
    sign_in(page, base_url, *ADMIN)
    page.goto(f"/staff?lang={language}")
    page.get_by_role("link", name=t("Import letters", language)).click()

    page.get_by_label(t("CSV or Excel (.xlsx) file", language)).set_input_files(
        str(write_file(tmp_path / "history.csv", prefix))
    )
    page.get_by_role("button", name=t("Check the file", language)).click()
    button = page.get_by_role("button", name=import_button(language))
    expect(button).to_be_visible(timeout=30_000)
    expect(page.get_by_text("2018-03-01 – 2018-03-05")).to_be_visible()
    assert Axe().run(page, options=RULES).response["violations"] == []
    shot(page, f"import-checked-{language}")

    button.click()
    done = t(
        "Imported %(imported)s letters; %(skipped)s were already present and were skipped.",
        language,
        imported="5",
        skipped="0",
    )
    expect(page.get_by_role("status")).to_have_text(done, timeout=60_000)
    shot(page, f"import-done-{language}")


def test_a_bad_file_names_its_rows_and_imports_nothing(
    new_context: ContextFactory, base_url: str, tmp_path: Path
) -> None:
    page = new_context(DESKTOP).new_page()
    sign_in(page, base_url, *ADMIN)
    page.goto("/admin/import")

    page.get_by_label(t("CSV or Excel (.xlsx) file")).set_input_files(
        str(write_file(tmp_path / "bad.csv", "E2E-BAD", bad=True))
    )
    page.get_by_role("button", name=t("Check the file")).click()

    expect(page.get_by_role("alert")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("cell", name="3", exact=True)).to_be_visible()  # the file's row 3
    expect(page.get_by_text("no-such-unit")).to_be_visible()
    expect(page.get_by_role("button", name=import_button())).to_have_count(0)
    assert Axe().run(page, options=RULES).response["violations"] == []
    shot(page, "import-refused-zh")
