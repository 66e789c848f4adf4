"""About 3,000 realistic letters over the last twelve months, with replies, ratings and lateness."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engagement.calendar_admin import load_calendar
from engagement.models import Department, DepartmentKind, table_of
from engagement.settings import Settings, get_settings
from engagement.timeutil import utcnow
from engagement.workdays import WorkCalendar
from feedback.mailbox import finder, rules
from feedback.mailbox.models import (
    Category,
    EventKind,
    Letter,
    LetterEvent,
    LetterWord,
    Rating,
    Reply,
    Satisfaction,
    Status,
)
from feedback.mailbox.service import hash_code, new_tracking_code, word_counts

SMALL_COUNT = 3000
DEMO_KEY = "demo-letter-"

# (unit slug, category, subject, body) — the demands a county hears all year.
TOPICS: list[tuple[str, Category, str, str]] = [
    (
        "housing",
        Category.complaint,
        "小区冬季供暖温度不达标",
        "我家住{town}{n}号楼，入冬以来室内温度只有十四五度，老人孩子都受不了，多次找物业和供热公司都没有解决，请有关部门督促尽快整改。",
    ),
    (
        "housing",
        Category.help,
        "老旧小区加装电梯申请",
        "我们单元住了不少七八十岁的老人，上下楼非常困难，想申请加装电梯，请问需要准备哪些材料、政府有没有补贴？",
    ),
    (
        "housing",
        Category.complaint,
        "物业公司乱收费问题",
        "{town}某小区物业今年突然上调物业费，还额外收取停车管理费，没有公示也没有业主大会表决，请住建部门调查。",
    ),
    (
        "transport",
        Category.suggestion,
        "建议增开城区到乡镇的公交班次",
        "从县城到{town}的公交车每天只有四趟，早上上学上班的人很多，经常挤不上车，建议早晚高峰增开班次。",
    ),
    (
        "transport",
        Category.complaint,
        "乡村道路坑洼严重",
        "{town}通往村里的水泥路多处塌陷，雨天积水很深，电动车经常摔倒，希望尽快修补。",
    ),
    (
        "education",
        Category.consultation,
        "小学入学划片政策咨询",
        "孩子今年满六周岁，我们户口在{town}但在城区买了房，请问入学按户口还是按房产划片，需要什么证明？",
    ),
    (
        "education",
        Category.suggestion,
        "建议延长学校课后服务时间",
        "双职工家庭下午五点半才能下班，学校课后服务四点半就结束了，建议延长到六点，并增加看护老师。",
    ),
    (
        "human-resources",
        Category.help,
        "工地拖欠农民工工资",
        "我在{town}一个建筑工地干了八个月，老板拖欠工资三万多元一直不给，多次讨要无果，请求帮助。",
    ),
    (
        "human-resources",
        Category.consultation,
        "灵活就业人员养老保险缴费咨询",
        "我是个体户，想以灵活就业人员身份缴纳养老保险，请问在哪里办理、每年缴费基数是多少？",
    ),
    (
        "medical-insurance",
        Category.consultation,
        "异地就医备案和报销比例",
        "我父亲在外省子女家长期居住，看病需要异地就医备案，请问怎么网上办理，报销比例和本地一样吗？",
    ),
    (
        "environment",
        Category.complaint,
        "夜间工厂噪音扰民",
        "{town}工业园区有家工厂每天夜里十点以后还在生产，噪音很大，附近居民无法休息，请环保部门检查。",
    ),
    (
        "environment",
        Category.report,
        "河道被倾倒建筑垃圾",
        "{town}河边最近经常有车辆夜间倾倒建筑垃圾，已经堵住了部分河道，汛期可能造成危险。",
    ),
    (
        "water",
        Category.complaint,
        "自来水经常停水且水质发黄",
        "我们{town}这一片最近一个月停了五六次水，来水后水质发黄有异味，请水务部门查明原因。",
    ),
    (
        "urban-management",
        Category.suggestion,
        "建议规范早市摊位占道经营",
        "城区早市摊贩占道严重，早上车辆和行人都很难通行，建议划定固定区域，既方便群众买菜又不影响交通。",
    ),
    (
        "market-regulation",
        Category.report,
        "超市销售过期食品",
        "我在{town}一家超市买的牛奶回家发现已经过期三天，找店家理论态度很差，请市场监管部门查处。",
    ),
    (
        "health",
        Category.suggestion,
        "建议乡镇卫生院增加儿科门诊",
        "{town}卫生院没有儿科，孩子发烧只能跑县医院，路远排队时间长，建议卫生院增设儿科或定期派医生坐诊。",
    ),
    (
        "agriculture",
        Category.consultation,
        "耕地地力保护补贴发放时间",
        "请问今年的耕地地力保护补贴什么时候发放？我家在{town}，去年的补贴好像少发了一部分。",
    ),
    (
        "civil-affairs",
        Category.help,
        "低保申请进度查询",
        "我家老人常年患病，今年三月在{town}递交了低保申请，到现在还没有结果，请帮忙查询进度。",
    ),
    (
        "public-security",
        Category.consultation,
        "身份证异地办理咨询",
        "我在外地工作，身份证快到期了，请问能否在工作地直接换领，需要回户籍地吗？",
    ),
    (
        "emergency",
        Category.report,
        "沿街商铺违规存放液化气罐",
        "{town}老街有几家饭店在门口堆放十几个液化气罐，存在很大安全隐患，请应急部门检查。",
    ),
    (
        "natural-resources",
        Category.consultation,
        "农村宅基地翻建审批",
        "我家在{town}的老房子年久失修，想在原宅基地上翻建，请问需要办理哪些审批手续？",
    ),
    (
        "culture-tourism",
        Category.suggestion,
        "建议开放更多公共体育场地",
        "县城公共篮球场和健身场地太少，晚上经常没有位置，建议学校操场在假期和晚上向居民开放。",
    ),
]
NAMES = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄勇",
    "周丽",
    "吴强",
    "徐婷",
    "孙浩",
    "马丽",
    "朱军",
    "胡霞",
    "郭涛",
    "何琳",
    "高鹏",
    "林娟",
    "罗斌",
]
REPLIES = [
    "您好！您反映的问题已收悉。经我单位调查核实，{detail}感谢您对我县工作的关心和支持。如有疑问，可拨打单位值班电话咨询。",
    "您好！针对您的来信，我单位高度重视，已安排专人实地查看，{detail}后续我们将持续跟进，欢迎继续监督。",
]
DETAILS = [
    "相关问题已责成责任单位限期整改，预计两周内完成。",
    "相关政策及办理流程已在政府网站公开，您可携带身份证到政务服务中心窗口办理。",
    "已协调有关方面进行处理，目前问题已基本解决。",
    "该事项已纳入明年工作计划，我们将统筹安排实施。",
]


@dataclass
class _World:
    rng: random.Random
    now: datetime
    units: dict[str, Department]
    townships: list[Department]
    calendar: WorkCalendar
    settings: Settings
    words: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def count_words(self, text: str) -> dict[str, int]:
        if text not in self.counts:
            self.counts[text] = word_counts(text)
        return self.counts[text]


def load(session: Session, *, scale: str, progress: Any = None) -> list[str]:
    lines = _load_small(session, progress)
    if scale == "large":
        from feedback.mailbox import demo_large

        lines += demo_large.load(session, progress=progress)
    return lines


def _load_small(session: Session, progress: Any) -> list[str]:
    if session.scalar(select(Letter.id).where(Letter.submission_key == f"{DEMO_KEY}0")):
        return []
    units = {d.slug: d for d in session.scalars(select(Department))}
    world = _World(
        random.Random(2026),  # noqa: S311 (reproducible demo data, not secrets)
        utcnow(),
        units,
        [d for d in units.values() if d.kind == DepartmentKind.township],
        load_calendar(session),
        get_settings(),
    )
    task = progress.add_task("letters", total=SMALL_COUNT) if progress else None
    sample: tuple[str, str] | None = None
    for i in range(SMALL_COUNT):
        age = timedelta(days=365 * (world.rng.random() ** 1.3))  # recent letters outnumber old
        code = new_tracking_code()
        letter = _letter(session, world, i, world.now - age, code)
        if sample is None and letter.status == Status.replied:
            sample = (letter.number or "", code)
        if progress and i % 100 == 99:
            progress.advance(task, 100)
    session.flush()
    if world.words:
        session.execute(insert(table_of(LetterWord)), world.words)
    finder.index_missing(session)
    lines = [f"Demo letters: {SMALL_COUNT}"]
    if sample:
        lines.append(f"Track a demo letter: /mailbox/track?number={sample[0]}&code={sample[1]}")
    return lines


def _letter(session: Session, world: _World, i: int, submitted: datetime, code: str) -> Letter:
    rng = world.rng
    slug, category, subject, body = rng.choice(TOPICS)
    town = rng.choice(world.townships)
    letter = Letter(
        number_day=f"{submitted.astimezone(world.settings.tz):%Y%m%d}",
        tracking_code_hash=hash_code(code),
        submission_key=f"{DEMO_KEY}{i}",
        category=category,
        subject=subject,
        body=body.format(town=town.name, n=rng.randint(1, 30)),
        name=rng.choice(NAMES),
        phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        township=town,
        publish_consent=rng.random() < 0.6,
        status=Status.submitted,
        submitted_at=submitted,
        created_at=submitted,
        assign_due_at=rules.assign_deadline(submitted, world.calendar, world.settings),
    )
    session.add(letter)
    session.flush()
    world.words += [
        {"letter_id": letter.id, "word": w, "n": n}
        for w, n in world.count_words(f"{letter.subject}\n{letter.body}").items()
    ]
    _event(letter, EventKind.submitted, submitted)
    assigned = submitted + timedelta(hours=rng.uniform(1, 30))
    if assigned > world.now:
        return letter
    unit = world.units.get(slug) or town
    letter.department, letter.status, letter.assigned_at = unit, Status.assigned, assigned
    letter.reply_due_at = rules.reply_deadline(assigned, category, world.calendar, world.settings)
    _event(letter, EventKind.assigned, assigned, unit)
    late = rng.random() < 0.12
    span = (letter.reply_due_at - assigned) * (
        rng.uniform(1.1, 2.5) if late else rng.uniform(0.2, 0.95)
    )
    if assigned + span > world.now:
        return letter
    _reply(letter, world, assigned + span, unit)
    if letter.status == Status.reopened:
        _answer_again(letter, world, unit)
    return letter


def _answer_again(letter: Letter, world: _World, unit: Department) -> None:
    """Most reopened letters get a second, better reply within their new deadline."""
    reopened = letter.events[-1].at
    letter.reply_due_at = rules.reply_deadline(
        reopened, letter.category, world.calendar, world.settings
    )
    again = reopened + (letter.reply_due_at - reopened) * world.rng.uniform(0.3, 1.05)
    if again <= world.now and world.rng.random() < 0.85:
        _reply(letter, world, again, unit)


def _reply(letter: Letter, world: _World, at: datetime, unit: Department) -> None:
    rng = world.rng
    text = rng.choice(REPLIES).format(detail=rng.choice(DETAILS))
    letter.replies.append(Reply(body=text, public=True, replied_at=at, department=unit))
    letter.status, letter.replied_at = Status.replied, at
    if letter.first_replied_at is None:
        letter.first_replied_at = at
        letter.reply_hours = (at - letter.submitted_at).total_seconds() / 3600
        letter.on_time = letter.reply_due_at is None or at <= letter.reply_due_at
    _event(letter, EventKind.replied, at, unit)
    if letter.publish_consent and not letter.published and rng.random() < 0.7:
        letter.published, letter.published_at = True, at + timedelta(days=1)
    _rate(letter, world, at)


def _rate(letter: Letter, world: _World, replied: datetime) -> None:
    rng = world.rng
    rated = replied + timedelta(days=rng.uniform(0.2, 6))
    if rated > world.now or rng.random() < 0.35:
        if world.now - replied > timedelta(days=world.settings.rating_window_days):
            closed = replied + timedelta(days=world.settings.rating_window_days)
            letter.status, letter.closed_at = Status.closed, closed
            _event(letter, EventKind.closed, closed)
        return
    choice = rng.choices(list(Satisfaction), weights=[60, 28, 12])[0]
    letter.replies[-1].ratings.append(
        Rating(letter_id=letter.id, satisfaction=choice, rated_at=rated)
    )
    letter.satisfaction = choice
    _event(letter, EventKind.rated, rated)
    if choice == Satisfaction.unsatisfied:
        letter.status = Status.reopened
        _event(letter, EventKind.reopened, rated)
    else:
        letter.status, letter.closed_at = Status.closed, rated
        _event(letter, EventKind.closed, rated)


def _event(letter: Letter, kind: EventKind, at: datetime, unit: Department | None = None) -> None:
    letter.events.append(LetterEvent(kind=kind, at=at, department=unit, public=True))
