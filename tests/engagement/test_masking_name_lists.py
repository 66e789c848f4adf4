"""Every name of a list after a label is masked, not only the first (举报人：张三、李四、王五)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.text import mask_personal

SURNAMES = "王李张刘陈杨赵周吴徐孙朱胡郭何林罗高梁宋"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂"
LABELS = ["举报人：", "反映人：", "投诉人：", "联系人：", "来信人："]
NAME = st.builds(
    lambda surname, given: surname + given,
    st.sampled_from(SURNAMES),
    st.text(GIVEN, min_size=1, max_size=2),
)


@settings(max_examples=150, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.sampled_from(LABELS), st.lists(NAME, min_size=2, max_size=5), st.sampled_from("。，；"))
def test_each_name_of_a_listed_group_loses_its_given_name(
    label: str, names: list[str], end: str
) -> None:
    masked = mask_personal(f"{label}{'、'.join(names)}{end}其他住户也有同样情况")
    listed = masked.removeprefix(label).split(end)[0].split("、")
    assert [n[0] + "*" * (len(n) - 1) for n in names] == listed
    assert masked.endswith("其他住户也有同样情况")


def test_words_after_a_name_that_are_not_a_list_stay() -> None:
    for text in ("联系人：张三，高度重视此事", "姓名：王明、性别男", "反映人：李华、王家村村民"):
        masked = mask_personal(text)
        assert masked[-4:] == text[-4:], (text, masked)
