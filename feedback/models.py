"""Every table of the feedback domain, imported together for Alembic and the tests."""

from feedback.mailbox.models import (  # noqa: F401
    Letter,
    LetterEvent,
    Photo,
    Rating,
    Reply,
    ReplyTemplate,
)
