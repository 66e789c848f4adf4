"""a unit's letters not rolled up yet

A partial index on letters (department_id, submitted_at) for the letters whose rollup_batch is
NULL: dashboards count those live, and without it a unit's figures read all of its letters to
find the few thousand not rolled up.

Revision ID: 3b7e1f2c8a41
Revises: 9d289a7d2bea
Create Date: 2026-11-29 10:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '3b7e1f2c8a41'
down_revision: str | None = '9d289a7d2bea'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("rollup_batch IS NULL")


def upgrade() -> None:
    op.create_index(
        'ix_letters_live_unit',
        'letters',
        ['department_id', 'submitted_at'],
        unique=False,
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index('ix_letters_live_unit', table_name='letters')
