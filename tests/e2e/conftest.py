"""Browser tests: a live server on a fresh demo database, driven by Debian's Chromium.

The server runs the real console script (`engagement migrate`, `demo`, `serve`) in subprocesses,
so these tests see the platform exactly as an operator starts it. SQLite temp file by default;
`ENGAGEMENT_E2E_DATABASE_URL` (a database of its own, never the unit tests' one) in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from engagement import i18n

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parent.parent
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = os.environ.get("ENGAGEMENT_E2E_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium on a machine without network floods refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A reader in the county: Chinese browser, local time.
BROWSER_DEFAULTS: dict[str, Any] = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
SERVER_START_SECONDS = 60

ADMIN = ("admin", "demo-admin-pass")
LEADER = ("leader", "demo-leader-pass")
STAFF_PASSWORD = "demo-staff-pass"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


# --- text as a reader sees it ---------------------------------------------------------------


def t(msgid: str, language: str = "zh", **params: Any) -> str:
    """The UI text for `msgid` in `language`, from the same catalog the app renders with."""
    text = i18n.translations(language).gettext(msgid)
    return text % params if params else text


CJK = re.compile(r"[\u4e00-\u9fff]")


# --- the live server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _engagement_command() -> list[str]:
    script = Path(sys.executable).with_name("engagement")
    if script.exists():
        return [str(script)]
    found = shutil.which("engagement")
    if found:
        return [found]
    pytest.fail("the `engagement` console script is not installed (pip install -e .)")


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _run(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run(
            command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, timeout=300
        )
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        pytest.fail(f"`{' '.join(command[1:])}` exited {result.returncode}:\n{tail}")


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The address of a server started on a fresh, demo-filled database."""
    workdir = Path(tempfile.mkdtemp(prefix="engagement-e2e-"))
    database_url = os.environ.get("ENGAGEMENT_E2E_DATABASE_URL") or (f"sqlite:///{workdir}/e2e.db")
    if database_url.startswith("postgresql"):
        _reset_postgres(database_url)
    # tests/conftest.py points os.environ at the unit tests' database: override it explicitly.
    env = {
        **os.environ,
        "ENGAGEMENT_DATABASE_URL": database_url,
        "ENGAGEMENT_SECRET_KEY": "e2e-secret-key-not-for-production",
        "ENGAGEMENT_RATELIMIT_ENABLED": "false",
        "ENGAGEMENT_RATELIMIT_STORAGE": "memory://",
        "COLUMNS": "120",
    }
    engagement = _engagement_command()
    log = workdir / "server.log"
    # Run outside the checkout, so that a developer's .env or .engagement-secret plays no part.
    _run([*engagement, "migrate"], env, workdir, log)
    _run([*engagement, "demo"], env, workdir, log)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        server = subprocess.Popen(
            [*engagement, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _health(f"{url}/api/v1/health"):
            if server.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                pytest.fail(f"the live server did not answer /api/v1/health:\n{tail}")
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if not os.environ.get("ENGAGEMENT_E2E_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium not found at {CHROMIUM}: install Debian's `chromium` and `fonts-noto-cjk` "
            "(apt-get install chromium fonts-noto-cjk) to run the browser tests"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


ContextFactory = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, base_url: str) -> Iterator[ContextFactory]:
    """Opens fresh browser contexts (own cookies) on the live server; closed after the test.

    `new_context()` is a desktop browser, `new_context(PHONE)` a phone; keyword arguments go to
    Playwright's `browser.new_context`.
    """
    contexts: list[BrowserContext] = []

    def open_context(device: dict[str, Any] | None = None, **options: Any) -> BrowserContext:
        context = browser.new_context(
            base_url=base_url, **{**BROWSER_DEFAULTS, **(device or DESKTOP), **options}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: ContextFactory) -> Page:
    """A desktop page in a context of its own (no cookies shared with other tests)."""
    return new_context().new_page()


@pytest.fixture
def phone_page(new_context: ContextFactory) -> Page:
    return new_context(PHONE).new_page()


# --- helpers --------------------------------------------------------------------------------


def shot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Saves a screenshot as screenshots/<name>.png (the folder is gitignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(
    page: Page, base_url: str, username: str, password: str, *, expect_success: bool = True
) -> None:
    """Signs in through the real /login form, in whatever language the page is shown."""
    page.goto(f"{base_url}/login")
    form = page.locator("form[action='/login']")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    if expect_success:
        expect(page).not_to_have_url(re.compile(r"/login(\?|$)"))
        expect(page.locator("form[action='/logout']")).to_be_visible()


# --- the keyboard alone ---------------------------------------------------------------------


def focused(page: Page) -> str:
    """A short description of the element that has the keyboard focus, for failure messages."""
    return str(
        page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return 'nothing (the page itself)';
              const name = (el.getAttribute('aria-label') || el.innerText || el.value || '')
                .replace(/\\s+/g, ' ').trim().slice(0, 40);
              return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                     + (el.name ? `[name=${el.name}]` : '') + (name ? ` "${name}"` : '');
            }"""
        )
    )


def has_focus(target: Locator) -> bool:
    return bool(target.evaluate("el => el === document.activeElement"))


def assert_focus_visible(target: Locator) -> None:
    """The focused `target` shows a focus indicator (an outline or a ring), as WCAG 2.4.7 asks."""
    outline, width, ring = target.evaluate(
        """el => { const s = getComputedStyle(el);
                   return [s.outlineStyle, parseFloat(s.outlineWidth) || 0, s.boxShadow]; }"""
    )
    assert (outline != "none" and width >= 1) or ring != "none", (
        f"{target} has the focus but shows no focus indicator"
    )


def tab_to(page: Page, target: Locator, *, max_tabs: int = 60, backwards: bool = False) -> int:
    """Presses Tab (Shift+Tab if `backwards`) until `target` has the focus, as a keyboard user
    would, and checks that the focus is visible there; returns the number of presses."""
    key = "Shift+Tab" if backwards else "Tab"
    passed: list[str] = []
    for presses in range(1, max_tabs + 1):
        page.keyboard.press(key)
        if has_focus(target):
            assert_focus_visible(target)
            return presses
        passed.append(focused(page))
    raise AssertionError(
        f"{target} never got the focus in {max_tabs} presses of {key}; the focus went to: "
        + ", ".join(passed[-12:])
    )


def arrow_to(page: Page, choice: Locator, value: str, *, max_presses: int = 60) -> None:
    """Presses ArrowDown in the focused list `choice` until `value` is chosen."""
    for _ in range(max_presses):
        if choice.input_value() == value:
            break
        page.keyboard.press("ArrowDown")
    expect(choice).to_have_value(value)


def sign_in_by_keyboard(page: Page, username: str, password: str) -> None:
    """Signs in through /login with the keyboard alone: Tab to the username, type, Enter."""
    page.goto("/login")
    tab_to(page, page.locator("form[action='/login'] input[name=username]"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.locator("form[action='/login'] input[name=password]")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.locator("form[action='/logout']")).to_be_visible()
