"""login throttles: failed sign-ins per account name and source address

Revision ID: b41c7e2d9a60
Revises: 5d8f943685ba
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import engagement.timeutil

revision: str = "b41c7e2d9a60"
down_revision: str | None = "5d8f943685ba"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", engagement.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", engagement.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", engagement.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username", "source", name=op.f("pk_login_throttles")),
    )


def downgrade() -> None:
    op.drop_table("login_throttles")
