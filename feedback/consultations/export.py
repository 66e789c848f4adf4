"""All comments of a consultation with their decisions, as an Excel workbook."""

from __future__ import annotations

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.settings import get_settings
from engagement.spreadsheet import XLSX, append_row, xlsx_bytes
from feedback.consultations.models import Comment, Consultation

__all__ = ["HEADERS", "XLSX", "comments_xlsx"]
HEADERS = [
    "编号",
    "条款",
    "意见内容",
    "姓名",
    "联系方式",
    "提交时间",
    "审核状态",
    "采纳情况",
    "理由",
]


def comments_xlsx(session: Session, consultation: Consultation) -> bytes:
    """One row per comment; contact details included, so only the unit may download it.
    Commenters' text is written as text cells: a comment never runs as a formula."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "意见"
    append_row(sheet, HEADERS)
    tz = get_settings().tz
    comments = session.scalars(
        select(Comment).where(Comment.consultation_id == consultation.id).order_by(Comment.id)
    )
    for c in comments:
        append_row(
            sheet,
            [
                c.id,
                c.section.heading if c.section else "全文",
                c.body,
                c.name,
                c.contact,
                c.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                c.status.value,
                c.disposition.decision.value if c.disposition else "",
                c.disposition.reason if c.disposition else c.reason,
            ],
        )
    for column, width in zip("ABCDEFGHI", (8, 18, 60, 10, 18, 18, 10, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width
    return xlsx_bytes(book)
