"""The unit suggester (智能分拨): the units a letter most likely belongs to, and its kind.

`engagement analytics refresh` calls `learn`, which reads the words stored when letters arrived
(never segmenting again) of the letters units have handled, the newest 200,000 at most, and fits
TF-IDF over the words and their characters plus a class-balanced logistic regression, for the
unit and for the kind of letter. The model is stored as plain arrays in NumPy's .npz (no pickle)
and scored with NumPy alone: a suggestion costs a dictionary look-up per word and one small
matrix product, however many letters the database holds.
"""

from __future__ import annotations

import io
import re
import threading
import time
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
from scipy import sparse
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from analytics.models import SuggesterModel
from engagement import segment
from engagement.models import Department
from engagement.timeutil import utcnow
from feedback.mailbox.models import Category, Letter, LetterWord, Reply, Status

MAX_LETTERS = 200_000
MIN_LETTERS = 5  # a unit that handled fewer letters is not offered
MIN_DF = 2  # a word must occur in two letters to count
MAX_WORDS = 50_000
HOLDOUT = 0.2  # the newest share of letters kept aside to measure the model
TOP = 3
RECHECK_SECONDS = 60.0
C = 3.0  # inverse regularisation strength, chosen on held-out letters
_HAN = re.compile("[\u4e00-\u9fff]")
HANDLED = (Status.assigned, Status.replied, Status.reopened, Status.closed)
METHOD = (
    "words and their characters, TF-IDF (sublinear, in {min_df}+ letters, at most "
    "{max_words:,}) + class-balanced "
    "logistic regression (C={c}); on the newest {share:.0%} when trained on the older letters: "
    "units macro-F1 {units} (the handling unit among the three suggested: {top3}), "
    "kinds macro-F1 {kinds}"
)


# --- the pipeline, shared with benchmarks/suggester_quality.py -------------------------------


def features(word: str) -> list[str]:
    """A stored word and its Chinese characters, marked "#".

    The characters let related words (教师, 教育局; 派出所, 公安分局) share evidence: on real
    letters they lifted macro-F1 by about 0.05 over the words alone.
    """
    return [word, *("#" + c for c in _HAN.findall(word))]


def count_matrix(
    triples: Iterable[tuple[int, str, int]], letters: int
) -> tuple[sparse.csr_matrix, list[str]]:
    """Feature counts as a letters × features matrix, from (row, word, count) in any order.

    Columns are the features in sorted order, so the same letters always give the same matrix.
    Words are counted first and spread over their features by one sparse product, in C.
    """
    column: dict[str, int] = {}
    rows, cols, counts = array("i"), array("i"), array("i")
    for row, word, n in triples:
        rows.append(row)
        cols.append(column.setdefault(word, len(column)))
        counts.append(n)
    by_word = sparse.csr_matrix(
        (np.frombuffer(counts, np.int32).astype(np.float64), (rows, cols)),
        shape=(letters, len(column)),
    )
    names = sorted({f for word in column for f in features(word)})
    position = {f: i for i, f in enumerate(names)}
    pairs = [(i, position[f]) for word, i in column.items() for f in features(word)]
    spread = sparse.csr_matrix(
        (np.ones(len(pairs)), tuple(np.array(pairs, np.int32).reshape(-1, 2).T)),
        shape=(len(column), len(names)),
    )
    matrix = sparse.csr_matrix(by_word @ spread)
    matrix.sort_indices()
    return matrix, names


def text_counts(text: str) -> dict[str, int]:
    """A text's words as stored on arrival: the one segmenter, cut to the column's 40 characters."""
    return dict(Counter(w[:40] for w in segment.words(text)))


def weigh(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear TF-IDF with unit-length rows: the one weighting of training and suggesting."""
    x = sparse.csr_matrix(counts, dtype=np.float64, copy=True)
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, np.diff(x.indptr))
    return x


@dataclass(frozen=True)
class Head:
    """One linear classifier as arrays: probabilities are softmax(x · coefᵀ + intercept)."""

    labels: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, x: sparse.csr_matrix) -> np.ndarray:
        z = np.asarray(x @ self.coef.T.astype(np.float64)) + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def predict(self, x: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(self.labels[self.probabilities(x).argmax(axis=1)])


@dataclass(frozen=True)
class Model:
    words: np.ndarray
    idf: np.ndarray
    units: Head
    categories: Head | None

    @cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.words.tolist())}

    def vector(self, counts: Mapping[str, int]) -> sparse.csr_matrix | None:
        """One letter's weighted features, or None when it has none the model knows."""
        known: Counter[int] = Counter()
        for word, n in counts.items():
            for feature in features(word):
                if (i := self.index.get(feature)) is not None:
                    known[i] += n
        if not known:
            return None
        cols = sorted(known)
        row = sparse.csr_matrix(
            (np.array([known[i] for i in cols], dtype=np.float64), ([0] * len(cols), cols)),
            shape=(1, len(self.words)),
        )
        return weigh(row, self.idf)

    def to_bytes(self) -> bytes:
        arrays: dict[str, np.ndarray] = {
            "words": self.words,
            "idf": self.idf,
            "unit_labels": self.units.labels,
            "unit_coef": self.units.coef,
            "unit_intercept": self.units.intercept,
        }
        if self.categories is not None:
            arrays |= {
                "category_labels": self.categories.labels,
                "category_coef": self.categories.coef,
                "category_intercept": self.categories.intercept,
            }
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        with np.load(io.BytesIO(data), allow_pickle=False) as a:

            def head(name: str) -> Head | None:
                if f"{name}_labels" not in a:
                    return None
                return Head(a[f"{name}_labels"], a[f"{name}_coef"], a[f"{name}_intercept"])

            units = head("unit")
            assert units is not None
            return cls(a["words"], a["idf"], units, head("category"))


def choose_words(counts: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """The columns kept (words in enough letters, the most common first) and their IDF."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    kept = np.flatnonzero(df >= MIN_DF)
    if len(kept) > MAX_WORDS:
        kept = np.sort(kept[np.argsort(-df[kept], kind="stable")[:MAX_WORDS]])
    idf = np.log((1 + counts.shape[0]) / (1 + df[kept])) + 1.0
    return kept, idf


def fit_head(x: sparse.csr_matrix, labels: np.ndarray) -> Head | None:
    """A class-balanced logistic regression over the labels with at least MIN_LETTERS letters.

    Balanced, so that a unit with a few dozen letters is not drowned by one with thousands.
    """
    from sklearn.linear_model import LogisticRegression

    sizes = Counter(labels.tolist())
    keep = np.array([sizes[label] >= MIN_LETTERS for label in labels.tolist()], dtype=bool)
    classes = np.array(sorted({label for label, n in sizes.items() if n >= MIN_LETTERS}))
    width = x.shape[1]
    if len(classes) == 0:
        return None
    if len(classes) == 1:
        return Head(classes, np.zeros((1, width), np.float32), np.zeros(1, np.float32))
    model = LogisticRegression(
        C=C, class_weight="balanced", tol=1e-3, max_iter=1000, random_state=0
    )
    model.fit(x[keep], labels[keep])
    coef, intercept = model.coef_, model.intercept_
    if len(classes) == 2:  # sklearn keeps one row for two classes: sigmoid(z) = softmax(0, z)
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.r_[0.0, intercept]
    return Head(np.asarray(model.classes_), coef.astype(np.float32), intercept.astype(np.float32))


def train(
    counts: sparse.csr_matrix,
    words: list[str],
    units: np.ndarray,
    categories: np.ndarray | None = None,
) -> Model | None:
    """The model for these letters, or None when no unit has handled enough of them."""
    kept, idf = choose_words(counts)
    x = weigh(counts[:, kept], idf)
    unit_head = fit_head(x, units)
    if unit_head is None:
        return None
    category_head = fit_head(x, categories) if categories is not None else None
    vocabulary = np.array([words[i] for i in kept], dtype=str)
    return Model(vocabulary, idf.astype(np.float32), unit_head, category_head)


@dataclass(frozen=True)
class Holdout:
    """How the model does on the newest letters when it learned only from the older ones."""

    train: int
    test: int
    macro_f1: float | None  # units
    accuracy: float | None  # the first unit suggested is the one that handled it
    top3: float | None  # the handling unit is among the three suggested
    kinds_macro_f1: float | None


def holdout(
    counts: sparse.csr_matrix,
    words: list[str],
    units: np.ndarray,
    categories: np.ndarray | None = None,
) -> Holdout:
    """Trains on the older letters and scores the newest HOLDOUT share.

    Rows must run oldest first: the newest letters are the ones the model will meet next.
    """
    from sklearn.metrics import f1_score

    split = int(counts.shape[0] * (1 - HOLDOUT))
    older = categories[:split] if categories is not None else None
    model = train(counts[:split], words, units[:split], older)
    if model is None or split == counts.shape[0]:
        return Holdout(split, counts.shape[0] - split, None, None, None, None)
    test = weigh(_columns(counts[split:], words, model), model.idf)
    truth = units[split:]
    ranked = model.units.labels[
        np.argsort(-model.units.probabilities(test), axis=1, kind="stable")[:, :TOP]
    ]
    kinds = None
    if model.categories is not None and categories is not None:
        predicted = model.categories.predict(test)
        kinds = float(f1_score(categories[split:], predicted, average="macro"))
    return Holdout(
        train=split,
        test=len(truth),
        macro_f1=float(f1_score(truth, ranked[:, 0], average="macro")),
        accuracy=float(np.mean(truth == ranked[:, 0])),
        top3=float(np.mean([u in row for u, row in zip(truth, ranked, strict=True)])),
        kinds_macro_f1=kinds,
    )


def _columns(counts: sparse.csr_matrix, words: list[str], model: Model) -> sparse.csr_matrix:
    """The count columns of the model's own words, in its order."""
    position = {w: i for i, w in enumerate(words)}
    return sparse.csr_matrix(counts[:, [position[w] for w in model.words.tolist()]])


# --- learning from the database ---------------------------------------------------------------


@dataclass(frozen=True)
class TrainingSet:
    counts: sparse.csr_matrix
    words: list[str]
    units: np.ndarray
    categories: np.ndarray


def training_set(session: Session, *, limit: int = MAX_LETTERS) -> TrainingSet:
    """The newest handled letters, oldest first, with the unit that handled each.

    The handling unit is the one that replied first, else the one the letter is assigned to.
    """
    chosen = (
        select(Letter.id)
        .where(
            Letter.status.in_(HANDLED),
            Letter.department_id.is_not(None),
            Letter.duplicate_of_id.is_(None),
        )
        .order_by(Letter.submitted_at.desc(), Letter.id.desc())
        .limit(limit)
        .subquery()
    )
    first_reply_unit = (
        select(Reply.department_id)
        .where(Reply.letter_id == Letter.id)
        .order_by(Reply.id)
        .limit(1)
        .correlate(Letter)
        .scalar_subquery()
    )
    letters = session.execute(
        select(Letter.id, func.coalesce(first_reply_unit, Letter.department_id), Letter.category)
        .join(chosen, chosen.c.id == Letter.id)
        .order_by(Letter.submitted_at, Letter.id)
    ).all()
    row_of = {letter_id: row for row, (letter_id, _, _) in enumerate(letters)}
    triples = session.execute(
        select(LetterWord.letter_id, LetterWord.word, LetterWord.n).join(
            chosen, chosen.c.id == LetterWord.letter_id
        ),
        execution_options={"yield_per": 50_000},
    )
    counts, words = count_matrix(
        ((row_of[letter_id], word, n) for letter_id, word, n in triples), len(letters)
    )
    return TrainingSet(
        counts,
        words,
        np.array([unit for _, unit, _ in letters], dtype=np.int64),
        np.array([str(category) for _, _, category in letters], dtype="<U16"),
    )


def learn(session: Session, *, now: datetime | None = None) -> str:
    """Learns the suggester again and keeps only this model; a one-line summary for the CLI."""
    started = time.perf_counter()
    data = training_set(session)
    model = train(data.counts, data.words, data.units, data.categories)
    if model is None:
        return "suggester: no unit has handled enough letters to learn from yet"
    measured = holdout(data.counts, data.words, data.units, data.categories)
    session.execute(delete(SuggesterModel))
    session.add(
        SuggesterModel(
            computed_at=now or utcnow(),
            letters=data.counts.shape[0],
            method=METHOD.format(
                min_df=MIN_DF,
                max_words=MAX_WORDS,
                c=C,
                share=HOLDOUT,
                units=_figure(measured.macro_f1),
                top3=_figure(measured.top3),
                kinds=_figure(measured.kinds_macro_f1),
            ),
            data=model.to_bytes(),
        )
    )
    session.flush()
    forget()
    return (
        f"suggester: {data.counts.shape[0]} letters, {len(model.units.labels)} units, "
        f"macro-F1 {_figure(measured.macro_f1)} on the newest {HOLDOUT:.0%}, "
        f"in {time.perf_counter() - started:.1f} s"
    )


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


# --- suggesting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitScore:
    slug: str
    name: str
    score: float


@dataclass(frozen=True)
class CategoryScore:
    value: Category
    score: float


@dataclass(frozen=True)
class Suggestions:
    departments: list[UnitScore]
    category: CategoryScore | None
    learned: bool  # False before any model exists

    def as_contract(self) -> dict[str, Any]:
        return {
            "departments": [
                {"department": {"slug": u.slug, "name": u.name}, "score": u.score}
                for u in self.departments
            ],
            "category": (
                {"value": self.category.value.value, "score": self.category.score}
                if self.category
                else None
            ),
        }


@dataclass(frozen=True)
class _Cached:
    key: tuple[int, datetime] | None
    model: Model | None
    checked: float


_cached: _Cached | None = None
_lock = threading.Lock()


def forget() -> None:
    """Drops this process's model, so the next suggestion reads the newest one stored."""
    global _cached
    _cached = None


def current_model(session: Session) -> Model | None:
    """The newest stored model, loaded once per process and checked again every minute."""
    global _cached
    cached = _cached
    if cached is not None and time.monotonic() - cached.checked < RECHECK_SECONDS:
        return cached.model
    with _lock:
        row = session.execute(
            select(SuggesterModel.id, SuggesterModel.computed_at)
            .order_by(SuggesterModel.id.desc())
            .limit(1)
        ).first()
        key = (row[0], row[1]) if row is not None else None
        if key is None:
            model = None
        elif cached is not None and cached.key == key:
            model = cached.model
        else:
            model = _load(session, key[0])
        _cached = _Cached(key, model, time.monotonic())
    return model


def _load(session: Session, model_id: int) -> Model | None:
    data = session.scalar(select(SuggesterModel.data).where(SuggesterModel.id == model_id))
    return Model.from_bytes(data) if data is not None else None


def _letter_counts(session: Session, letter: Letter) -> dict[str, int]:
    """The words stored when the letter arrived, or its text segmented if none were stored."""
    stored = session.execute(
        select(LetterWord.word, LetterWord.n).where(LetterWord.letter_id == letter.id)
    ).all()
    if stored:
        return {word: n for word, n in stored}
    return text_counts(f"{letter.subject}\n{letter.body}")


def suggest(session: Session, letter: Letter) -> Suggestions:
    """At most three active units, most likely first, and the likely kind of the letter."""
    model = current_model(session)
    if model is None:
        return Suggestions([], None, learned=False)
    x = model.vector(_letter_counts(session, letter))
    if x is None:
        return Suggestions([], None, learned=True)
    return Suggestions(_units(session, model.units, x), _category(model.categories, x), True)


def _units(session: Session, head: Head, x: sparse.csr_matrix) -> list[UnitScore]:
    probabilities = head.probabilities(x)[0]
    active = {
        d.id: d
        for d in session.scalars(
            select(Department).where(
                Department.id.in_(head.labels.tolist()), Department.active.is_(True)
            )
        )
    }
    ranked = np.argsort(-probabilities, kind="stable")
    units = [int(head.labels[i]) for i in ranked if int(head.labels[i]) in active][:TOP]
    position = {int(label): i for i, label in enumerate(head.labels.tolist())}
    return [
        UnitScore(active[u].slug, active[u].name, round(float(probabilities[position[u]]), 3))
        for u in units
    ]


def _category(head: Head | None, x: sparse.csr_matrix) -> CategoryScore | None:
    if head is None:
        return None
    probabilities = head.probabilities(x)[0]
    best = int(probabilities.argmax())
    return CategoryScore(Category(str(head.labels[best])), round(float(probabilities[best]), 3))
