"""The consultations' JSON shapes (contract §5, Consultations)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from engagement.params import RowId
from engagement.timeutil import ApiDatetime
from feedback.consultations.models import CommentStatus, Decision, Kind, Status
from feedback.mailbox.schemas import UnitRef


class SectionCreate(BaseModel):
    heading: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20000)


class ConsultationCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=10000)
    sections: list[SectionCreate] = Field(min_length=1, max_length=500)
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    kind: Kind = Kind.other
    short_period_reason: str | None = Field(default=None, max_length=2000)
    background: str = Field(default="", max_length=10000)
    how_to_comment: str = Field(default="", max_length=2000)
    department: str | None = Field(default=None, max_length=64)


class Created(BaseModel):
    id: int
    status: Status


class SectionRead(BaseModel):
    ordinal: int
    heading: str
    text: str
    comment_count: int


class CommentRead(BaseModel):
    id: int
    section: int | None
    body: str
    name: str
    agree_count: int
    created_at: ApiDatetime


class DispositionRead(BaseModel):
    comment_id: int
    decision: Decision
    reason: str


class ReportRead(BaseModel):
    summary: str
    other_channels: dict[str, int]
    published_at: ApiDatetime
    dispositions: list[DispositionRead]
    online_comments: int = Field(
        description="Comments received on the site during the period, whatever their review."
    )
    published_comments: int = Field(
        description="Of those, the comments published after review: each has a decision."
    )
    decision_counts: dict[Decision, int] = Field(
        description="Published comments by decision; together they make published_comments."
    )


class RevisionRead(BaseModel):
    at: ApiDatetime
    note: str


class ConsultationRead(BaseModel):
    id: int
    title: str
    summary: str
    background: str
    how_to_comment: str
    kind: Kind
    status: Status
    department: UnitRef
    opens_at: ApiDatetime
    closes_at: ApiDatetime
    short_period_reason: str | None
    sections: list[SectionRead]
    comments: list[CommentRead]
    report: ReportRead | None
    revisions: list[RevisionRead]


class ConsultationSummary(BaseModel):
    id: int
    title: str
    kind: Kind
    status: Status
    department: UnitRef
    opens_at: ApiDatetime
    closes_at: ApiDatetime


class CommentCreate(BaseModel):
    section: RowId | None = None
    body: str = Field(min_length=5, max_length=2000)
    name: str | None = Field(default=None, max_length=50)
    contact: str | None = Field(default=None, max_length=100)


class CommentCreated(BaseModel):
    id: int
    status: CommentStatus


class StaffComment(BaseModel):
    id: int
    consultation_id: int
    section: int | None
    body: str
    name: str
    contact: str
    status: CommentStatus
    reason: str
    flagged_words: list[str]
    created_at: ApiDatetime


class ModerateBody(BaseModel):
    decision: str = Field(pattern="^(approve|reject)$")
    reason: str | None = Field(default=None, max_length=1000)


class DispositionCreate(BaseModel):
    comment_id: RowId
    decision: Decision
    reason: str = Field(min_length=1, max_length=2000)


class ReportCreate(BaseModel):
    summary: str = Field(min_length=1, max_length=10000)
    dispositions: list[DispositionCreate] = Field(default_factory=list)
    other_channels: dict[str, int] = Field(default_factory=dict)
