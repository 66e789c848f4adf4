"""How Chinese text is read: jieba with the county's vocabulary, stop words, learned names.

The one segmenter of the platform. Search, similar letters, hot words, hot issues and the unit
suggester all read text through it, so an improvement reaches every feature at once.

- The vocabulary is the government word list (lexicon/government.txt), the names of the units
  and townships, and the names learned from letters (estates, roads, villages, schools:
  `learn_names`), so 丽发新城 stays one word instead of 区丽发 + 新城.
- Codes glued to a word stay whole: 58车贷, 110kV, 12345热线.
- Words of letter-writing (您好, 反映, 希望, 严重…) are stop words: they name no demand.

Text is segmented when it is written (letters, comments, answers), so a read never segments
stored text again.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jieba

LEXICON = Path(__file__).parent / "lexicon"
_lock = threading.Lock()
_instance: jieba.Tokenizer | None = None
_added: set[str] = set()
_WORDLIKE = re.compile(r"^(?=.*[\u4e00-\u9fffA-Za-z])[\u4e00-\u9fffA-Za-z0-9]{2,}$")
_NUMBER = re.compile(r"^[0-9]+$")
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# A lettered place code (A2区, B9市, K7县) is a name of its own, cut before jieba sees the text.
_PLACE_CODE = re.compile(r"([A-Z]\d{0,2}[省市区县镇乡])")
# A number before these is a quantity or a date (3栋, 2019年, 20多年), not part of a name.
_MEASURE = set("年月日号时分秒元角万亿千百个次岁米平方楼栋层室户多余几周天倍块台辆名位人期届")
# A learned word is worth this much to jieba: enough to beat a split into common words.
_LEARNED_FREQ = 20_000


def _tokenizer() -> jieba.Tokenizer:
    """The one tokenizer of this process, built once even when many requests ask at once."""
    global _instance
    if _instance is None:
        with _lock:
            if _instance is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                tokenizer.load_userdict(str(LEXICON / "government.txt"))
                for word in _added:
                    tokenizer.add_word(word, _LEARNED_FREQ)
                _instance = tokenizer
    return _instance


def is_place_code(word: str) -> bool:
    """A lettered place code such as A2区 or K7县."""
    return bool(_PLACE_CODE.fullmatch(word))


def warm_up() -> None:
    """Loads the dictionary before the first request needs it (about a second of CPU)."""
    _tokenizer()


def use_words(new_words: Iterable[str]) -> int:
    """Makes segmentation keep these names whole (units, townships, learned names)."""
    fresh = {w.strip() for w in new_words if len(w.strip()) >= 2} - _added
    with _lock:
        _added.update(fresh)
        if _instance is not None:
            for word in sorted(fresh):
                _instance.add_word(word, _LEARNED_FREQ)
    return len(fresh)


@cache
def stop_words() -> frozenset[str]:
    lines = (LEXICON / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(
        w for line in lines if not line.startswith("#") for w in line.split() if w.strip()
    )


def tokens(text: str) -> list[str]:
    """jieba's tokens, with a number glued to the word after it (58 + 车贷 → 58车贷)."""
    out: list[str] = []
    for token in _jieba_tokens(text):
        if (
            out
            and _NUMBER.match(out[-1])
            and len(token) >= 2
            and _HAN.match(token)
            and token[0] not in _MEASURE
        ):
            out[-1] += token
        else:
            out.append(token)
    return out


def _jieba_tokens(text: str) -> Iterable[str]:
    tokenizer = _tokenizer()
    for i, part in enumerate(_PLACE_CODE.split(text)):
        if i % 2:
            yield part
        elif part:
            yield from tokenizer.cut(part)


def words(text: str) -> list[str]:
    """Meaningful words of two or more characters, in order, stop words removed."""
    stops = stop_words()
    return [w for w in tokens(text) if _WORDLIKE.match(w) and w not in stops]


def keywords(text: str, limit: int = 12) -> list[str]:
    """The most frequent words of one text, for storing beside it."""
    return [w for w, _ in Counter(words(text)).most_common(limit)]


def top_words(texts: Iterable[str], limit: int = 30) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(words(text))
    return counts.most_common(limit)


def search_terms(text: str) -> str:
    """Text segmented into space-separated terms, as stored in the public full-text index.

    Whole words and, for long ones, their parts (丽发新城 → 丽发新城 丽发 新城), so that a search
    for either finds it.
    """
    out: list[str] = []
    for word in tokens(text):
        if not _WORDLIKE.match(word):
            continue
        out.append(word)
        if len(word) > 3 and _HAN.match(word):
            out.extend(_parts(word))
    return " ".join(out)


def _parts(word: str) -> list[str]:
    """A long word's known two-character words, and a name's stem and end (景蓉 + 华苑)."""
    known = _known()
    parts = [word[i : i + 2] for i in range(len(word) - 1) if word[i : i + 2] in known]
    end = _NAME_END.search(word, len(word) - 3)
    if end and end.end() == len(word) and end.start() >= 2:
        parts += [word[: end.start()], end.group()]
    return [p for p in dict.fromkeys(parts) if p != word and len(p) >= 2]


def query_words(query: str) -> tuple[list[str], list[str]]:
    """A searcher's words, and the parts of its long words (丽发新城 → 丽发, 新城): a document
    is found by either, and ranked by the whole words first."""
    whole = list(dict.fromkeys(words(query)))[:8]
    parts = [p for w in whole if len(w) > 3 and _HAN.match(w) for p in _parts(w)]
    stops = stop_words()
    return whole, [p for p in dict.fromkeys(parts) if p not in stops and p not in whole][:8]


# --- names learned from letters ---------------------------------------------------------------

# What ends the name of a place, an estate, a school or a company, longest first.
_NAME_ENDS = sorted(
    [
        "小区",
        "花园",
        "新城",
        "家园",
        "公寓",
        "大厦",
        "广场",
        "山庄",
        "名苑",
        "雅苑",
        "华苑",
        "社区",
        "街道",
        "大道",
        "公路",
        "国道",
        "省道",
        "高速",
        "小学",
        "中学",
        "学校",
        "学院",
        "大学",
        "幼儿园",
        "医院",
        "卫生院",
        "有限公司",
        "集团",
        "市场",
        "工业园",
        "产业园",
        "园区",
        "商场",
        "酒店",
        "车站",
        "大桥",
        "水库",
        "加油站",
        "搅拌站",
        "垃圾站",
        "变电站",
        "中转站",
        "苑",
        "城",
        "湾",
        "园",
        "村",
        "街",
        "路",
        "巷",
        "桥",
    ],
    key=len,
    reverse=True,
)
_NAME_END = re.compile("|".join(_NAME_ENDS))
# Characters that end a name on its left: 区 and 市 of "A2区丽发新城", function words, ….
_LEFT_STOP = set("区市县镇乡省州的在于到和与及或、对向从把被给是为将让叫称说等个")
# Stems that make a kind of place, not one place: 老旧小区, 周边道路, 农村公路.
_GENERIC = set(
    [
        "居民",
        "住宅",
        "老旧",
        "周边",
        "附近",
        "安置",
        "商品",
        "拆迁",
        "保障",
        "农村",
        "城市",
        "城区",
        "乡村",
        "市区",
        "县城",
        "城乡",
        "主干",
        "道路",
        "公共",
        "国有",
        "民营",
        "私立",
        "公办",
        "民办",
        "各大",
        "大型",
        "小型",
        "新建",
        "在建",
        "整个",
        "所有",
        "相关",
        "上述",
        "其他",
        "同一",
        "当地",
        "附属",
        "临街",
        "沿街",
        "背街",
        "一条",
        "这条",
        "那条",
        "这所",
        "那所",
        "这家",
        "那家",
        "全市",
        "全县",
        "全区",
        "本市",
        "本县",
        "本区",
        "我市",
        "我县",
        "普惠",
        "普惠性",
        "配套",
        "公立",
        "私立",
        "我区",
        "该市",
        "该县",
        "该区",
        "进城",
        "出城",
        "回城",
        "农民",
        "村民",
        "物业",
        "管理",
        "开发",
        "建设",
        "施工",
        "政府",
    ]
)
_NOT_NAME_ENDS = {"道路", "线路", "马路", "小路", "大路", "公路", "之路", "之桥", "天桥"}
# Pronouns, measure words and particles never stand inside a name (了上幼儿园, 征收我村).
_NOT_IN_NAMES = set("了我你他她这那此该其座条段些么吗呢吧啊着过把被让所")
MIN_LETTERS = 2
# Parts of speech that never start a name: verbs, adverbs, prepositions, pronouns, conjunctions,
# particles, times, localities (numerals stay: 五一路, 万家丽路).
_NOT_NAME_TAGS = set("vdprcutf")
# A word this frequent in jieba's dictionary is common language, not the start of a name.
_COMMON = 3000


def _name_at(text: str, end: int, start_of_end: int) -> str | None:
    """The name ending at `end` whose last part starts at `start_of_end`, or None."""
    left = start_of_end
    while left > 0 and start_of_end - left < 6:
        ch = text[left - 1]
        if not ("\u4e00" <= ch <= "\u9fff") or ch in _LEFT_STOP:
            break
        left -= 1
    stem = _proper_stem(text[left:start_of_end])
    name = stem + text[start_of_end:end]
    if (
        len(stem) < 2
        or stem in _GENERIC
        or stem[-2:] in _GENERIC
        or name[-2:] in _NOT_NAME_ENDS
        or _NOT_IN_NAMES.intersection(stem)
        or (name in _known() and name not in _added)
    ):
        return None  # a kind of place, or a word jieba keeps whole already
    return name


def _proper_stem(stem: str) -> str:
    """The stem without the words in front of it that are not part of a name: verbs, adverbs,
    pronouns, times and very common words (严重影响小区 → 小区, 通往云济村 → 云济村)."""
    parts = _tokenizer().lcut(stem, HMM=False)
    known, stops, tags = _known(), stop_words(), _word_tags()
    while (
        parts
        and len(parts[0]) >= 2
        and (
            known.get(parts[0], 0) > _COMMON
            or parts[0] in stops
            or tags.get(parts[0], "n")[0] in _NOT_NAME_TAGS
        )
    ):
        parts.pop(0)
    return "".join(parts)


@cache
def _word_tags() -> dict[str, str]:
    """jieba's part-of-speech tags (v verb, d adverb, r pronoun…), loaded only for learning."""
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


def _known() -> dict[str, int]:
    """jieba's dictionary: word → frequency."""
    return _tokenizer().FREQ


def _name_plus_end(name: str, kept: dict[str, int]) -> bool:
    """A known name with a place word after it (丽发新城小区, 丽发新城搅拌站) is that name."""
    return any(
        name[:cut] in kept and _NAME_END.fullmatch(name[cut:]) for cut in range(2, len(name) - 1)
    )


def names_in(text: str) -> set[str]:
    """The candidate names of places, estates, schools and companies in one text."""
    found = set()
    for match in _NAME_END.finditer(text):
        name = _name_at(text, match.end(), match.start())
        if name is not None:
            found.add(name)
    return found


def learn_names(texts: Iterable[str], *, min_letters: int = MIN_LETTERS) -> list[tuple[str, int]]:
    """Names that several letters use, with how many letters named each, most named first.

    A name must come from at least `min_letters` letters, and must not be a longer spelling of a
    shorter learned name: a stray character in front (反丽发新城 when 丽发新城 is known) or a
    place word behind (丽发新城小区).
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(names_in(text))
    return choose_names(counts, min_letters=min_letters)


def choose_names(counts: Counter[str], *, min_letters: int = MIN_LETTERS) -> list[tuple[str, int]]:
    """`learn_names` from the letters' counts of `names_in` (counted by several processes)."""
    kept = {n: c for n, c in counts.items() if c >= min_letters}
    by_end: dict[str, list[str]] = defaultdict(list)
    for name in kept:
        by_end[name[-2:]].append(name)
    learned = [
        (name, c)
        for name, c in kept.items()
        if not any(
            other != name and name.endswith(other) and kept[other] >= c
            for other in by_end[name[-2:]]
        )
        and not _name_plus_end(name, kept)
    ]
    return sorted(learned, key=lambda nc: (-nc[1], nc[0]))
