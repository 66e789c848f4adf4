"""The unit that answered a letter, read from the published reply, as a unit TYPE.

`unit_of(reply)` returns a type such as "住房和城乡建设" or "公安" that is comparable across the
province's cities and counties (A市, B9市, K7县 ...), or None when the reply names no unit
("您反映的问题已收悉并交有关单位调查核处"). Older and short names map to today's type:
住建局/住房城乡建设局/房产局 -> 住房和城乡建设, 国土资源局/规划局 -> 自然资源, 环保局 -> 生态环境,
人社局/劳动监察 -> 人力资源和社会保障, 交警/派出所/车管所 -> 公安, 卫计委 -> 卫生健康 ...

Where a reply names several units, the one that signs or investigates wins, in this order: the
signature before the closing date, "经XX调查", "XX高度重视/立即...", "已转(交)XX办理", "感谢您对XX
工作", "我镇/我街道/我校", then a unit named in the opening words. Units only cited ("根据市发改委
文件") or referred to ("请咨询人社部门") do not count. A reply that says only "我局" names no type.
On a hand-checked random sample 35 of 40 labels were right; about half the replies name no unit.

`python -m benchmarks.quality.units` writes units.json ({留言编号: type}, types with fewer than
MIN_LETTERS letters -> None) and prints coverage and the label distribution.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

MIN_LETTERS = 25
HERE = Path(__file__).resolve().parent

# (type, keywords); the first type with a keyword found in a candidate phrase wins, so the
# more specific names come first (城乡建设行政执法大队 is 城市管理, 交通警察 is 公安 ...).
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("住房公积金", ("公积金",)),
    ("文化旅游", ("文化市场", "文化广电", "文旅")),
    ("信访", ("信访",)),
    (
        "公安",
        (
            "公安",
            "派出所",
            "交警",
            "交通警察",
            "车管所",
            "出入境",
            "看守所",
            "户政",
            "治安",
            "刑侦",
            "禁毒",
        ),
    ),
    (
        "城市管理",
        (
            "城市管理",
            "城管",
            "行政执法局",
            "行政执法大队",
            "执法大队",
            "执法中队",
            "综合执法",
            "环卫",
            "市容",
            "路灯所",
            "路灯办",
            "拆违",
        ),
    ),
    (
        "人力资源和社会保障",
        (
            "人力资源和社会保障",
            "人力资源社会保障",
            "人社",
            "劳动监察",
            "劳动保障",
            "劳动和社会保障",
            "社会保险",
            "社保",
            "就业服务",
            "人事局",
            "仲裁院",
        ),
    ),
    ("医疗保障", ("医疗保障", "医保", "医疗保险", "合作医疗", "新农合")),
    ("生态环境", ("生态环境", "环境保护", "环保")),
    (
        "自然资源",
        (
            "自然资源",
            "国土资源",
            "国土局",
            "国土所",
            "国土分局",
            "规划局",
            "规划分局",
            "城乡规划",
            "不动产登记",
            "规划办",
        ),
    ),
    (
        "住房和城乡建设",
        (
            "住房和城乡建设",
            "住房城乡建设",
            "住建",
            "城乡建设局",
            "建设局",
            "房产局",
            "房管局",
            "房产管理",
            "房地产管理",
            "住房保障",
            "物管",
            "质量安全监督",
            "建管",
            "房屋征收",
            "建设工程质量",
            "质安监",
            "质监站",
        ),
    ),
    (
        "教育",
        (
            "教育",
            "教委",
            "阳光服务中心",
            "我校",
            "学校",
            "中学",
            "小学",
            "幼儿园",
            "职业技术学院",
            "职院",
        ),
    ),
    (
        "卫生健康",
        (
            "卫生健康",
            "卫健",
            "卫计",
            "卫生和计划生育",
            "卫生局",
            "计生",
            "计划生育",
            "疾控",
            "疾病预防",
            "医院",
            "卫生院",
            "妇幼保健",
        ),
    ),
    (
        "市场监督管理",
        (
            "市场监督管理",
            "市场监管",
            "工商",
            "质监",
            "质量技术监督",
            "食品药品",
            "食药",
            "12315",
        ),
    ),
    (
        "交通运输",
        (
            "交通运输",
            "交通局",
            "交运局",
            "运管",
            "道路运输",
            "公路",
            "公交",
            "客运",
            "航道",
            "轨道",
            "巴士",
        ),
    ),
    (
        "民政",
        ("民政局", "民政部门", "民政厅", "民政所", "民政办", "民政和", "民政系统", "民政民族"),
    ),
    ("商务", ("商务局", "商务和", "商粮局", "商务部门")),
    ("扶贫", ("扶贫",)),
    ("农业农村", ("农业农村", "农业局", "农委", "畜牧", "农机", "农经")),
    ("水利", ("水利", "水务")),
    ("林业", ("林业",)),
    ("发展和改革", ("发展和改革", "发改", "物价")),
    ("财政", ("财政",)),
    ("税务", ("税务", "地税", "国税")),
    ("供电", ("电力", "供电", "国网", "电网")),
    ("供水", ("自来水", "供水")),
    ("文化旅游", ("文化", "旅游", "广电", "广播电视", "文体")),
    ("残联", ("残联", "残疾人联合会")),
    ("司法", ("司法",)),
    ("应急管理", ("应急管理", "安监", "安全生产监督")),
    ("街道办事处", ("街道办事处", "街道办", "街道党工委", "我街道", "街道")),
    (
        "乡镇人民政府",
        (
            "镇人民政府",
            "乡人民政府",
            "镇政府",
            "乡政府",
            "镇党委",
            "乡党委",
            "我镇",
            "我乡",
        ),
    ),
    (
        "县市区人民政府",
        (
            "县人民政府",
            "区人民政府",
            "市人民政府",
            "人民政府办公室",
            "政府办",
        ),
    ),
    ("政务服务", ("电子政务", "政务服务", "网络宣传", "网信", "热线", "12345")),
]

# A unit-like phrase: some characters ending with an organisation suffix.
_UNIT = (
    r"[\u4e00-\u9fa5A-Z0-9（）()]{1,24}?"
    r"(?:局|委员会|委|办公室|办事处|办|人民政府|政府|中心|大队|支队|中队|所|厅|公司|院|站|街道|镇|乡)"
)
_NUM = r"[\d〇零一二三四五六七八九十ｏo]"
_DATE = rf"{_NUM}{{2,4}}\s*[年\-.]\s*{_NUM}{{1,2}}\s*[月\-.]\s*{_NUM}{{1,3}}\s*[日号]?"
_AGENT = (
    r"(?:高度重视|迅速|立即|已介入|进行了?调查|经调查|收到|接到|正在|已经|已|将|会同|联合|组织|"
    r"安排|派|责成|要求|多次|第一时间|及时|认真|积极|工作人员|执法人员|负责人|领导|"
    r"副?(?:主任|局长|书记|镇长|乡长|队长|所长|校长|院长|主席))"
)
_PATTERNS = [
    # signature: the last phrase before (or without) a closing date
    re.compile(rf"({_UNIT})\s*(?:{_DATE})?\s*[。.]?\s*$"),
    re.compile(rf"经({_UNIT})[^，。；]{{0,30}}?(?:调查|核实|核查|研究|了解|查|现场)"),
    re.compile(rf"({_UNIT}){_AGENT}"),
    # "A5区高度重视": a district, county or city government answered
    re.compile(r"([A-Z]\d*[区县市](?:委|人民政府|政府)?)(?=高度重视)"),
    re.compile(
        rf"(?:转|交|要求|责成)(?:交|至|给|由|到|办)?({_UNIT})"
        r"(?:等单位|等部门|（[^）]*）|\([^)]*\))?(?:调查|核|办|处理|答复|进行|。)"
    ),
    re.compile(
        r"感谢(?:您|你)?(?:对|关心|关注)([\u4e00-\u9fa5A-Z0-9]{2,20}?)(?:工作|事业|建设|发展)"
    ),
    re.compile(r"(我(?:局|委|镇|乡|街道|校|大队|中心|所|院|办))"),
]
_REFERRAL = re.compile(
    r"(?:根据|按照|依据|依照|咨询|拨打|致电|联系|向|到|请|建议|或|与|报|经过)[^，。；]{0,6}$"
)
_CITED = re.compile(r"(?:根据|按照|依据|依照|咨询|拨打|致电|联系|向|到|请|建议|已转入|转入)")
_NOISE = re.compile(r"问政西地省|《[^》]*》|“[^”]*”|\"[^\"]*\"")


# sectors named in "感谢您对X工作/事业的关心"
SECTORS = {
    "交通管理": "公安",
    "交管": "公安",
    "交通": "交通运输",
    "规划": "自然资源",
    "国土": "自然资源",
    "医疗保险": "医疗保障",
    "卫生": "卫生健康",
}


def classify(phrase: str, places: bool = True) -> str | None:
    """The type a unit phrase names, or None; places=False ignores bare place names (X镇, X街道)."""
    if re.fullmatch(r"[A-Z]\d*[区县市](?:委|人民政府|政府)?", phrase):
        return "县市区人民政府"
    for label, keywords in RULES:
        if any(k in phrase for k in keywords):
            return label
    if not places:
        return None
    if phrase.endswith(("镇", "乡")) and len(phrase) >= 3:
        return "乡镇人民政府"
    if phrase.endswith("街道") and len(phrase) >= 4:
        return "街道办事处"
    for sector, label in SECTORS.items():
        if sector in phrase:
            return label
    return None


def unit_of(reply: str) -> str | None:
    """The type of the unit that answered, read from the reply text, or None."""
    if not isinstance(reply, str):
        return None
    text = _NOISE.sub("", re.sub(r"\s+", "", reply))
    if not text:
        return None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            label = classify(match.group(1))
            if label:
                return label
    # last resort: a unit named in the opening words ("A市住房和城乡建设局：..."), unless it is
    # cited ("根据市发改委文件") or referred to ("请咨询人社部门")
    head = text[:60]
    for match in re.finditer(_UNIT, head):
        before = head[max(0, match.start() - 8) : match.start()]
        if _REFERRAL.search(before) or _CITED.match(match.group(0)):
            continue
        label = classify(match.group(0), places=False)
        if label:
            return label
    return None


def labels(letters, min_letters: int = MIN_LETTERS) -> dict[int, str | None]:
    """{留言编号: type} for a DataFrame of letters; types under min_letters letters -> None."""
    raw = {
        int(i): unit_of(r) for i, r in zip(letters["留言编号"], letters["答复意见"], strict=True)
    }
    counts = Counter(v for v in raw.values() if v)
    return {i: (v if v and counts[v] >= min_letters else None) for i, v in raw.items()}


def main() -> None:
    from benchmarks.quality.evaluate import load_letters

    letters = load_letters()
    raw = {
        int(i): unit_of(r) for i, r in zip(letters["留言编号"], letters["答复意见"], strict=True)
    }
    counts = Counter(v for v in raw.values() if v)
    kept = labels(letters)
    n = len(raw)
    named = sum(1 for v in raw.values() if v)
    used = sum(1 for v in kept.values() if v)
    print(f"letters {n}; a unit named in {named} ({named / n:.1%}); ", end="")
    print(f"kept for evaluation (types with >= {MIN_LETTERS} letters) {used} ({used / n:.1%})")
    for label, c in counts.most_common():
        print(f"  {c:4d} {label}{'' if c >= MIN_LETTERS else '  (dropped)'}")
    out = HERE / "units.json"
    out.write_text(json.dumps({str(k): v for k, v in kept.items()}, ensure_ascii=False, indent=0))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
