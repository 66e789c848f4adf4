"""Page weight: the bytes a cold visit transfers and the time to its first chart, in Chromium.

`python -m benchmarks.page_weight [--repeat 3]` fills a temporary SQLite database with the demo
data, serves it, and visits `/`, `/dashboard` (as the demo leader) and a public survey's results
page, each in fresh browser contexts (empty cache). For each it prints the median over the visits
of the bytes transferred (response bodies as sent, so compressed where the server compressed
them), the number of requests, and the times from the start of navigation to the page's first
byte, to the first paint of text and to the first chart drawn (a `.js-plotly-plot` with its SVG);
then again over a 9 Mbit/s link with 40 ms of latency, as a phone has.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

import httpx
from playwright.sync_api import BrowserContext, Request, sync_playwright

from benchmarks import servers
from tests.e2e.conftest import BROWSER_DEFAULTS, CHROMIUM, CHROMIUM_ARGS, DESKTOP, LEADER

# Records, before any page script runs, when the first text was painted and the first chart drawn.
TIMING_SCRIPT = """
(() => {
  window.__firstChart = null;
  const drawn = () => document.querySelector('.js-plotly-plot svg.main-svg');
  new MutationObserver((_, observer) => {
    if (window.__firstChart === null && drawn()) {
      window.__firstChart = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""
PHONE_LINK = {"downloadThroughput": 9e6 / 8, "uploadThroughput": 2e6 / 8, "latency": 40}


@dataclass
class Visit:
    name: str
    transferred: int
    requests: int
    first_byte_ms: float
    first_paint_ms: float | None
    first_chart_ms: float | None


def public_survey_results(base: str) -> str:
    """The results page of the public survey with the most responses."""
    surveys = httpx.get(f"{base}/api/v1/surveys", params={"per_page": 100}).json()["items"]
    best: tuple[int, int] | None = None
    for survey in surveys:
        answer = httpx.get(f"{base}/api/v1/surveys/{survey['id']}/results")
        if answer.status_code == 200 and (best is None or answer.json()["responses"] > best[0]):
            best = (answer.json()["responses"], survey["id"])
    if best is None:
        raise RuntimeError("the demo data has no survey with public results")
    return f"/surveys/{best[1]}/results"


def sign_in(context: BrowserContext, username: str, password: str) -> None:
    """Signs in through the /login form without loading the page's assets into the cache."""
    form = context.request.get("/login").text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    if token is None:
        raise RuntimeError("no CSRF token on /login")
    answer = context.request.post(
        "/login",
        form={"username": username, "password": password, "csrf_token": token.group(1)},
        max_redirects=0,
    )
    if answer.status != 303:
        raise RuntimeError(f"signing in answered {answer.status}")


def visit(
    context: BrowserContext, name: str, path: str, *, charts: bool, link: dict[str, Any] | None
) -> Visit:
    page = context.new_page()
    if link is not None:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **link})
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(path, wait_until="load")
    if charts:
        page.wait_for_selector(".js-plotly-plot svg.main-svg", timeout=60_000)
    page.wait_for_load_state("networkidle")
    first_chart = page.evaluate("window.__firstChart")
    first_byte = page.evaluate("performance.getEntriesByType('navigation')[0].responseStart")
    first_paint = page.evaluate(
        "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime ?? null"
    )
    transferred = sum(request.sizes()["responseBodySize"] for request in finished)
    page.close()
    return Visit(name, transferred, len(finished), first_byte, first_paint, first_chart)


def measure(base: str, *, link: dict[str, Any] | None, repeat: int) -> list[Visit]:
    """Each page's median of `repeat` cold visits (a fresh context each), after one unmeasured
    visit that warms the server (its first request of a kind loads code and caches)."""
    results_page = public_survey_results(base)
    medians = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, path, charts, user in [
                ("/", "/", False, None),
                ("/dashboard (leader)", "/dashboard", True, LEADER),
                (results_page, results_page, True, None),
            ]:
                visits = []
                for _ in range(repeat + 1):
                    context = browser.new_context(base_url=base, **{**BROWSER_DEFAULTS, **DESKTOP})
                    context.add_init_script(TIMING_SCRIPT)
                    if user is not None:
                        sign_in(context, *user)
                    visits.append(visit(context, name, path, charts=charts, link=link))
                    context.close()
                medians.append(median_visit(visits[1:]))
        finally:
            browser.close()
    return medians


def median_visit(visits: list[Visit]) -> Visit:
    def middle(values: list[float | None]) -> float | None:
        known = [v for v in values if v is not None]
        return statistics.median(known) if known else None

    return Visit(
        visits[0].name,
        int(statistics.median(v.transferred for v in visits)),
        int(statistics.median(v.requests for v in visits)),
        statistics.median(v.first_byte_ms for v in visits),
        middle([v.first_paint_ms for v in visits]),
        middle([v.first_chart_ms for v in visits]),
    )


def seconds(ms: float | None) -> str:
    return "—" if ms is None else f"{ms / 1000:.2f} s"


def report(title: str, visits: list[Visit]) -> None:
    print(title)
    print(
        f"  {'page':<24} {'transferred':>12} {'requests':>9} {'first byte':>11} "
        f"{'text at':>9} {'first chart':>12}"
    )
    for v in visits:
        print(
            f"  {v.name:<24} {v.transferred / 1000:>9,.0f} kB {v.requests:>9} "
            f"{seconds(v.first_byte_ms):>11} {seconds(v.first_paint_ms):>9} "
            f"{seconds(v.first_chart_ms):>12}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="cold visits a page (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/page-weight.db"
        env = {**os.environ, "ENGAGEMENT_DATABASE_URL": url, "ENGAGEMENT_SECRET_KEY": "bench"}
        for command in (["migrate"], ["demo"]):
            subprocess.run(
                [str(servers.BIN / "engagement"), *command],
                env=env,
                cwd=tmp,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        with servers.platform(url, workers=1) as base:
            local = measure(base, link=None, repeat=args.repeat)
            phone = measure(base, link=PHONE_LINK, repeat=args.repeat)
    print(
        f"Page weight: cold visits (empty cache) in Chromium, demo data, one worker; "
        f"median of {args.repeat}, times from the start of navigation"
    )
    report("localhost:", local)
    report("over 9 Mbit/s with 40 ms latency (a phone):", phone)


if __name__ == "__main__":
    main()
