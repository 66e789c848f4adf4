"""Quality measures for hot issues, similar letters, search and unit routing, on real letters.

The letters are 2,816 real messages to a provincial message board with the government's replies
(`../shared/data/real-letters-2816.csv.gz` beside the checkout, or the path in $REAL_LETTERS).
The product never reads them; only benchmarks do. The labels next to this file hold letter
numbers (留言编号) and short queries, never letter text:

- groups.json: letters that report the same problem at the same place (or of the same group of
  people), read and grouped by hand, [{"letters": [留言编号, ...], "issue": "..."}];
- not_same.json: pairs that look alike but are not the same issue, [[id1, id2, "why"], ...];
- queries.json: a clerk's search phrase and every letter a clerk expects back,
  [{"query": "...", "letters": [...]}];
- units.json: the unit type that answered each letter, read from the reply by units.unit_of.

All functions here are pure (no project imports); the benchmark passes in the system's answers.
`python -m benchmarks.quality.evaluate` prints the label statistics and the scores of naive
baselines, so that a system's figures can be read against them.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from itertools import combinations
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
# shared/ lies beside the project's checkout, here and in CI.
DATA = Path(
    os.environ.get("REAL_LETTERS", HERE.parents[2] / "shared" / "data" / "real-letters-2816.csv.gz")
)


def load_letters(path: Path | str = DATA) -> pd.DataFrame:
    """The real letters, one row each, with `time` parsed from 留言时间 (its formats are mixed)."""
    letters = pd.read_csv(path)
    letters["留言编号"] = letters["留言编号"].astype(int)
    letters["time"] = pd.to_datetime(letters["留言时间"], format="mixed")
    return letters


def _load(name: str):
    return json.loads((HERE / name).read_text(encoding="utf-8"))


@cache
def load_groups() -> tuple[tuple[int, ...], ...]:
    """The labelled same-issue groups, as tuples of letter numbers."""
    return tuple(tuple(int(i) for i in g["letters"]) for g in _load("groups.json"))


@cache
def load_not_same() -> frozenset[frozenset[int]]:
    """The labelled look-alike pairs that are not the same issue."""
    return frozenset(frozenset((int(a), int(b))) for a, b, _why in _load("not_same.json"))


@cache
def load_queries() -> tuple[tuple[str, frozenset[int]], ...]:
    """The labelled search queries and the letters expected back."""
    return tuple(
        (q["query"], frozenset(int(i) for i in q["letters"])) for q in _load("queries.json")
    )


def load_units() -> dict[int, str | None]:
    """{留言编号: unit type or None} as written by units.py."""
    return {int(k): v for k, v in _load("units.json").items()}


def _group_of() -> dict[int, int]:
    return {i: n for n, group in enumerate(load_groups()) for i in group}


def _pairs(groups: Iterable[Iterable[int]]) -> set[frozenset[int]]:
    pairs: set[frozenset[int]] = set()
    for group in groups:
        members = sorted({int(i) for i in group})
        pairs.update(frozenset(p) for p in combinations(members, 2))
    return pairs


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def group_scores(predicted: list[list[int]]) -> dict:
    """Pairwise precision, recall and F1 of predicted groups (hot issues) against groups.json.

    Every two letters put in one predicted group make a predicted pair. A predicted pair is
    correct when both letters are in the same labelled group; it is wrong when both letters are
    labelled in groups.json but in different groups, or when the pair is in not_same.json. A
    predicted pair with a letter that is not labelled at all (and that is not a not_same pair)
    is ignored for precision: nobody has said whether it is right. Recall is over every pair
    inside a labelled group. `groups_whole` counts labelled groups whose letters all come out in
    one predicted group; `groups_split` those spread over several predicted groups or partly
    left out.
    """
    group_of = _group_of()
    not_same = load_not_same()
    truth = _pairs(load_groups())
    predicted_pairs = _pairs(predicted)
    correct = wrong = ignored = 0
    for pair in predicted_pairs:
        a, b = tuple(pair)
        if pair in not_same:
            wrong += 1
        elif a in group_of and b in group_of:
            if group_of[a] == group_of[b]:
                correct += 1
            else:
                wrong += 1
        else:
            ignored += 1
    precision = correct / (correct + wrong) if correct + wrong else 0.0
    recall = len(predicted_pairs & truth) / len(truth) if truth else 0.0
    home: dict[int, int] = {}
    for n, group in enumerate(predicted):
        for i in group:
            home.setdefault(int(i), n)
    whole = sum(
        1 for g in load_groups() if all(i in home for i in g) and len({home[i] for i in g}) == 1
    )
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "pairs_correct": correct,
        "pairs_wrong": wrong,
        "pairs_ignored": ignored,
        "pairs_labelled": len(truth),
        "groups_whole": whole,
        "groups_split": len(load_groups()) - whole,
        "groups_labelled": len(load_groups()),
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def similar_scores(similar: Callable[[int], list[int]], k: int = 5) -> dict:
    """Precision@k and recall@k of "similar letters" against the other members of each group.

    For every letter in a labelled group, `similar(id)` returns letter numbers, best first (the
    letter itself, if returned, is dropped). Relevant = the other members of its group.
    precision@k = relevant among the first k / number of letters among the first k (0 when
    nothing is returned), so a system that shows fewer but right letters is not punished;
    recall@k = relevant among the first k / number relevant; hit@k = share of letters with at
    least one relevant letter in the first k. `not_same_at_k` = share of not_same.json pairs
    (a, b) where b is in similar(a)[:k] or a in similar(b)[:k]: look-alikes wrongly offered.
    All are means over letters (over pairs for not_same_at_k).
    """
    precision, recall, hit = [], [], []
    cache_: dict[int, list[int]] = {}

    def top(i: int) -> list[int]:
        if i not in cache_:
            cache_[i] = [int(j) for j in similar(i) if int(j) != i][:k]
        return cache_[i]

    for group in load_groups():
        for i in group:
            relevant = set(group) - {i}
            shown = top(i)
            hits = len(relevant.intersection(shown))
            precision.append(hits / len(shown) if shown else 0.0)
            recall.append(hits / len(relevant))
            hit.append(1.0 if hits else 0.0)
    offered = [1.0 if b in top(a) or a in top(b) else 0.0 for a, b in map(tuple, load_not_same())]
    return {
        f"precision@{k}": _mean(precision),
        f"recall@{k}": _mean(recall),
        f"hit@{k}": _mean(hit),
        f"not_same_at_{k}": _mean(offered),
        "letters": len(precision),
    }


def search_scores(search: Callable[[str], list[int]], k: int = 10) -> dict:
    """Precision@k, recall@k and recall over everything returned, per query and mean.

    `search(query)` returns letter numbers, best first. precision@k = expected letters among the
    first k / letters among the first k (0 when nothing is returned); recall@k = expected letters
    among the first k / expected letters; recall = expected letters anywhere in the result /
    expected letters; returned = length of the result.
    """
    per_query = {}
    for query, expected in load_queries():
        result = [int(i) for i in search(query)]
        first = result[:k]
        hits_k = len(expected.intersection(first))
        per_query[query] = {
            f"precision@{k}": hits_k / len(first) if first else 0.0,
            f"recall@{k}": hits_k / len(expected),
            "recall": len(expected.intersection(result)) / len(expected),
            "expected": len(expected),
            "returned": len(result),
        }
    keys = (f"precision@{k}", f"recall@{k}", "recall")
    mean = {key: _mean([q[key] for q in per_query.values()]) for key in keys}
    return {"mean": mean, "queries": per_query}


def macro_f1(true: list[str], pred: list[str]) -> float:
    """Macro-averaged F1 over the true labels' classes (None counts as a wrong class)."""
    from sklearn.metrics import f1_score

    labels = sorted({t for t in true if t is not None})
    return float(
        f1_score(
            ["" if t is None else t for t in true],
            ["" if p is None else p for p in pred],
            labels=labels,
            average="macro",
            zero_division=0,
        )
    )


# --------------------------------------------------------------------------------------------
# Self-check: label statistics and naive baselines.


def _text(letters: pd.DataFrame) -> list[str]:
    return [
        re.sub(r"\s+|_x000D_", "", f"{s}。{b}")
        for s, b in zip(letters["留言主题"], letters["留言详情"], strict=True)
    ]


def _baseline_similarity(letters: pd.DataFrame):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectors = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True)
    matrix = cosine_similarity(vectors.fit_transform(_text(letters)))
    for i in range(len(matrix)):
        matrix[i, i] = 0.0
    return matrix


def _components(ids: list[int], matrix, threshold: float) -> list[list[int]]:
    parent = list(range(len(ids)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows, cols = (matrix >= threshold).nonzero()
    for a, b in zip(rows, cols, strict=True):
        if a < b:
            parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for n, i in enumerate(ids):
        groups.setdefault(find(n), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def _baseline_units(letters: pd.DataFrame, units: dict[int, str | None]) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    labelled = letters[letters["留言编号"].map(lambda i: units.get(int(i)) is not None)]
    labelled = labelled.sort_values("time")
    cut = int(len(labelled) * 0.7)
    train, test = labelled.iloc[:cut], labelled.iloc[cut:]
    y_train = [units[int(i)] for i in train["留言编号"]]
    y_test = [units[int(i)] for i in test["留言编号"]]
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    model = LogisticRegression(max_iter=2000, C=10.0)
    model.fit(vectors.fit_transform(_text(train)), y_train)
    pred = list(model.predict(vectors.transform(_text(test))))
    majority = Counter(y_train).most_common(1)[0][0]
    return {
        "train": len(train),
        "test": len(test),
        "split_at": str(test["time"].iloc[0]),
        "macro_f1": macro_f1(y_test, pred),
        "accuracy": _mean([1.0 if t == p else 0.0 for t, p in zip(y_test, pred, strict=True)]),
        "majority_macro_f1": macro_f1(y_test, [majority] * len(y_test)),
        "majority_accuracy": _mean([1.0 if t == majority else 0.0 for t in y_test]),
    }


def _print_scores(title: str, scores: dict) -> None:
    shown = ", ".join(
        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in scores.items()
    )
    print(f"  {title}: {shown}")


def main() -> None:
    letters = load_letters()
    ids = [int(i) for i in letters["留言编号"]]
    groups, not_same, queries = load_groups(), load_not_same(), load_queries()
    sizes = Counter(len(g) for g in groups)
    print(f"letters: {len(letters)}")
    print(
        f"groups: {len(groups)} holding {sum(map(len, groups))} letters; sizes "
        + ", ".join(f"{s}: {n}" for s, n in sorted(sizes.items()))
        + f"; {len(_pairs(groups))} same-issue pairs"
    )
    print(f"not-same pairs: {len(not_same)}")
    expected = [len(e) for _q, e in queries]
    print(
        f"queries: {len(queries)}, expected letters per query {min(expected)}-{max(expected)} "
        f"(mean {_mean(expected):.1f})"
    )
    units = load_units()
    counts = Counter(v for v in units.values() if v)
    print(
        f"units: {sum(counts.values())} of {len(units)} letters labelled "
        f"({sum(counts.values()) / len(units):.1%}), {len(counts)} types: "
        + ", ".join(f"{k} {v}" for k, v in counts.most_common())
    )

    print("baselines")
    matrix = _baseline_similarity(letters)
    for threshold in (0.3, 0.5, 0.7):
        predicted = _components(ids, matrix, threshold)
        _print_scores(f"groups, TF-IDF char-bigram cosine >= {threshold}", group_scores(predicted))
    row = {i: n for n, i in enumerate(ids)}

    def similar(i: int) -> list[int]:
        order = matrix[row[i]].argsort()[::-1][:10]
        return [ids[j] for j in order]

    _print_scores("similar, TF-IDF char-bigram cosine top 5", similar_scores(similar, k=5))
    texts = _text(letters)

    def search(query: str) -> list[int]:
        terms = query.split()
        found = [
            (t.count(terms[0]), i)
            for i, t in zip(ids, texts, strict=True)
            if all(w in t for w in terms)
        ]
        return [i for _n, i in sorted(found, reverse=True)]

    _print_scores("search, every term as a substring", search_scores(search, k=10)["mean"])
    _print_scores(
        "units, TF-IDF + LogisticRegression, 70/30 by time", _baseline_units(letters, units)
    )


if __name__ == "__main__":
    main()
