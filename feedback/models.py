"""Every table of the feedback domain, imported together for Alembic and the tests."""

from feedback.consultations.models import (  # noqa: F401
    Agreement,
    Attachment,
    Comment,
    Consultation,
    Disposition,
    Report,
    Revision,
    Section,
    SensitiveWord,
)
from feedback.mailbox.models import (  # noqa: F401
    Letter,
    LetterEvent,
    LetterWord,
    Photo,
    Rating,
    Reply,
    ReplyTemplate,
)
