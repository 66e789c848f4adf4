"""Splitting a pasted draft into its articles, on drafts shaped like the real ones."""

# ruff: noqa: E501 (the drafts keep their real, long lines)

from __future__ import annotations

import re

import pytest

from feedback.consultations.splitter import Part, split_draft

REGULATION = """为进一步加强城市绿化管理，县住房和城乡建设局起草了《县城市绿化管理办法（征求意见稿）》，现全文公布，征求社会各界意见。

第一章　总则
第一条　为了促进城市绿化事业的发展，改善生态环境，美化生活环境，根据《城市绿化条例》等法律法规，结合本县实际，制定本办法。
第二条 本办法适用于本县城市规划区内的城市绿化规划、建设、保护和管理。
第三条
县住房和城乡建设局是本县城市绿化行政主管部门。
自然资源、交通运输等部门按照各自职责，做好城市绿化相关工作。
第二章 规划和建设
第四条 城市绿地系统规划应当纳入城市总体规划。
第五条 新建居住区绿地率不得低于百分之三十；旧城改造区绿地率不得低于百分之二十五。
第三章 保护和管理
第十条 任何单位和个人不得擅自占用城市绿地。
第十一条 本办法自二〇二五年一月一日起施行。
"""

NOTICE = """各乡镇人民政府，县直各有关单位：
为推进老旧小区改造工作，现就有关事项提出如下意见。
一、总体要求
（一）指导思想。坚持以人民为中心的发展思想，切实改善居民居住条件。
（二）基本原则。坚持居民自愿、因地制宜、量力而行。
二、改造内容
（一）基础类。主要是市政配套基础设施改造提升。
（二）完善类。主要是环境及配套设施改造建设。
三、保障措施
加强组织领导，各乡镇要建立工作机制，明确责任分工。
"""


def visible(text: str) -> str:
    """The text without white space, in order: what must survive splitting."""
    return re.sub(r"\s", "", text)


def rejoined(parts: list[Part], *, preamble: bool) -> str:
    """All the parts' characters in order, minus what the splitter adds (说明, the · joint)."""
    out = []
    for i, part in enumerate(parts):
        heading = "" if preamble and i == 0 else part.heading.replace(" · ", "")
        out.append(heading + part.text)
    return visible("".join(out))


def test_articles_are_split_with_their_chapters_and_the_preamble() -> None:
    parts = split_draft(REGULATION)

    assert [p.heading for p in parts] == [
        "说明",
        "第一章 总则 · 第一条",
        "第二条",
        "第三条",
        "第二章 规划和建设 · 第四条",
        "第五条",
        "第三章 保护和管理 · 第十条",
        "第十一条",
    ]
    assert parts[0].text.startswith("为进一步加强城市绿化管理")
    assert parts[1].text.startswith("为了促进城市绿化事业的发展")
    assert parts[2].text == "本办法适用于本县城市规划区内的城市绿化规划、建设、保护和管理。"
    # An article whose text starts on the next line keeps all its paragraphs, in order.
    assert parts[3].text == (
        "县住房和城乡建设局是本县城市绿化行政主管部门。\n"
        "自然资源、交通运输等部门按照各自职责，做好城市绿化相关工作。"
    )


def test_nothing_of_a_regulation_is_lost_or_reordered() -> None:
    parts = split_draft(REGULATION)

    assert rejoined(parts, preamble=True) == visible(REGULATION)


def test_numbered_headings_split_with_sub_items_kept_inside() -> None:
    parts = split_draft(NOTICE)

    assert [p.heading for p in parts] == ["说明", "一、总体要求", "二、改造内容", "三、保障措施"]
    assert (
        parts[0].text
        == "各乡镇人民政府，县直各有关单位：\n为推进老旧小区改造工作，现就有关事项提出如下意见。"
    )
    assert parts[1].text == (
        "（一）指导思想。坚持以人民为中心的发展思想，切实改善居民居住条件。\n"
        "（二）基本原则。坚持居民自愿、因地制宜、量力而行。"
    )
    assert parts[3].text == "加强组织领导，各乡镇要建立工作机制，明确责任分工。"


def test_nothing_of_a_notice_is_lost_or_reordered() -> None:
    parts = split_draft(NOTICE)

    assert rejoined(parts, preamble=True) == visible(NOTICE)


def test_windows_line_endings_split_the_same() -> None:
    assert split_draft(REGULATION.replace("\n", "\r\n")) == split_draft(REGULATION)


def test_a_draft_without_headings_is_one_part() -> None:
    text = "  本方案旨在提升城区道路通行效率。\n拟对中心城区十条道路进行改造。  "

    assert split_draft(text) == [Part("全文", text.strip())]


def test_a_single_numbered_line_is_not_a_structure() -> None:
    text = "现将有关事项通知如下：\n一、请各单位认真组织学习。"

    assert [p.heading for p in split_draft(text)] == ["全文"]


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_an_empty_draft_has_no_parts(text: str) -> None:
    assert split_draft(text) == []


def test_a_draft_without_a_preamble_starts_with_its_first_article() -> None:
    parts = split_draft("第一条 为了规范管理，制定本办法。\n第二条 本办法自发布之日起施行。")

    assert [(p.heading, p.text) for p in parts] == [
        ("第一条", "为了规范管理，制定本办法。"),
        ("第二条", "本办法自发布之日起施行。"),
    ]


def test_article_numbering_wins_over_numbered_paragraphs() -> None:
    """In a regulation, 一、二、 inside an article are items of that article, not new parts."""
    text = (
        "第一条 下列行为应当禁止：\n"
        "一、损毁绿地设施；\n"
        "二、擅自砍伐树木。\n"
        "第二条 本办法自发布之日起施行。"
    )

    parts = split_draft(text)

    assert [p.heading for p in parts] == ["第一条", "第二条"]
    assert parts[0].text == "下列行为应当禁止：\n一、损毁绿地设施；\n二、擅自砍伐树木。"


def test_arabic_numbered_items_stay_inside_their_heading() -> None:
    text = (
        "一、主要任务\n"
        "（一）完善设施。\n"
        "1、改造供水管网；\n"
        "2、增设充电桩。\n"
        "二、保障措施\n"
        "加强组织领导。"
    )

    parts = split_draft(text)

    assert [p.heading for p in parts] == ["一、主要任务", "二、保障措施"]


def test_a_chapter_followed_by_a_section_line_is_kept() -> None:
    text = (
        "第一章 总则\n"
        "第一条 为了规范管理，制定本办法。\n"
        "第二章 规划和建设\n"
        "第一节 一般规定\n"
        "第二条 城市绿地系统规划应当纳入城市总体规划。\n"
    )

    parts = split_draft(text)

    assert rejoined(parts, preamble=False) == visible(text)


def test_a_last_chapter_line_without_articles_is_kept() -> None:
    text = "第一章 总则\n第一条 为了规范管理，制定本办法。\n第二条 本办法自发布之日起施行。\n第二章 附则\n"

    parts = split_draft(text)

    assert rejoined(parts, preamble=False) == visible(text)
