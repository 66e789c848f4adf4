"""A few consultations in every state, with realistic drafts, comments and one report."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.models import Department
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from feedback.consultations.models import (
    Comment,
    CommentStatus,
    Consultation,
    Decision,
    Disposition,
    Kind,
    Report,
    Section,
    SensitiveWord,
)
from feedback.consultations.splitter import split_draft

DOG_RULES = """为规范养犬行为，保障公民人身安全和健康，维护市容环境和社会秩序，县公安局起草了《城区养犬管理办法（征求意见稿）》，现向社会公开征求意见。
第一章 总则
第一条 为了加强城区养犬管理，保障公民健康和人身安全，维护市容环境卫生和社会公共秩序，根据有关法律法规，结合本县实际，制定本办法。
第二条 本县城区范围内养犬和与养犬有关的管理活动，适用本办法。
第三条 养犬管理实行政府监管、部门协作、基层参与、养犬人自律、社会监督的原则。
第二章 养犬登记
第四条 城区实行养犬登记制度。个人饲养犬只，应当持本人身份证明和犬只免疫证明，到公安机关办理养犬登记。
第五条 城区内每户限养一只犬。禁止饲养烈性犬、大型犬。
第三章 养犬行为规范
第六条 携犬出户时，应当为犬只佩戴犬牌，束犬链，犬链长度不得超过一点五米，并由具有完全民事行为能力的人牵领。
第七条 犬只在户外排泄粪便的，携犬人应当立即清除。
第八条 禁止携犬进入学校、医院、机关、商场、公园等公共场所。"""

HEATING_PLAN = """为提升城区冬季供暖保障水平，县住房和城乡建设局编制了《城区集中供热三年提升方案（征求意见稿）》。
一、总体要求
坚持以人民为中心，到2028年城区集中供热覆盖率达到百分之九十五以上，居民室内温度达标率达到百分之九十八以上。
二、主要任务
（一）改造老旧供热管网六十公里。
（二）新建热源厂一座，新增供热能力二百万平方米。
（三）建设供热智慧监管平台，实现室温在线监测。
三、保障措施
加强组织领导，落实资金保障，强化考核督导。"""

SCHOOL_BUS = """为保障农村学生上下学交通安全，县教育局拟定了《农村中小学校车服务管理实施细则（征求意见稿）》。
一、服务范围
居住地距离学校三公里以上的农村义务教育阶段学生。
二、车辆要求
校车应当符合国家标准，配备随车照管人员。
三、收费标准
校车服务实行政府补贴，家庭承担部分每生每学期不超过三百元。"""

PARKING = """为缓解城区停车难问题，县城市管理局起草了《城区道路停车泊位设置和收费管理规定（草案）》。
第一条 为规范城区道路停车秩序，合理利用道路资源，制定本规定。
第二条 城区主次干道停车泊位实行分时段收费，夜间二十时至次日八时免费。
第三条 新能源汽车首小时免费。
第四条 住宅小区周边道路可设置夜间居民专用泊位。"""

MARKET = """县商务局拟对城区早市、夜市实行统一规划管理，现就《城区便民市场设置规划（草案）》征求意见。
一、设置原则
方便群众、规范有序、不占主干道。
二、设置地点
拟在东关、西街、南湖三处设置固定便民市场。"""

COMMENTS: dict[str, list[tuple[int | None, str, str]]] = {
    "dog": [
        (
            5,
            "建议把每户限养一只改为两只，很多老人家里养两只小型犬作伴，只要办理登记就应当允许。",
            "approved",
        ),
        (
            6,
            "犬链长度一点五米比较合理，但要明确夜间遛狗也必须牵绳，现在晚上不牵绳的情况很多。",
            "approved",
        ),
        (7, "建议在小区和公园入口设置犬只粪便收集箱，并配备清理袋，方便养犬人清理。", "approved"),
        (8, "公园禁止携犬进入太严格了，可以划定宠物活动区域，分时段开放。", "pending"),
        (None, "整体支持出台这个办法，希望执法部门加大对不文明养犬的处罚力度。", "approved"),
        (
            4,
            "办理登记的地点太少，建议在各乡镇派出所和政务服务中心都能办理，最好能网上办。",
            "pending",
        ),
    ],
    "heating": [
        (2, "老旧小区管网改造时请提前公告停暖时间，不要在最冷的时候施工。", "approved"),
        (2, "希望智慧监管平台能让居民自己查到家里的室温数据，发现不达标可以直接投诉。", "approved"),
        (None, "建议供热费实行按热计量收费，室温不达标的应当退费。", "approved"),
    ],
    "school": [
        (3, "每学期三百元对困难家庭负担不小，建议对低保家庭免费。", "approved"),
        (1, "三公里的标准能否放宽到两公里？有的山区路不好走。", "approved"),
    ],
    "parking": [
        (2, "夜间免费很好，建议白天前十五分钟也免费，方便临时停车接送孩子。", "approved"),
        (3, "新能源汽车首小时免费没有必要，应当一视同仁。", "approved"),
        (4, "居民专用泊位建议实行登记制，避免外来车辆长期占用。", "pending"),
    ],
}


def load(session: Session, *, scale: str, progress: Any = None) -> list[str]:
    if session.scalar(select(Consultation.id).limit(1)) is not None:
        return []
    units = {d.slug: d for d in session.scalars(select(Department))}
    now = utcnow()
    for word in ("代开发票", "赌博网站", "办证刻章"):
        session.add(SensitiveWord(word=word))
    dog = _make(
        session,
        units["public-security"],
        "城区养犬管理办法（征求意见稿）",
        DOG_RULES,
        Kind.regulation_draft,
        now - timedelta(days=10),
        now + timedelta(days=25),
    )
    heating = _make(
        session,
        units["housing"],
        "城区集中供热三年提升方案（征求意见稿）",
        HEATING_PLAN,
        Kind.major_decision,
        now - timedelta(days=45),
        now - timedelta(days=5),
    )
    school = _make(
        session,
        units["education"],
        "农村中小学校车服务管理实施细则（征求意见稿）",
        SCHOOL_BUS,
        Kind.normative_document,
        now - timedelta(days=90),
        now - timedelta(days=70),
    )
    parking = _make(
        session,
        units["urban-management"],
        "城区道路停车泊位设置和收费管理规定（草案）",
        PARKING,
        Kind.regulation_draft,
        now - timedelta(days=120),
        now - timedelta(days=85),
    )
    _make(
        session,
        units["commerce"],
        "城区便民市场设置规划（草案）",
        MARKET,
        Kind.other,
        now + timedelta(days=3),
        now + timedelta(days=20),
    )
    _make(
        session,
        units["commerce"],
        "夜间经济发展若干措施（草稿）",
        MARKET,
        Kind.other,
        now + timedelta(days=10),
        now + timedelta(days=40),
        publish=False,
    )
    for consultation, key in (
        (dog, "dog"),
        (heating, "heating"),
        (school, "school"),
        (parking, "parking"),
    ):
        _comments(session, consultation, key)
    _report(session, parking, now - timedelta(days=80))
    return ["Demo consultations: 6 (open, scheduled, closed, late report, reported, draft)"]


def _make(
    session: Session,
    unit: Department,
    title: str,
    text: str,
    kind: Kind,
    opens: datetime,
    closes: datetime,
    *,
    publish: bool = True,
) -> Consultation:
    parts = split_draft(text)
    summary = parts[0].text if parts and parts[0].heading == "说明" else title
    articles = [p for p in parts if p.heading != "说明"]
    consultation = Consultation(
        department_id=unit.id,
        kind=kind,
        title=title,
        summary=summary,
        background="根据有关法律法规和上级部署，结合本县实际起草。",
        how_to_comment=f"请于{closes.astimezone(get_settings().tz).strftime('%Y年%m月%d日')}前在本页逐条发表意见，也可来电来信。",
        opens_at=opens,
        closes_at=closes,
        published_at=opens - timedelta(days=1) if publish else None,
        short_period_reason=None
        if closes - opens >= timedelta(days=30) or kind in (Kind.other, Kind.normative_document)
        else "上级部门要求限期出台，征求意见期相应缩短。",
        sections=[
            Section(ordinal=i, heading=p.heading, text=p.text)
            for i, p in enumerate(articles, start=1)
        ],
    )
    session.add(consultation)
    session.flush()
    return consultation


def _comments(session: Session, consultation: Consultation, key: str) -> None:
    sections = {s.ordinal: s for s in consultation.sections}
    for i, (ordinal, body, status) in enumerate(COMMENTS[key]):
        session.add(
            Comment(
                consultation_id=consultation.id,
                section=sections.get(ordinal) if ordinal else None,
                body=body,
                name=["王先生", "李女士", "赵师傅", ""][i % 4],
                contact="",
                status=CommentStatus(status),
                agree_count=(7 * i) % 23,
                created_at=consultation.opens_at + timedelta(days=1 + i),
                moderated_at=consultation.opens_at + timedelta(days=2 + i)
                if status != "pending"
                else None,
            )
        )
    session.flush()


def _report(session: Session, consultation: Consultation, at: datetime) -> None:
    comments = session.scalars(
        select(Comment).where(
            Comment.consultation_id == consultation.id, Comment.status == CommentStatus.approved
        )
    )
    decisions = [
        (Decision.adopted, "已采纳，在第二条中增加相应规定。"),
        (Decision.not_adopted, "为鼓励绿色出行，保留该条款。"),
    ]
    for comment, (decision, reason) in zip(comments, decisions, strict=False):
        comment.disposition = Disposition(decision=decision, reason=reason)
    consultation.report = Report(
        summary="征求意见期间共收到网上意见3条、电话意见5条、座谈会意见12条，经认真研究，"
        "部分采纳，主要修改了收费时段的规定。",
        other_channels={"phone": 5, "meeting": 12},
        published_at=at,
    )
    consultation.reported_at = at
