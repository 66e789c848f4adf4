"""Text rules shared by the domains: phone validation and masking of personal data.

Masking is done by `mask_personal` wherever text leaves for the public (letter pages, the public
API, search, hot-issue titles, consultation comments), so there is one place to get right and to
property-test. What it masks and what it keeps:

- Numbers are found in every spelling a person types: grouped or not, with spaces, dashes, dots
  or middle dots between digits, with zero-width characters (U+200B …) anywhere, in full-width
  digits, and in Chinese numerals (一三八…, 〇/零 for 0, 幺 for 1; only runs of three or more
  numerals, so 张三 or 第一 stay words). Mobiles keep 3 + 4 digits (138****5678); ID numbers (18
  digits, and the old 15) keep the region's 6 and the last 4 (3); bank cards (16–19 digits, also
  in groups of four) and any other 15–19 digit run keep 4 + 4; car plates keep the province and
  the city letter (京A*****). Only a found number is rewritten: all other text, full-width digits
  included, is returned character for character.
- In a letter (and a comment) landlines with an area code, and a 7–8 digit number after a phone
  word (电话, 座机 …), are masked too: there they are usually the writer's, at home or at work
  (办公室010-…). Kept is one the letter names as a public line (服务热线…, 投诉电话：…, …这个服务
  电话). Well-known service numbers (12345, 12315, 110, 95598, 400-…) are too short or too unlike
  a phone to match anywhere.
- In a unit's reply (`reply=True`) the office's landlines, local numbers, short service numbers,
  e-mail addresses and contact persons are what it publishes for citizens and are kept. Mobiles
  there are a person's and are masked, as are IDs, cards and plates.
- Everywhere, the writer's own name (also spaced out: 张 三), phone in any spelling (also a
  landline, also its local part alone) and e-mail are masked when the caller passes them.
- A name the writer gives without the form is masked only after 我叫, or after 姓名/联系人/举报人…
  with a colon, when it starts with a common surname; it stops at punctuation and at words such
  as 是/来/在 (我叫杨柳来自农村 → 我叫杨*来自农村). 我是 and 本人 start ordinary sentences too
  often, and 姓名 without a colon is the word "name" (姓名和联系方式, 成人姓名变更).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

PHONE_VALID = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$", re.ASCII)


def ascii_digits(text: str) -> str:
    """Full-width and other Unicode digits as ASCII ones (１３８ → 138), nothing else changed."""
    if text.isascii():  # most phone numbers: nothing to look at character by character
        return text
    return "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text
    )


def normalize_phone(value: str) -> str:
    """Digits and the area-code hyphen only: '138 1234 5678' → '13812345678'."""
    value = re.sub(r"[\s()（）]", "", ascii_digits(value.strip()))
    return value.removeprefix("+86").removeprefix("0086")


def is_valid_phone(value: str) -> bool:
    """A mainland mobile (11 digits from 13–19) or a landline with its area code."""
    return bool(PHONE_VALID.match(normalize_phone(value)))


def mask_name(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


# --- how masking reads text ----------------------------------------------------------------------

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")


def _fold_table() -> dict[int, str]:
    """Full-width ASCII and the ideographic space as ASCII; every Unicode digit as 0–9."""
    table = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    for c in (*range(0x80, 0x10000), *range(0x1D7CE, 0x1D800)):
        ch = chr(c)
        if ch.isdecimal():
            table[c] = str(unicodedata.decimal(ch))
    return table


_FOLD = _fold_table()
_NUMERALS = {
    "〇": "0",
    "零": "0",
    "幺": "1",
    **{c: str(i) for i, c in enumerate("一二三四五六七八九", 1)},
}
# A run of numerals is read as digits only on its own: 〇〇〇 glued to 2019 is not part of it.
_N = "".join(_NUMERALS)
_NUMERAL_RUN = re.compile(f"(?<![0-9{_N}])[{_N}]{{3,}}(?![0-9{_N}])")
_BLANK = "\ue000"  # stands in the views for text already masked: no pattern matches it

# Between two digits: nothing, one or two spaces, or a dash, dot or middle dot with spaces around.
_S, _P = r"[ \t\u00a0]", r"[-‐‑‒–—―.·・•]"
SEP = rf"(?:{_S}?{_P}{_S}?|{_S}{{1,2}})"
GAP = f"{SEP}?"


class _Views:
    """Two same-length readings of a text, with the original position of each character.

    `numbers`: zero-width characters dropped, full-width folded, Chinese numeral runs as digits.
    `words`: the same without the numerals, for names (张三 stays 张三). A match in a view is
    replaced in the original text, so everything not matched comes back unchanged.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        if _ZERO_WIDTH_RE.search(text):
            self.origin = [i for i, c in enumerate(text) if c not in ZERO_WIDTH]
            kept = "".join(text[i] for i in self.origin)
        else:
            self.origin = list(range(len(text)))
            kept = text
        self.words = kept.translate(_FOLD)
        self.numbers = _NUMERAL_RUN.sub(
            lambda m: "".join(_NUMERALS[c] for c in m.group()), self.words
        )
        self.spans: list[tuple[int, int, str]] = []

    def mask(
        self,
        pattern: re.Pattern[str],
        replace: Callable[[re.Match[str]], str | None],
        *,
        group: int = 0,
        words: bool = False,
    ) -> None:
        """Replaces `group` of each match of `pattern` by `replace(match)`, unless that is None."""
        view = self.words if words else self.numbers
        for m in pattern.finditer(view):
            masked = replace(m)
            start, end = m.span(group)
            if masked is None or end == start:
                continue
            self.spans.append((self.origin[start], self.origin[end - 1] + 1, masked))
            blank = _BLANK * (end - start)
            self.words = self.words[:start] + blank + self.words[end:]
            self.numbers = self.numbers[:start] + blank + self.numbers[end:]

    def result(self) -> str:
        out, at = [], 0
        for start, end, masked in sorted(self.spans):
            out.append(self.text[at:start])
            out.append(masked)
            at = end
        out.append(self.text[at:])
        return "".join(out)


def _digits(s: str) -> str:
    return re.sub(r"[^0-9Xx]", "", s).upper()


def _spaced(digits: str) -> str:
    """A pattern for these digits with any gap between them, not inside a longer number."""
    return r"(?<!\d)" + GAP.join(re.escape(d) for d in digits) + r"(?!\d)"


# --- the patterns -------------------------------------------------------------------------------

_D = rf"{GAP}\d"
# An ID number (18 digits, or the old 15) in its groups: region, date of birth, the rest …
ID_NUMBER = re.compile(
    rf"(?<!\d)\d{{6}}{GAP}(?:\d{{8}}{GAP}\d{{3}}[\dXx]|\d{{6}}{GAP}\d{{3}})(?![\dXx])"
)
# … or split anywhere: 15 or 18 digits with no digit a gap away on either side (so not a piece of
# a card in groups of four), taken for an ID when its region and date of birth can be one's.
_ALONE = "".join(f"(?<!\\d{g})" for g in ("", _S, _S * 2, _P, _S + _P, _P + _S, _S + _P + _S))
SPREAD_ID_NUMBER = re.compile(
    rf"{_ALONE}\d(?:{_D}){{14}}(?:(?:{_D}){{2}}{GAP}[\dXx])?(?![\dXx])(?!{SEP}\d)"
)
# A card: 16–19 digits, whole or in groups of four. Any other long run is masked the same way.
LONG_NUMBER = re.compile(
    rf"(?<!\d)(?:\d{{15,19}}|\d{{4}}(?:{SEP}\d{{4}}){{3}}(?:{SEP}\d{{1,4}})?)(?!\d)"
)
MOBILE = re.compile(rf"(?<!\d)(?:(?:\+|00)?86{GAP})?1{GAP}[3-9](?:{_D}){{9}}(?!\d)")
# Area code 0 + 2–3 digits (perhaps in brackets), then a 7–8 digit local number, perhaps split;
# not an amount (0000-00000000.07元, as the real letters' redaction left some sums).
LANDLINE = re.compile(
    rf"(?<!\d)(?:\(0\d{{2,3}}\)|0\d{{2,3}}){GAP}\d{{3,4}}{GAP}\d{{4}}(?!\d)(?!\.\s?\d{{1,2}}(?!\d))"
)
# A bare local number, recognised by a phone word shortly before it.
LOCAL_NUMBER = re.compile(
    rf"(?:电话|座机|手机|联系方式|号码|[Tt]el|TEL)\D{{0,6}}?(?<!\d)(\d{{3,4}}{GAP}\d{{4}})(?!\d)"
)
# In a letter, a landline after a word for a public line is a unit's: 服务热线…, 投诉电话：…,
# …这个服务电话. A unit's name alone is not enough: 办公室010-… may be where the writer works.
_PUBLIC = "服务|咨询|投诉|举报|监督|值班|客服"
_PUBLIC_BEFORE = re.compile(
    rf"(?:热线|(?:对外的?|公开的?|{_PUBLIC})(?:电话|专线))(?:号码)?(?:是|为)?[:(\s]*$"
)
_PUBLIC_AFTER = re.compile(rf"^\)?\s*(?:这个|的)?(?:{_PUBLIC})(?:电话|热线)")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
# 楚 is the real letters' stand-in for a province (楚A·XC179).
PLATE = re.compile(
    r"([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领楚])([A-Za-z])"
    r"[·・•.\- ]?((?:[A-Za-z0-9]{5,6}|[A-Za-z0-9]{4}[警学挂港澳领]))(?![A-Za-z0-9])"
)

# Common surnames that do not also start the usual words after 我叫 (他们, 家人, 阿姨, 师傅 …).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻"
    "祁蒲滕屈饶解牟艾尤阳穆农卓古吉缪简项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟"
    "臧闵苟邬边卞姬仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝封谈匡鞠惠荆乐冀郁胥"
    "班储栗燕楚鄢劳谌奚皮粟冼蔺闻厉伊仝郜阚权帅屠朴盖练廉禹井祖漆巴丰支卿狄计索宣晋扈晁芮"
    "阙浦戈伏鹿薄邸雍辜羊乌裘亓修邰赫杭况宿鲜逯隆茹诸战慕危亢嵇湛宾戎勾茅揭尉冶斯束檀衣昝"
    "智幸奉衡富尧代"
)
_COMPOUND = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|夏侯|令狐|端木|南宫|西门|独孤"
)
# After 我叫 a name ends before these (我叫黄盼是…, 我叫杨柳来自…); after a colon, before fewer
# (姓名：张三性别…), since there the name is usually followed by punctuation anyway.
_AFTER_WO_JIAO = (
    "是在住家来现男女今年的系于和与及电手联身性出户从到这那我你他她们了也就都很请向对为"
    "因所说想要给被把让叫将已曾又还只刚自去回等某"
)
_AFTER_COLON = "电手联身性男女住出年岁某"
SELF_NAME = re.compile(
    r"(我叫\s*|(?:姓名|联系人|举报人|反映人|投诉人|来信人|留言人|问政人)\s*[:：]\s*)"
    rf"({_COMPOUND}|[{_SURNAMES}])([\u4e00-\u9fff]{{1,3}})"
)
# The next names of a list after such a label (举报人：张三、李四、王五): a name already masked (its
# blanked given name), then 、, then another surname. Only 、 joins: after ，or 和 the next word is
# as often a verb or a place (联系人：张三，高度重视…).
LISTED_NAME = re.compile(
    rf"({_BLANK}+\s*、\s*)({_COMPOUND}|[{_SURNAMES}])([\u4e00-\u9fff]{{1,3}})(?!{_BLANK})"
)
# Words that start with a surname but name no one: 我叫孙子…, 联系人：王先生.
_NOT_NAMES = {
    "孙子",
    "孙女",
    "马上",
    "高层",
    "周边",
    "周围",
    "周末",
    "方面",
    "方便",
    "车主",
    "江边",
}
_TITLES = {"先生", "女士", "小姐", "师傅", "老师", "同志", "阿姨", "大爷", "某某"}
_PLACE = re.compile("社区|小区|村|镇|乡|街|路|县|市|区|组|局|公司|物业")
_NAME_END = set("，,。.；;：:、！!？?)）】」”\"'")


def _mobile(m: re.Match[str]) -> str:
    d = _digits(m.group())[-11:]
    return f"{d[:3]}****{d[-4:]}"


def _id(m: re.Match[str]) -> str:
    d = _digits(m.group())
    keep = 4 if len(d) == 18 else 3
    return d[:6] + "*" * (len(d) - 6 - keep) + d[-keep:]


def _spread_id(m: re.Match[str]) -> str | None:
    d = _digits(m.group())
    year, month, day = (d[6:10], d[10:12], d[12:14]) if len(d) == 18 else ("19", d[8:10], d[10:12])
    plausible = (
        d[0] in "12345678"
        and year[:2] in ("18", "19", "20")
        and "01" <= month <= "12"
        and "01" <= day <= "31"
    )
    return _id(m) if plausible else None


def _long(m: re.Match[str]) -> str:
    d = _digits(m.group())
    return d[:4] + "*" * (len(d) - 8) + d[-4:]


def _public_line(m: re.Match[str], group: int = 0) -> bool:
    before = m.string[max(0, m.start() - 12) : m.start(group)]
    return bool(_PUBLIC_BEFORE.search(before) or _PUBLIC_AFTER.match(m.string[m.end() :]))


def _landline(m: re.Match[str]) -> str:
    d = _digits(m.group())
    area = 4 if d[1] in "3456789" or len(d) == 12 else 3
    return f"{d[:area]}-****{d[-2:]}"


def _local(m: re.Match[str]) -> str:
    return "****" + _digits(m.group(1))[-2:]


def _landline_or_local(m: re.Match[str]) -> str:
    d = _digits(m.group())
    return _landline(m) if d.startswith("0") and len(d) >= 10 else "****" + d[-2:]


def _email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _constant(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _m: text


def _plate(m: re.Match[str]) -> str | None:
    if sum(c.isdigit() for c in m.group(3)) < 3:
        return None
    return m.group(1) + m.group(2) + "*" * len(m.group(3))


def _self_name(m: re.Match[str]) -> str | None:
    """The given name after the surname as stars, and the rest of group 3 as it was."""
    surname, rest, at = m.group(2), m.group(3), m.start(3)
    stops = _AFTER_WO_JIAO if m.group(1).startswith("我叫") else _AFTER_COLON
    n = 0
    while n < min(2, len(rest)) and rest[n] not in stops:
        n += 1
    after = m.string[at + n + 1 : at + n + 2]
    if n < min(2, len(rest)) and (not after or after in _NAME_END or after.isspace()):
        n += 1  # 联系人：邹民为，… : the stop character ends the name, so it is part of it
    if (
        n == 0
        or rest[:2] in _TITLES
        or (surname + rest)[:2] in _NOT_NAMES
        or _PLACE.search(m.string[at : at + n + 1])
    ):
        return None
    return "*" * n + rest[n:]


def _phone_forms(phones: Iterable[str]) -> list[str]:
    """The writer's phones as digits, and a landline's local part alone."""
    forms: set[str] = set()
    for phone in phones:
        d = re.sub(r"\D", "", ascii_digits(phone or ""))
        d = d.removeprefix("0086").removeprefix("86") if len(d) > 11 else d
        if len(d) < 7:
            continue
        forms.add(d)
        if d.startswith("0"):
            local = normalize_phone(phone).partition("-")[2]
            forms.update(
                x for x in (local, d[3:], d[4:]) if 7 <= len(x) <= 8 and x[0] in "23456789"
            )
    return sorted(forms, key=len, reverse=True)


def mask_personal(
    text: str,
    names: Iterable[str] = (),
    *,
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    reply: bool = False,
) -> str:
    """`text` with personal data masked; `names`, `phones`, `emails` are the writer's own.

    `reply=True` for a unit's reply: the office's landlines, e-mails and contacts are kept (see
    the module's docstring).
    """
    if not text:
        return text
    v = _Views(text)
    for phone in _phone_forms(phones):
        v.mask(
            re.compile(_spaced(phone)),
            lambda m: _mobile(m) if len(_digits(m.group())) == 11 else _landline_or_local(m),
        )
    v.mask(SPREAD_ID_NUMBER, _spread_id)
    v.mask(ID_NUMBER, _id)
    v.mask(LONG_NUMBER, _long)
    v.mask(MOBILE, _mobile)
    if not reply:
        v.mask(LANDLINE, lambda m: None if _public_line(m) else _landline(m))
        v.mask(LOCAL_NUMBER, lambda m: None if _public_line(m, 1) else _local(m), group=1)
    for email in {e.strip() for e in emails if e and "@" in e}:
        v.mask(re.compile(re.escape(email), re.IGNORECASE), lambda m: _email(m.group()))
    if not reply:
        v.mask(EMAIL, lambda m: f"{m.group(1)}***@{m.group(2)}")
    v.mask(PLATE, _plate)
    for name in sorted(
        {n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        spaced = r"[ \t\u00a0]{0,3}".join(re.escape(c) for c in name)
        v.mask(re.compile(spaced), _constant(mask_name(name)), words=True)
    if not reply:
        v.mask(SELF_NAME, _self_name, group=3, words=True)
        before = None
        while before != v.words:  # each name masked opens the way to the next one of the list
            before = v.words
            v.mask(LISTED_NAME, _self_name, group=3, words=True)
    return v.result()
