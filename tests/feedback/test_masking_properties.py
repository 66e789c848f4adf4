"""Property tests of engagement.text: masking of personal data and phone validation."""

from __future__ import annotations

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
