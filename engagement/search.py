"""One search over everything public, in Chinese.

Text is segmented with jieba when it is indexed, and the space-separated terms go into SQLite's
FTS5 (or PostgreSQL's full-text search), so a query needs no segmentation of stored text. Only
published, approved, masked text is ever indexed: domains call `index` at the moment something
becomes public and `unindex` when it stops being so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from engagement.models import Base
from engagement.segment import query_words, search_terms
from engagement.timeutil import utcnow

SNIPPET = 70


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "ref"),
        Index("ix_search_documents_kind_department", "kind", "department_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(300))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    terms: Mapped[str] = mapped_column(Text, default="")


@dataclass(frozen=True)
class Doc:
    kind: str
    ref: str
    title: str
    body: str
    url: str
    department_id: int | None
    published_at: datetime


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def terms_of(title: str, body: str) -> str:
    """What the index stores of a document's text (segmenting is the costly part of indexing)."""
    return search_terms(f"{title}\n{body}")


def index(session: Session, doc: Doc) -> None:
    """Adds or replaces one public document."""
    unindex(session, doc.kind, doc.ref)
    add_new(session, [(doc, terms_of(doc.title, doc.body))])


def add_new(session: Session, docs: Sequence[tuple[Doc, str]]) -> None:
    """Adds documents not in the index yet, each with its `terms_of`, in one statement."""
    if not docs:
        return
    rows = [
        {
            "kind": doc.kind,
            "ref": doc.ref,
            "title": doc.title[:300],
            "body": doc.body,
            "url": doc.url,
            "department_id": doc.department_id,
            "published_at": doc.published_at,
            "terms": terms,
        }
        for doc, terms in docs
    ]
    ids = session.scalars(
        insert(SearchDocument).returning(SearchDocument.id, sort_by_parameter_order=True), rows
    ).all()
    if _sqlite(session):
        session.execute(
            text("INSERT INTO search_fts(rowid, terms) VALUES (:id, :terms)"),
            [{"id": i, "terms": row["terms"]} for i, row in zip(ids, rows, strict=True)],
        )


def unindex(session: Session, kind: str, ref: str) -> None:
    row = session.scalar(
        select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref == ref)
    )
    if row is None:
        return
    if _sqlite(session):
        session.execute(text("DELETE FROM search_fts WHERE rowid = :id"), {"id": row.id})
    session.delete(row)
    session.flush()


def reindex(session: Session, docs: Iterable[Doc]) -> int:
    n = 0
    for doc in docs:
        index(session, doc)
        n += 1
    return n


@dataclass(frozen=True)
class Hit:
    doc: SearchDocument
    snippet: str


CANDIDATES = 400


def search(
    session: Session,
    query: str,
    *,
    kind: str | None = None,
    department_id: int | None = None,
    offset: int = 0,
    limit: int = 10,
) -> tuple[list[Hit], int, list[str]]:
    """Ranked hits, their total and the query's terms (for highlighting).

    A document needs any of the query's words; one with more of them ranks first, then the
    engine's own relevance (BM25 on SQLite), so a letter that says most of what was asked is
    found even when it misses a word, and both databases agree on the order.
    """
    whole, parts = query_words(query)
    terms = whole + parts
    if not terms:
        return [], 0, []
    ids, total = (_fts5 if _sqlite(session) else _postgres)(session, terms, kind, department_id)
    docs = (
        {d.id: d for d in session.scalars(select(SearchDocument).where(SearchDocument.id.in_(ids)))}
        if ids
        else {}
    )

    def matched(doc: SearchDocument) -> tuple[int, int]:
        stored = set(doc.terms.lower().split())
        return (
            -sum(t.lower() in stored for t in whole),
            -sum(t.lower() in stored for t in parts),
        )

    # Stable: the engine's own order within the same counts.
    ranked = sorted((docs[i] for i in ids if i in docs), key=matched)
    page = ranked[offset : offset + limit]
    return [Hit(d, snippet(d.body, terms)) for d in page], total, terms


def _filters(kind: str | None, department_id: int | None) -> tuple[str, dict[str, object]]:
    sql, params = "", dict[str, object]()
    if kind:
        sql += " AND d.kind = :kind"
        params["kind"] = kind
    if department_id is not None:
        sql += " AND d.department_id = :dept"
        params["dept"] = department_id
    return sql, params


def _fts5(
    session: Session, terms: list[str], kind: str | None, department_id: int | None
) -> tuple[list[int], int]:
    match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
    where, params = _filters(kind, department_id)
    base = (
        f"FROM search_fts JOIN search_documents d ON d.id = search_fts.rowid "
        f"WHERE search_fts MATCH :match{where}"
    )
    params["match"] = match
    total = session.execute(text(f"SELECT count(*) {base}"), params).scalar() or 0
    rows = session.execute(
        text(
            f"SELECT d.id {base} ORDER BY bm25(search_fts), d.published_at DESC, d.id DESC "
            "LIMIT :limit"
        ),
        {**params, "limit": CANDIDATES},
    )
    return [r[0] for r in rows], int(total)


def _postgres(
    session: Session, terms: list[str], kind: str | None, department_id: int | None
) -> tuple[list[int], int]:
    where, params = _filters(kind, department_id)
    params["q"] = " | ".join(re.sub(r"[&|!():*<>'\\\s]", "", t.lower()) or "x" for t in terms)
    vector = "to_tsvector('simple', d.terms)"
    base = f"FROM search_documents d WHERE {vector} @@ to_tsquery('simple', :q){where}"
    total = session.execute(text(f"SELECT count(*) {base}"), params).scalar() or 0
    rows = session.execute(
        text(
            f"SELECT d.id {base} ORDER BY ts_rank({vector}, to_tsquery('simple', :q)) DESC, "
            "d.published_at DESC, d.id DESC LIMIT :limit"
        ),
        {**params, "limit": CANDIDATES},
    )
    return [r[0] for r in rows], int(total)


def snippet(body: str, terms: list[str]) -> str:
    """The stretch of text around the first matching term."""
    positions = [body.find(t) for t in terms if t in body]
    start = max(0, min(positions) - SNIPPET // 3) if positions else 0
    cut = body[start : start + SNIPPET].replace("\n", " ")
    return ("…" if start else "") + cut + ("…" if start + SNIPPET < len(body) else "")


def count(session: Session) -> int:
    return session.scalar(select(func.count(SearchDocument.id))) or 0
