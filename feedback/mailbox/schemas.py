"""The mailbox's JSON shapes (contract §5, Mailbox)."""

from __future__ import annotations

from pydantic import BaseModel, EmailStr, Field, field_validator

from engagement.text import is_valid_phone, normalize_phone
from engagement.timeutil import ApiDatetime
from feedback.mailbox.models import Category, Satisfaction, Status


class UnitRef(BaseModel):
    slug: str
    name: str


class LetterCreate(BaseModel):
    category: Category
    subject: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=10, max_length=5000)
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(max_length=30)
    email: EmailStr | None = None
    township: str | None = Field(default=None, max_length=64)
    publish_consent: bool = False

    @field_validator("subject", "body", "name", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not is_valid_phone(value):
            raise ValueError("not a valid mainland mobile or landline number")
        return normalize_phone(value)


class LetterCreated(BaseModel):
    number: str
    tracking_code: str
    status: Status


class ReplyRead(BaseModel):
    body: str
    department: UnitRef | None
    replied_at: ApiDatetime


class LetterRead(BaseModel):
    number: str
    category: Category
    subject: str
    body: str
    status: Status
    submitted_at: ApiDatetime
    department: UnitRef | None
    due_at: ApiDatetime | None
    replies: list[ReplyRead]
    satisfaction: Satisfaction | None
    rejection_reason: str | None = None


class PublicLetter(BaseModel):
    number: str
    category: Category
    subject: str
    body: str
    submitted_at: ApiDatetime
    department: UnitRef | None
    township: UnitRef | None
    replies: list[ReplyRead]
    replied_at: ApiDatetime | None
    support: int  # 我也关注 from citizens, plus any count imported with the letter


class RatingCreate(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    satisfaction: Satisfaction
    comment: str | None = Field(default=None, max_length=1000)


class SimilarLetterRead(BaseModel):
    number: str
    subject: str
    department: UnitRef | None
    status: Status
    submitted_at: ApiDatetime
    score: float  # 0–1


class StaffLetter(BaseModel):
    number: str
    category: Category
    subject: str
    status: Status
    department: UnitRef | None
    township: UnitRef | None
    submitted_at: ApiDatetime
    due_at: ApiDatetime | None
    overdue: bool
    urgency: str
    long_unanswered: bool


class StaffLetterDetail(StaffLetter):
    body: str
    name: str
    phone: str
    email: str | None
    publish_consent: bool
    published: bool
    replies: list[ReplyRead]
    satisfaction: Satisfaction | None
    rejection_reason: str | None


class AssignBody(BaseModel):
    department: str = Field(min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=2000)


class ReplyBody(BaseModel):
    body: str = Field(min_length=5, max_length=10000)
    public: bool = True


class RejectBody(BaseModel):
    reason: str = Field(min_length=2, max_length=1000)
