"""A few surveys with a few thousand responses, answered the way people really answer."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engagement.models import Department, table_of
from engagement.timeutil import utcnow
from surveys.models import Answer, Question, QuestionKind, Response, Survey

Q = QuestionKind
SURVEYS: list[dict[str, Any]] = [
    {
        "unit": "transport",
        "title": "城区公交服务满意度调查",
        "days": (-40, 20),
        "public": True,
        "responses": 2400,
        "description": "为改进城区公交服务，请您花两分钟填写本问卷。",
        "questions": [
            (
                "often",
                Q.single,
                "您乘坐公交车的频率是？",
                True,
                ["每天", "每周几次", "每月几次", "很少乘坐"],
            ),
            ("satisfaction", Q.rating, "您对城区公交服务总体满意度如何？", True, []),
            (
                "problems",
                Q.multiple,
                "您认为目前公交最突出的问题有哪些？",
                False,
                ["班次太少", "等车时间长", "线路不合理", "车辆拥挤", "站台设施差"],
            ),
            ("wait", Q.number, "您平时等车大约需要多少分钟？", False, []),
            ("route", Q.text, "您希望新开或调整哪条线路？", False, []),
        ],
        "conditions": {"problems": ("often", ["每天", "每周几次"])},
    },
    {
        "unit": "education",
        "title": "中小学课后服务家长意见调查",
        "days": (-120, -60),
        "public": True,
        "responses": 1800,
        "description": "了解家长对课后服务时间和内容的需求。",
        "questions": [
            ("grade", Q.single, "您的孩子在读年级", True, ["小学低年级", "小学高年级", "初中"]),
            (
                "time",
                Q.single,
                "您希望课后服务结束时间是",
                True,
                ["17:00", "17:30", "18:00", "18:30"],
            ),
            (
                "content",
                Q.multiple,
                "您希望课后服务包括哪些内容？",
                False,
                ["作业辅导", "体育活动", "艺术兴趣", "阅读", "科技活动"],
            ),
            (
                "pay",
                Q.single,
                "您是否愿意适当分担服务费用？",
                True,
                ["愿意", "不愿意", "视金额而定"],
            ),
        ],
        "conditions": {},
    },
    {
        "unit": "health",
        "title": "乡镇卫生院服务需求调查",
        "days": (-5, 40),
        "public": False,
        "responses": 600,
        "description": "请乡镇居民填写，帮助我们改进基层医疗服务。",
        "questions": [
            (
                "township",
                Q.single,
                "您所在的乡镇",
                True,
                ["城关镇", "东风镇", "新河镇", "其他乡镇"],
            ),
            ("visits", Q.number, "过去一年您去卫生院看病几次？", False, []),
            (
                "needs",
                Q.multiple,
                "您最希望卫生院增加哪些服务？",
                True,
                ["儿科", "中医", "康复理疗", "慢病管理", "夜间急诊"],
            ),
            ("rating", Q.rating, "您对卫生院医生的服务态度打几分？", False, []),
        ],
        "conditions": {},
    },
]
ROUTES = [
    "希望开通到高铁站的公交",
    "建议增加到工业园区的班次",
    "城关镇到东风镇线路晚上延长运营",
    "学校附近增设站点",
    "希望有到县医院的直达线路",
    "周末增加到南湖公园的班次",
]


def load(session: Session, *, scale: str, progress: Any = None) -> list[str]:
    if session.scalar(select(Survey.id).limit(1)) is not None:
        return []
    units = {d.slug: d for d in session.scalars(select(Department))}
    rng = random.Random(7)  # noqa: S311 (reproducible demo data, not secrets)
    now = utcnow()
    total = 0
    for spec in SURVEYS:
        survey = _survey(session, spec, units[spec["unit"]], now)
        total += _responses(session, survey, spec["responses"], rng)
    return [f"Demo surveys: {len(SURVEYS)} with {total} responses"]


def _survey(session: Session, spec: dict[str, Any], unit: Department, now: Any) -> Survey:
    opens, closes = (now + timedelta(days=d) for d in spec["days"])
    questions = []
    for i, (key, kind, text, required, options) in enumerate(spec["questions"], start=1):
        show = spec["conditions"].get(key)
        questions.append(
            Question(
                key=key,
                ordinal=i,
                kind=kind,
                text=text,
                required=required,
                options=options,
                show_if_key=show[0] if show else None,
                show_if_values=show[1] if show else [],
            )
        )
    survey = Survey(
        department_id=unit.id,
        title=spec["title"],
        description=spec["description"],
        opens_at=opens,
        closes_at=closes,
        results_public=spec["public"],
        published_at=opens - timedelta(days=1),
        questions=questions,
    )
    session.add(survey)
    session.flush()
    return survey


def _responses(session: Session, survey: Survey, count: int, rng: random.Random) -> int:
    now = utcnow()
    span = (min(now, survey.closes_at) - survey.opens_at).total_seconds()
    rows = [
        {
            "survey_id": survey.id,
            "browser": None,
            "client_ip": None,
            "created_at": survey.opens_at + timedelta(seconds=rng.uniform(0, span)),
        }
        for _ in range(count)
    ]
    ids = (
        session.execute(insert(table_of(Response)).returning(table_of(Response).c.id), rows)
        .scalars()
        .all()
    )
    answers: list[dict[str, Any]] = []
    for response_id in ids:
        given: dict[str, Any] = {}
        for q in survey.questions:
            if q.show_if_key and given.get(q.show_if_key) not in q.show_if_values:
                continue
            value = _answer(q, rng)
            if value is None:
                continue
            given[q.key] = value
            answers += _rows(response_id, q, value)
    session.execute(insert(table_of(Answer)), answers)
    return len(ids)


def _answer(q: Question, rng: random.Random) -> Any:
    if not q.required and rng.random() < 0.2:
        return None
    if q.kind == Q.single:
        weights = [len(q.options) - i + rng.random() for i in range(len(q.options))]
        return rng.choices(q.options, weights=weights)[0]
    if q.kind == Q.multiple:
        return rng.sample(q.options, rng.randint(1, min(3, len(q.options))))
    if q.kind == Q.rating:
        return rng.choices([1, 2, 3, 4, 5], weights=[5, 10, 25, 40, 20])[0]
    if q.kind == Q.number:
        return max(0, round(rng.gauss(12, 6)))
    return rng.choice(ROUTES) if rng.random() < 0.5 else None


def _rows(response_id: int, q: Question, value: Any) -> list[dict[str, Any]]:
    base = {
        "response_id": response_id,
        "question_id": q.id,
        "option": None,
        "number": None,
        "text": None,
    }
    if q.kind == Q.multiple:
        return [{**base, "option": v} for v in value]
    if q.kind == Q.single:
        return [{**base, "option": value}]
    if q.kind == Q.text:
        return [{**base, "text": value}]
    return [{**base, "number": float(value)}]
