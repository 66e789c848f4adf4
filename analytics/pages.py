"""The leadership dashboard and the printable briefing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from sqlalchemy.orm import Session

from analytics import alarms, hot_issues, open_data, participation, public, scope, topics, trends
from analytics.comparison import previous_period, signed
from analytics.queries import (
    LetterFigures,
    LetterFilter,
    letter_figures,
    period,
    where,
    word_counts_by_period,
)
from engagement import accounts, charts, i18n, spreadsheet
from engagement.auth.csrf import verify_csrf
from engagement.auth.deps import DbSession, PageUser, page_user
from engagement.auth.policy import unit_scope
from engagement.db import CommittingRoute
from engagement.errors import NotFound
from engagement.models import DepartmentKind, User
from engagement.rendering import render
from engagement.settings import get_settings
from engagement.spreadsheet import append_row, xlsx_bytes
from engagement.timeutil import utcnow
from engagement.workdays import official_calendar_covers
from feedback.mailbox.labels import CATEGORY_LABELS
from feedback.mailbox.models import Category

router = APIRouter(
    route_class=CommittingRoute, dependencies=[Depends(verify_csrf), Depends(page_user)]
)
SORTS = {"total", "overdue", "satisfaction", "on_time", "median"}
HOT_ISSUES_SHOWN = 10


@dataclass
class Filters:
    start: date
    end: date
    department: str
    township: str
    category: str
    sort: str

    @classmethod
    def from_request(cls, request: Request) -> Filters:
        q = request.query_params
        today = utcnow().astimezone(get_settings().tz).date()
        end = _date(q.get("to")) or today
        start = _date(q.get("from")) or end - timedelta(days=364)
        if start > end:
            start, end = end, start
        sort = q.get("sort", "total")
        return cls(
            start,
            end,
            q.get("department", ""),
            q.get("township", ""),
            q.get("category", "") if q.get("category") in Category.__members__ else "",
            sort if sort in SORTS else "total",
        )

    def letter_filter(self, session: Session, user: User) -> LetterFilter:
        since, until = period(self.start, self.end)
        unit_id, township_id = scope.units_for(
            session, user, self.department or None, self.township or None
        )
        return LetterFilter(
            since=since,
            until=until,
            department_id=unit_id,
            township_id=township_id,
            category=Category(self.category) if self.category else None,
        )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# Which way is better for each figure; letters received are neither, overdue is not compared
# (it counts open letters today, whatever period they came in).
BETTER_WHEN_UP = {
    "reply_rate": True,
    "on_time_rate": True,
    "satisfaction_rate": True,
    "resolution_rate": True,
    "median_reply_hours": False,
}


VERDICTS = {"better": i18n.N_("%(change)s (better)"), "worse": i18n.N_("%(change)s (worse)")}


def _change_amount(kind: str, change: float) -> str:
    """The change with one sign: +12, −5.6 percentage points, +3.5 (hours); 持平 for none."""
    if _unchanged(kind, change):
        return i18n.gettext("No change")
    if kind == "rate":
        return i18n.gettext(
            "%(points)s percentage points", points=signed(round(change * 100, 1), 1)
        )
    return signed(change, 1 if kind == "hours" and not float(change).is_integer() else 0)


def _change_text(kind: str, change: float) -> str:
    """The change and what it compares with: 比上期 +12, or 与上期持平 when it rounds to 0."""
    if _unchanged(kind, change):
        return i18n.gettext("Same as the previous period")
    return i18n.gettext("%(change)s on the previous period", change=_change_amount(kind, change))


def _unchanged(kind: str, change: float) -> bool:
    """No change at the precision shown: a rate to 0.1 point, hours to 0.1, counts whole."""
    return round(change * 100 if kind == "rate" else change, 0 if kind == "count" else 1) == 0


def _verdict(key: str, kind: str, change: float) -> str:
    """Better or worse, for a figure with a good direction that changed; else empty."""
    if key not in BETTER_WHEN_UP or _unchanged(kind, change):
        return ""
    return "better" if (change > 0) == BETTER_WHEN_UP[key] else "worse"


def _headlines(current: LetterFigures, previous: LetterFigures | None) -> list[dict[str, Any]]:
    """The headline figures, each change in words (change_text, for a card) and as a signed
    amount (change_amount, under a column headed 比上期), better or worse said in words too."""

    def item(key: str, label: str, kind: str, divisor: str = "") -> dict[str, Any]:
        value = getattr(current, key)
        before = getattr(previous, key) if previous and key != "overdue" else None
        change = None if value is None or before is None else value - before
        text = amount = verdict = ""
        if change is not None:
            text, amount = _change_text(kind, change), _change_amount(kind, change)
            verdict = _verdict(key, kind, change)
            if verdict:
                text = i18n.gettext(VERDICTS[verdict], change=text)
                amount = i18n.gettext(VERDICTS[verdict], change=amount)
        return {
            "key": key,
            "label": label,
            "kind": kind,
            "value": value,
            "change": change,
            "change_text": text,
            "change_amount": amount,
            "verdict": verdict,
            "divisor": divisor,
        }

    return [
        item("total", i18n.N_("Letters received"), "count"),
        item("reply_rate", i18n.N_("Reply rate"), "rate", i18n.N_("of letters received")),
        item("on_time_rate", i18n.N_("On-time rate"), "rate", i18n.N_("of replied letters")),
        item(
            "satisfaction_rate", i18n.N_("Satisfaction rate"), "rate", i18n.N_("of rated letters")
        ),
        item(
            "resolution_rate",
            i18n.N_("Resolution rate"),
            "rate",
            i18n.N_("closed, of letters received"),
        ),
        item("median_reply_hours", i18n.N_("Median hours to reply"), "hours"),
        item(
            "overdue",
            i18n.N_("Overdue now"),
            "count",
            i18n.N_("open and past their deadline today, so not compared with a period"),
        ),
    ]


def _sorted_units(units: list[Any], sort: str) -> list[Any]:
    keys = {
        "total": lambda u: -u.total,
        "overdue": lambda u: -u.overdue,
        "satisfaction": lambda u: (u.satisfaction_rate is None, u.satisfaction_rate or 0),
        "on_time": lambda u: (u.on_time_rate is None, u.on_time_rate or 0),
        "median": lambda u: (u.median_reply_hours is None, -(u.median_reply_hours or 0)),
    }
    return sorted(units, key=keys[sort])


def dashboard_context(request: Request, session: Session, user: User) -> dict[str, Any]:
    filters = Filters.from_request(request)
    f = filters.letter_filter(session, user)
    now = utcnow()
    current = letter_figures(session, f, now=now)
    comparison = previous_period(session, f, now=now)
    topic_run, topic_list = topics.latest(session)
    hot, hot_total = hot_issues.hottest(
        session,
        since=f.since,
        until=f.until,
        department_id=f.department_id,
        township_id=f.township_id,
        limit=HOT_ISSUES_SHOWN,
    )
    months = sorted(current.month_category)
    series = {
        i18n.gettext(CATEGORY_LABELS[c.value]): [
            current.month_category[m].get(c.value, 0) for m in months
        ]
        for c in Category
    }
    return {
        "filters": filters,
        "figures": current,
        "weekdays_only": [
            y for y in sorted({int(m[:4]) for m in months}) if not official_calendar_covers(y)
        ],
        "headlines": _headlines(current, comparison.figures if comparison else None),
        "comparison": comparison,
        "scope": scope.ScopeNames.of(session, f, filters.start, filters.end),
        "units": _sorted_units(current.by_department, filters.sort),
        "townships": current.by_township,
        "rising": trends.rising_words(session, f),
        "hot": hot,
        "hot_total": hot_total,
        "hot_run": hot_issues.latest_run(session),
        "topic_run": topic_run if unit_scope(user) is None else None,
        "topics": topic_list,
        "is_rising": topics.is_rising,
        "participation": participation.participation(session, f),
        "unanswered": alarms.unanswered_letters(session, department_id=f.department_id),
        "unreported": alarms.unreported_consultations(session, department_id=f.department_id),
        "volume_chart": charts.monthly_bars(months, series) if months else None,
        "words_chart": charts.bar(
            [k["word"] for k in current.top_keywords[:15]],
            [k["count"] for k in current.top_keywords[:15]],
        )
        if current.top_keywords
        else None,
        "departments": accounts.list_departments(session, kind=DepartmentKind.department),
        "all_townships": accounts.list_departments(session, kind=DepartmentKind.township),
        "categories": list(Category),
        "category_labels": CATEGORY_LABELS,
        "own_unit": unit_scope(user) is not None,
        "letter_filter": f,
        "today": now.astimezone(get_settings().tz).date().isoformat(),
        "charts": True,
    }


@router.get("/dashboard")
def dashboard(request: Request, session: DbSession, user: PageUser) -> Response:
    return render(
        request,
        "analytics/dashboard.html",
        dashboard_context(request, session, user),
        block="panels",
    )


@router.get("/dashboard/hot-issues/{issue_id}")
def hot_issue(
    request: Request,
    session: DbSession,
    user: PageUser,
    issue_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    """One hot issue and its letters (staff: those of their own unit)."""
    unit_id, _ = scope.units_for(session, user, None, None)
    found = hot_issues.list_issues(session, department_id=unit_id, issue_id=issue_id)
    if not found:
        raise NotFound("No hot issue %(id)s.", id=issue_id)
    return render(
        request,
        "analytics/hot_issue.html",
        {
            "item": found[0],
            "letters": hot_issues.issue_letters(session, issue_id, department_id=unit_id),
            "run": hot_issues.latest_run(session),
        },
    )


@router.get("/dashboard/briefing")
def briefing(request: Request, session: DbSession, user: PageUser) -> Response:
    context = dashboard_context(request, session, user)
    f: LetterFilter = context["letter_filter"]
    context["examples"] = _examples(session, context["figures"], f)
    words = [k["word"] for k in context["figures"].top_keywords[:8]]
    previous = f.previous()
    comparable = context["comparison"] is not None and context["comparison"].comparable
    context["before"] = (
        word_counts_by_period(session, previous, words) if previous and comparable else None
    )
    return render(request, "analytics/briefing.html", context)


def _examples(session: Session, figures: LetterFigures, f: LetterFilter) -> dict[str, list[str]]:
    """Up to three masked example subjects for each top word, among the filtered letters."""
    from sqlalchemy import select

    from engagement.text import mask_personal
    from feedback.mailbox.models import Letter, LetterWord

    out: dict[str, list[str]] = {}
    for item in figures.top_keywords[:8]:
        stmt = (
            select(Letter.subject)
            .join(LetterWord, LetterWord.letter_id == Letter.id)
            .where(LetterWord.word == item["word"])
        )
        # Newest first by arrival: the index on submitted_at stops after three matches.
        rows = session.scalars(where(stmt, f).order_by(Letter.submitted_at.desc()).limit(3))
        out[item["word"]] = [mask_personal(s) for s in rows]
    return out


@router.get("/dashboard/briefing.xlsx")
def briefing_xlsx(request: Request, session: DbSession, user: PageUser) -> Response:
    """The briefing's figures, hot issues and words; their text (from letters) as text cells."""
    context = dashboard_context(request, session, user)
    figures: LetterFigures = context["figures"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "总体"
    _overview_sheet(sheet, context)
    units = book.create_sheet("单位")
    append_row(units, ["单位", "来信", "已答复", "按时答复", "超期", "答复中位小时", "满意率"])
    for u in context["units"]:
        append_row(
            units,
            [
                u.department["name"] if u.department else "未分配",
                u.total,
                u.replied,
                u.on_time,
                u.overdue,
                u.median_reply_hours,
                u.satisfaction_rate,
            ],
        )
    if context["hot"]:
        hot = book.create_sheet("热点问题")
        append_row(hot, ["问题", "地点", "关键词", "来信", "写信人", "关注", "热度", "涉及单位"])
        for i in context["hot"]:
            append_row(
                hot,
                [
                    i.issue.title,
                    "、".join(i.issue.places),
                    "、".join(i.issue.keywords),
                    i.letters,
                    i.writers,
                    i.support,
                    i.heat,
                    "、".join(d.name for d in i.departments),
                ],
            )
    words = book.create_sheet("热词")
    append_row(words, ["词", "次数"])
    for k in figures.top_keywords:
        append_row(words, [k["word"], k["count"]])
    if context["topic_run"] is not None:
        found = book.create_sheet("主题")
        append_row(found, ["主题", "来信", "近30天", "前30天", "涉及单位", "示例来信"])
        for t in context["topics"]:
            append_row(
                found,
                [t.label, t.size, t.recent, t.previous, "、".join(t.units), "；".join(t.examples)],
            )
    return Response(
        xlsx_bytes(book),
        media_type=spreadsheet.XLSX,
        headers={"Content-Disposition": 'attachment; filename="briefing.xlsx"'},
    )


# Changes as signed numbers, so that a spreadsheet can still add them up.
CHANGE_FORMATS = {
    "count": '+#,##0;"\u2212"#,##0;0',
    "hours": '+0.0;"\u2212"0.0;0',
    "rate": '+0.0" 个百分点";"\u2212"0.0" 个百分点";0',
}


def _overview_sheet(sheet: Any, context: dict[str, Any]) -> None:
    """The headline figures, their change on the previous period when it is comparable, and
    below them what the figures cover and what they compare with."""
    comparison = context["comparison"]
    compared = comparison is not None and comparison.comparable
    append_row(sheet, ["指标", "数值", *(["比上期"] if compared else [])])
    for h in context["headlines"]:
        change = h["change"]
        if change is not None and h["kind"] == "rate":
            change = round(change * 100, 1)
        append_row(sheet, [i18n.gettext(h["label"]), h["value"], *([change] if compared else [])])
        if compared and change is not None:
            sheet.cell(row=sheet.max_row, column=3).number_format = CHANGE_FORMATS[h["kind"]]
    append_row(sheet, [])
    scope_names: scope.ScopeNames = context["scope"]
    append_row(sheet, ["范围", scope_names.name()])
    append_row(sheet, ["期间", scope_names.period()])
    if comparison is not None:
        append_row(sheet, ["上期", comparison.summary()])


def _this_year() -> int:
    return utcnow().astimezone(get_settings().tz).year


def _statistics_year(year: int | None) -> int:
    return year if year and 2000 <= year <= _this_year() else _this_year()


@router.get("/statistics")
def statistics_page(request: Request, session: DbSession, year: int | None = None) -> Response:
    chosen, this_year = _statistics_year(year), _this_year()
    rows = public.monthly(session, chosen)
    since, until = period(date(chosen, 1, 1), date(chosen, 12, 31))
    figures = letter_figures(session, LetterFilter(since=since, until=until), keywords=0)
    return render(
        request,
        "analytics/statistics.html",
        {
            "year": chosen,
            "years": list(range(this_year, this_year - 5, -1)),
            "months": public.monthly_totals(rows),
            "units": figures.by_department,
            "categories": list(Category),
            "category_labels": CATEGORY_LABELS,
        },
    )


@router.get("/statistics.csv")
def statistics_csv(session: DbSession, year: int | None = None) -> Response:
    """The year's figures by month, unit and kind; headers and kinds in the page's language."""
    chosen = _statistics_year(year)
    return Response(
        public.to_csv(public.monthly(session, chosen)),
        media_type=spreadsheet.CSV,
        headers={"Content-Disposition": f'attachment; filename="statistics-{chosen}.csv"'},
    )


OpenDataYear = Annotated[int | None, Query(ge=2000, le=9999)]


def _open_data_file(year: int | None, ext: str) -> dict[str, str]:
    name = f"letters-{year}.{ext}" if year else f"letters.{ext}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/statistics/letters.csv")
def open_letters_csv(request: Request, year: OpenDataYear = None) -> StreamingResponse:
    """Published letters, masked as on /mailbox/letters, streamed; see analytics.open_data."""
    return StreamingResponse(
        open_data.to_csv(request.app.state.sessionmaker, year=year),
        media_type=spreadsheet.CSV,
        headers=_open_data_file(year, "csv"),
    )


@router.get("/statistics/letters.json")
def open_letters_json(request: Request, year: OpenDataYear = None) -> StreamingResponse:
    """The same letters as JSON: English keys, the contract's codes, labels beside them."""
    return StreamingResponse(
        open_data.to_json(request.app.state.sessionmaker, year=year),
        media_type="application/json",
        headers=_open_data_file(year, "json"),
    )
