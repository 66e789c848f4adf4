"""Property tests of engagement.text: masking of personal data and phone validation."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engagement.text import is_valid_phone, mask_personal, normalize_phone

settings.register_profile(
    "mailbox",
    max_examples=100,
    deadline=None,
    database=None,  # no .hypothesis folder in the working tree
    derandomize=True,  # the same examples on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile("mailbox")

DIGITS = "0123456789"
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
# Everyday words of letters, punctuation and ASCII, but no digit and no "@": random text that
# holds no personal data of its own. The phrases "我是", "我叫", "本人", "姓名", "联系人" are left
# out here on purpose; see test_ordinary_phrases_are_not_taken_for_names below.
WORDS = st.sampled_from(
    [
        "小区", "路灯", "不亮", "反映", "问题", "希望", "尽快", "解决", "谢谢", "县长",
        "您好", "居民", "道路", "积水", "噪音", "扰民", "学校", "医院", "公交", "停车",
        "，", "。", "！", "？", "：", "、", "（", "）", " ", "\n", "-", "+", ".",
        "road", "lamp", "Hello", "No.", "TEL", "phone",
    ]
)  # fmt: skip
FILLER = st.lists(st.one_of(WORDS, CJK, st.sampled_from("abcxyzABC ,.;:!?")), max_size=12).map(
    "".join
)


ASCII_ALNUM = DIGITS + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _embedded(
    value: st.SearchStrategy[str], glue: str = DIGITS
) -> st.SearchStrategy[tuple[str, str]]:
    """(the value, a text that contains it somewhere between random words).

    A space separates the value from a neighbour in `glue`: digits glued to a phone number make
    another, longer number. ID numbers also take ASCII letters as glue (an ID touching a Latin
    letter is the separate test below).
    """

    def build(parts: tuple[str, str, str]) -> tuple[str, str]:
        left, item, right = parts
        left = left + " " if left[-1:] and left[-1] in glue else left
        right = " " + right if right[:1] and right[0] in glue else right
        return item, f"{left}{item}{right}"

    return st.tuples(FILLER, value, FILLER).map(build)


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=DIGITS, min_size=n, max_size=n)


MOBILE_DIGITS = st.builds(lambda b, rest: f"1{b}{rest}", st.sampled_from("3456789"), _digits(9))
MOBILE = st.one_of(
    MOBILE_DIGITS,
    MOBILE_DIGITS.map(lambda m: f"{m[:3]} {m[3:7]} {m[7:]}"),
    MOBILE_DIGITS.map(lambda m: f"{m[:3]}-{m[3:7]}-{m[7:]}"),
    MOBILE_DIGITS.map(lambda m: f"+86{m}"),
    MOBILE_DIGITS.map(lambda m: f"+86 {m}"),
)
AREA = st.one_of(
    st.builds(lambda d: f"0{d}", _digits(2)),  # 010, 021 …
    st.builds(lambda d: f"0{d}", _digits(3)),  # 0371 …
)
LOCAL = st.builds(lambda first, rest: f"{first}{rest}", st.sampled_from("2345678"), _digits(6))
LOCAL = st.one_of(LOCAL, st.builds(lambda a, b: a + b, LOCAL, _digits(1)))  # 7 or 8 digits
LANDLINE = st.builds(
    lambda area, sep, number: f"{area}{sep}{number}", AREA, st.sampled_from(["-", "", " "]), LOCAL
)
ID_NUMBER = st.builds(lambda head, last: head + last, _digits(17), st.sampled_from(DIGITS + "X"))
EMAIL = st.builds(
    lambda first, rest, domain: f"{first}{rest}@{domain}",
    st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789"),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", max_size=15),
    st.sampled_from(["163.com", "qq.com", "example.gov.cn", "mail.example.org", "126.com"]),
)
CHINESE_NAME = st.text(
    alphabet=st.sampled_from("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗建国秀英志强丽娟明华"),
    min_size=2,
    max_size=3,
)


@PROFILE
@given(_embedded(MOBILE))
@example(("13812345678", "电话13812345678，谢谢"))
@example(("19912345678", "No.19912345678"))
def test_a_mobile_number_never_survives_masking(case: tuple[str, str]) -> None:
    mobile, text = case

    masked = mask_personal(text)

    assert normalize_phone(mobile).replace("-", "") not in masked.replace(" ", "").replace("-", "")
    assert mobile not in masked


@PROFILE
@given(_embedded(LANDLINE))
@example(("0371-66667777", "座机0371-66667777"))
@example(("010 12345678", "办公室010 12345678转"))
def test_a_landline_with_its_area_code_never_survives_masking(case: tuple[str, str]) -> None:
    landline, text = case

    masked = mask_personal(text)

    assert landline not in masked
    local_number = landline.replace(" ", "-").split("-")[-1][-7:]
    assert local_number not in masked


@PROFILE
@given(_embedded(ID_NUMBER, glue=ASCII_ALNUM))
@example(("41010219900307123X", "身份证号41010219900307123X。"))
def test_an_id_number_never_survives_masking(case: tuple[str, str]) -> None:
    id_number, text = case

    masked = mask_personal(text)

    assert id_number not in masked
    assert id_number[6:14] not in masked  # the date of birth


@PROFILE
@given(_embedded(EMAIL))
@example(("13812345678@163.com", "邮箱13812345678@163.com"))
def test_an_email_never_survives_masking(case: tuple[str, str]) -> None:
    email, text = case

    assert email not in mask_personal(text)


@PROFILE
@given(CHINESE_NAME, FILLER, FILLER, st.integers(min_value=1, max_value=3))
def test_the_writers_own_name_never_survives(name: str, left: str, right: str, times: int) -> None:
    text = (left + name + right) * times

    masked = mask_personal(text, names=[name])

    assert name not in masked


@PROFILE
@given(
    st.lists(
        st.one_of(
            _embedded(MOBILE),
            _embedded(LANDLINE),
            _embedded(ID_NUMBER, ASCII_ALNUM),
            _embedded(EMAIL),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_several_kinds_in_one_text_are_all_masked(cases: list[tuple[str, str]]) -> None:
    text = "；".join(t for _, t in cases)

    masked = mask_personal(text)

    for value, _ in cases:
        assert value not in masked


@PROFILE
@given(FILLER)
@example("县长您好，小区路灯不亮，希望尽快解决。谢谢！")
@example("Hello, the road lamp at No. Five is broken.")
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert mask_personal(text) == text
    assert mask_personal(text, names=[]) == text


def test_masking_is_idempotent_on_a_realistic_letter() -> None:
    text = (
        "我叫王建国，电话13812345678，座机0371-66667777，身份证410102199003071234，邮箱a.b@qq.com"
    )

    once = mask_personal(text, names=["王建国"])

    assert mask_personal(once, names=["王建国"]) == once
    for secret in ["王建国", "13812345678", "66667777", "410102199003071234", "a.b@qq.com"]:
        assert secret not in once


@pytest.mark.parametrize(
    "text",
    [
        "我是本小区居民，路灯坏了。",
        "本人认为这条路应该修。",
        "我是一名退休教师。",
        "我是外地来务工的。",
    ],
)
def test_ordinary_phrases_are_not_taken_for_names(text: str) -> None:
    assert mask_personal(text) == text


@pytest.mark.parametrize(
    "landline", ["(0371)66667777", "（0371）66667777", "0371-6666-7777", "（010）1234 5678"]
)
def test_common_written_forms_of_a_landline_are_masked(landline: str) -> None:
    masked = mask_personal(f"请回电{landline}，谢谢")

    assert landline not in masked
    assert landline[-4:] not in masked.replace(" ", "")


def test_full_width_digits_are_masked_too() -> None:
    masked = mask_personal(
        "我的手机是１３８１２３４５６７８，身份证４１０１０２１９９００３０７１２３４"
    )

    assert "１３８１２３４５６７８" not in masked
    assert "４１０１０２１９９００３０７１２３４" not in masked


def test_an_id_number_after_a_latin_label_is_masked() -> None:
    assert "410102199003071234" not in mask_personal("证件ID410102199003071234，请核实")


# --- phone validation --------------------------------------------------------------------------


@PROFILE
@given(MOBILE)
def test_every_mainland_mobile_without_hyphens_is_valid(mobile: str) -> None:
    if "-" in mobile:
        mobile = mobile.replace("-", "")
    assert is_valid_phone(mobile)
    assert normalize_phone(mobile) == mobile.replace(" ", "").removeprefix("+86")


@PROFILE
@given(AREA, LOCAL, st.sampled_from(["-", ""]))
def test_every_landline_with_area_code_is_valid(area: str, number: str, sep: str) -> None:
    assert is_valid_phone(f"{area}{sep}{number}")


@PROFILE
@given(st.text(alphabet=DIGITS, min_size=1, max_size=20))
def test_a_bare_digit_string_is_valid_only_as_a_mobile_or_a_landline(digits: str) -> None:
    mobile = len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"
    landline = digits[0] == "0" and 10 <= len(digits) <= 12

    assert is_valid_phone(digits) == (mobile or landline)


@PROFILE
@given(MOBILE_DIGITS, st.sampled_from(DIGITS))
def test_a_mobile_with_a_digit_too_many_or_too_few_is_invalid(mobile: str, extra: str) -> None:
    assert not is_valid_phone(mobile + extra)
    assert not is_valid_phone(mobile[:-1])


@pytest.mark.parametrize(
    "phone", ["12345", "1381234567", "12812345678", "abcdefghijk", "13812345678a", "", " ", "0"]
)
def test_obviously_bad_numbers_are_invalid(phone: str) -> None:
    assert not is_valid_phone(phone)


# --- every spelling of a number (issue #14, item 2) ---------------------------------------------

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
SEPARATORS = [" ", "-", ".", *ZERO_WIDTH]
FULL_WIDTH = str.maketrans(DIGITS, "０１２３４５６７８９")
CHINESE_NUMERALS = "〇零一二三四五六七八九十幺两"
# A digit as it is said: 0 as 〇 or 零, 1 as 一 or 幺.
SAID = {"0": "〇零", "1": "一幺", **{d: "一二三四五六七八九"[int(d) - 1] for d in "23456789"}}
# Random Chinese without numerals: filler must not spell digits of its own.
CJK_WORDS = CJK.filter(lambda c: c not in CHINESE_NUMERALS)
PLAIN_FILLER = st.lists(
    st.one_of(WORDS, CJK_WORDS, st.sampled_from("abcxyzABC ,;:!?")), max_size=12
).map("".join)


@st.composite
def spelled(
    draw: st.DrawFn, digits: str, groups: tuple[int, ...] = (), anywhere: bool = True
) -> str:
    """`digits` as a person might type them: in groups with spaces, dashes, dots or zero-width
    spaces between them, with zero-width spaces (or, when `anywhere`, any separator) between
    any two digits, in full-width digits or in Chinese numerals."""
    forms = ["groups", "zero-width", "full-width", "chinese"]
    form = draw(st.sampled_from([*forms, "anywhere"] if anywhere else forms))
    if form == "chinese":
        return "".join(draw(st.sampled_from(SAID.get(d, d))) for d in digits)
    if form == "full-width":
        return digits.translate(FULL_WIDTH)
    if form == "groups" and groups:
        sep = draw(st.sampled_from(SEPARATORS))
        parts, start = [], 0
        for size in groups:
            parts.append(digits[start : start + size])
            start += size
        return sep.join(p for p in parts if p)
    between = SEPARATORS if form == "anywhere" else ZERO_WIDTH
    out = digits[0]
    for d in digits[1:]:
        out += draw(st.sampled_from(["", "", *between])) + d
    return out


def _plain(text: str) -> str:
    """Digits as they read: zero-width characters dropped, full-width and Chinese numerals as
    ASCII digits."""
    for z in ZERO_WIDTH:
        text = text.replace(z, "")
    table = {ord(c): d for d, cs in SAID.items() for c in cs} | {
        ord(f): d for f, d in zip("０１２３４５６７８９", DIGITS, strict=True)
    }
    return text.translate(table)


def _revealed_runs(masked: str) -> list[str]:
    """Runs of digits a reader sees, with separators between digits ignored."""
    runs = re.findall(r"\d(?:[ \-.·]{0,2}\d)*", _plain(masked))
    return [re.sub(r"\D", "", r) for r in runs]


def assert_reveals_at_most(masked: str, digits: str, kept: int) -> None:
    """No run of the output holds more than `kept` consecutive digits of `digits`."""
    pieces = {digits[i : i + kept + 1] for i in range(len(digits) - kept)}
    for run in _revealed_runs(masked):
        leaked = [p for p in pieces if p in run]
        assert not leaked, (masked, digits, leaked)


def _in_text(value: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The value between random words, a space apart from any digit or Latin letter."""

    def build(parts: tuple[str, str, str]) -> str:
        left, item, right = parts
        return f"{left} {item} {right}" if (left + right).strip() else item

    return st.tuples(PLAIN_FILLER, value, PLAIN_FILLER).map(build)


@PROFILE
@given(MOBILE_DIGITS.flatmap(lambda m: st.tuples(st.just(m), _in_text(spelled(m, (3, 4, 4))))))
@example(("13812345670", "手机138.1234.5670"))
@example(
    ("13812345678", "电话1\u200b3\u200b8\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8")
)
@example(("13812345678", "手机一三八一二三四五六七八，谢谢"))
@example(("13801234560", "手机幺三八零幺二三四五六〇"))
@example(("13812345678", "电话１３８１２３４５６７８"))
def test_a_mobile_in_any_spelling_never_survives(case: tuple[str, str]) -> None:
    mobile, text = case

    assert_reveals_at_most(mask_personal(text), mobile, kept=4)


# Split anywhere, an ID number is taken for one when its region and date of birth can be.
REGION = st.builds(lambda a, b: a + b, st.sampled_from("12345678"), _digits(5))
BIRTH = st.dates(min_value=date(1900, 1, 1), max_value=date(2029, 12, 31))
ID_18 = st.builds(
    lambda r, b, n, c: f"{r}{b:%Y%m%d}{n}{c}",
    REGION,
    BIRTH,
    _digits(3),
    st.sampled_from(DIGITS + "X"),
)
ID_15 = st.builds(lambda r, b, n: f"{r}{b:%y%m%d}{n}", REGION, BIRTH, _digits(3))


@PROFILE
@given(
    st.one_of(
        ID_18.flatmap(lambda n: st.tuples(st.just(n), _in_text(spelled(n, (6, 8, 4))))),
        ID_15.flatmap(lambda n: st.tuples(st.just(n), _in_text(spelled(n, (6, 6, 3))))),
    )
)
@example(("110101199003071234", "身份证110101 19900307 1234"))
@example(("110101199003071234", "身份证110101-19900307-1234"))
@example(("110101900307123", "老身份证110101900307123"))
@example(("100000200001010000", "身份证 1000002000010 10000 谢谢"))
@example(("110101900307123", "老身份证1101 0190 0307 123"))
def test_an_id_number_in_any_spelling_never_survives(case: tuple[str, str]) -> None:
    id_number, text = case

    masked = mask_personal(text)

    assert_reveals_at_most(masked, id_number.upper().rstrip("X"), kept=6)
    assert id_number[6:12] not in "".join(_revealed_runs(masked))  # the date of birth


CARD = st.integers(min_value=16, max_value=19).flatmap(
    lambda n: st.builds(lambda first, rest: first + rest, st.sampled_from("3456"), _digits(n - 1))
)


@PROFILE
@given(
    CARD.flatmap(
        lambda c: st.tuples(st.just(c), _in_text(spelled(c, (4, 4, 4, 4, 4), anywhere=False)))
    )
)
@example(("6222021234567890123", "工资卡6222021234567890123"))
@example(("6222021234567890123", "银行卡号6222 0212 3456 7890 123"))
@example(("6222021234567890", "卡号6222-0212-3456-7890"))
def test_a_bank_card_number_never_survives(case: tuple[str, str]) -> None:
    card, text = case

    # 18 digits read as an ID number: the region's 6 kept (for a card, its bank).
    assert_reveals_at_most(mask_personal(text), card, kept=6 if len(card) == 18 else 4)


PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE = st.tuples(
    st.sampled_from(PROVINCES),
    st.sampled_from(PLATE_LETTERS),
    st.sampled_from(["", "·", " ", "-"]),
    st.one_of(
        _digits(5),
        st.builds(lambda a, b: a + b, st.sampled_from(PLATE_LETTERS), _digits(4)),
        st.builds(lambda e, d: e + d, st.sampled_from("DF"), _digits(5)),  # new energy
        st.builds(lambda d, e: d + e, _digits(5), st.sampled_from("DF")),
    ),
)


@PROFILE
@given(_embedded(PLATE.map("".join), glue=ASCII_ALNUM))
@example(("京A12345", "车牌京A12345被剐蹭"))
@example(("京A·12345", "车牌京A·12345"))
@example(("京AD12345", "新能源车京AD12345"))
def test_a_car_plate_never_survives(case: tuple[str, str]) -> None:
    plate, text = case
    tail = re.sub(r"[·\- ]", "", plate)[2:]

    masked = mask_personal(text)

    assert tail not in re.sub(r"[·\- ]", "", masked)


@PROFILE
@given(
    CHINESE_NAME,
    st.lists(st.sampled_from([" ", "  ", "\u3000", *ZERO_WIDTH]), min_size=1, max_size=3),
    PLAIN_FILLER,
    PLAIN_FILLER,
)
@example("张三", [" "], "我是", "，住在幸福小区")
def test_the_writers_name_spaced_out_never_survives(
    name: str, gaps: list[str], left: str, right: str
) -> None:
    spaced = name[0] + "".join(gaps[i % len(gaps)] + c for i, c in enumerate(name[1:]))
    text = f"{left}{spaced}{right}"

    masked = mask_personal(text, names=[name])

    assert not re.search(r"[\s\u200b-\u200d\u2060\ufeff]*".join(name), masked)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("身份证110101 19900307 1234", "19900307"),
        ("身份证110101-19900307-1234", "19900307"),
        ("老身份证号110101900307123", "900307"),
        ("手机138.1234.5670", "1234"),
        ("手机1\u200b3\u200b8\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b0", "234"),
        ("手机一三八一二三四五六七八", "一二三四"),
        ("手机幺三八〇零二三四五六七", "〇零二三"),
        ("电话１３８１２３４５６７８", "１２３４"),
        ("卡号6222021234567890123", "2123456789"),
        ("卡号6222 0212 3456 7890 123", "0212 3456"),
        ("车牌京A12345", "12345"),
        ("车牌京A·12345", "12345"),
        ("车牌京AD12345", "D12345"),
    ],
)
def test_each_spelling_the_outside_test_found_is_masked(text: str, secret: str) -> None:
    assert secret not in mask_personal(text)


# --- what masking must leave alone (issue #14, item 3) ------------------------------------------

# Phrases of the real letters that the self-introduction rule used to eat.
ORDINARY = [
    "姓名和联系方式",
    "成人姓名变更咨询",
    "成人姓名变更的咨询",
    "园区公布报名儿童的姓名及所属房号，遭到简单粗暴拒绝",
    "仅两户自查自己姓名账户就有几十万进出账目",
    "带队的，姓名暂不公开",
    "修改姓名是每个公民的权利",
    "修改姓名 相关流程 每个流程找哪些部门",
    "出具委托人（学员）姓名的收费票据的",
    "因为不知道该考官姓名只能说明考试车的编号",
    "我叫他们过来了解下情况",
    "我叫她把电话给邮政局的工作人员",
    "业务的单据号或真实姓名及身份证号码，亦未留下联系电话",
    "请提供联系人姓名和电话",
    "依山临水才８７００",
    "向供电服务热线（９５５９８）反应过多次",
    "（２００３年１０月２８日第十届全国人民代表大会常务委员会第五次会议通过）",
    "拨打12345政务服务热线",
    "消费投诉请拨打12315，紧急情况请拨打110",
    "二〇一九年十一月，一二三期工程",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_words_survive_unchanged(text: str) -> None:
    assert mask_personal(text) == text
    assert mask_personal(text, names=["王建国"]) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我叫苏伟生，系重庆市铜梁区人", "我叫苏**，系重庆市铜梁区人"),
        ("我叫赵兵文西地省F市人", "我叫赵**西地省F市人"),
        ("我叫杨柳来自农村", "我叫杨*来自农村"),
        ("我叫黄盼是A6区茶亭镇人", "我叫黄*是A6区茶亭镇人"),
        ("姓名：王小明，性别：男", "姓名：王**，性别：男"),
        ("联系人：李四 联系电话：略", "联系人：李* 联系电话：略"),
        ("姓名:欧阳明远", "姓名:欧阳**"),
    ],
)
def test_a_self_introduced_name_is_still_masked(text: str, masked: str) -> None:
    assert mask_personal(text) == masked


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("请拨打服务热线0571-87654321咨询", True),
        ("投诉电话：0571-87654321，一直没人接", True),
        ("0745-2232401这个服务电话的接线员态度很差", True),
        ("我家电话0571-87654321", False),
        ("本人单位座机（0735）6621655", False),
    ],
)
def test_a_letter_keeps_a_landline_it_names_as_a_public_line(text: str, kept: bool) -> None:
    assert (mask_personal(text) == text) is kept


OFFICE_REPLY = (
    "您好！您反映的问题已转城管局处理，如有疑问请拨打12345或12319，"
    "也可致电我局0571-87654321、（0731）88661234或投诉服务电话5248049，"
    "联系人：邹军建。感谢您对我们工作的支持！"
)


def test_a_reply_keeps_the_offices_numbers() -> None:
    assert mask_personal(OFFICE_REPLY, names=["王建国"], reply=True) == OFFICE_REPLY


@PROFILE
@given(_embedded(LANDLINE))
def test_a_landline_in_a_reply_survives(case: tuple[str, str]) -> None:
    landline, text = case

    assert landline in mask_personal(f"请致电{text}", reply=True)


def test_a_reply_still_masks_the_writer_and_any_mobile() -> None:
    reply = (
        "王建国同志：我局已按您留下的0371-66667777和13912345678回电，"
        "工作人员手机13800001111，身份证41010219900307123X已核验，热线0371-12345678。"
    )

    masked = mask_personal(reply, names=["王建国"], phones=["0371-66667777"], reply=True)

    for secret in ["王建国", "66667777", "13912345678", "13800001111", "19900307"]:
        assert secret not in masked
    assert "0371-12345678" in masked


@PROFILE
@given(_digits(7), st.sampled_from([" ", "-", "", "\u200b", "（）"]))
def test_the_writers_own_landline_is_masked_in_a_reply_in_any_spelling(rest: str, sep: str) -> None:
    local = f"6{rest}"
    spelling = f"（0371）{local}" if sep == "（）" else f"0371{sep}{local}"

    masked = mask_personal(f"已回电{spelling}。", phones=[f"0371-{local}"], reply=True)

    assert local not in masked
    assert local[1:] not in masked
