"""How the platform reads Chinese: names kept whole, codes kept glued, letter-writing words gone."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engagement import segment


def test_numbers_glued_to_a_word_stay_whole_but_quantities_do_not() -> None:
    assert "58车贷" in segment.words("58车贷平台爆雷，受害人请求追赃")
    assert "110kV" in segment.words("小区旁要建110kV变电站")
    words = segment.words("2019年买的房，3栋漏水20多年")
    assert not any(w[0].isdigit() for w in words)


def test_a_lettered_place_code_is_cut_before_the_name_after_it() -> None:
    words = segment.words("A2区丽发新城搅拌站噪音扰民")
    assert "A2区" in words
    assert not any(w.startswith("区") for w in words)


def test_names_that_several_letters_use_are_learned_and_kept_whole() -> None:
    texts = [
        "A2区丽发新城旁搅拌站噪音扰民",
        "投诉丽发新城附近的搅拌站",
        "住在丽发新城的居民反映粉尘",
        "这个小区严重影响小区居民生活，整个小区都很吵",
        "这个小区的物业不作为",
        "云栖路口红绿灯太短",
        "云栖路夜间施工",
    ]
    learned = dict(segment.learn_names(texts))
    assert learned.get("丽发新城") == 3
    assert "云栖路" in learned
    assert not {"这个小区", "严重影响小区", "整个小区", "丽发新城搅拌站"} & set(learned)
    assert dict(segment.learn_names(texts[:1])) == {}  # one letter is not enough
    segment.use_words(learned)
    assert "丽发新城" in segment.words("我家在丽发新城")


def test_words_of_letter_writing_never_count_as_demands() -> None:
    words = segment.words("尊敬的领导您好，我反映一个严重问题，希望尽快解决，孩子每天不能睡觉")
    assert not {"您好", "领导", "反映", "严重", "问题", "希望", "不能", "每天"} & set(words)
    assert "睡觉" in words


def test_a_search_for_part_of_a_long_name_finds_it() -> None:
    segment.use_words(["景蓉华苑"])
    terms = segment.search_terms("景蓉华苑物业管理有问题").split()
    assert "景蓉华苑" in terms and "景蓉" in terms


@given(
    st.text(alphabet=st.sampled_from("丽发新城小区路灯不亮的了我A2区58车贷kV，。 \n"), max_size=60)
)
def test_words_are_wordlike_and_never_stop_words(text: str) -> None:
    words = segment.words(text)
    assert words == segment.words(text)
    assert all(len(w) >= 2 and w not in segment.stop_words() for w in words)
    assert all(not w.isdigit() for w in words)
