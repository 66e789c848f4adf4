"""Alembic environment: the URL from settings (or the caller's connection), all models loaded."""

from __future__ import annotations

from alembic import context

from engagement.app import load_models
from engagement.db import make_engine
from engagement.models import Base
from engagement.settings import get_settings

load_models()
target_metadata = Base.metadata
config = context.config


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leaves out the full-text tables, which migrations make by hand for each database."""
    return not (type_ == "table" and (name or "").startswith(("search_fts", "letter_fts")))


def run_migrations_offline() -> None:
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.attributes.get("url") or get_settings().database_url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: object) -> None:
    # Batch mode lets the same migration alter tables on SQLite, which cannot ALTER most things.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,  # type: ignore[arg-type]
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
