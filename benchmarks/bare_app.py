"""The baseline: a FastAPI endpoint that only inserts a row, on the same kind of database."""

from __future__ import annotations

import os

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert

from engagement.db import make_engine, write_intent

engine = make_engine(os.environ["BARE_DATABASE_URL"])
metadata = MetaData()
rows = Table("bare_rows", metadata, Column("id", Integer, primary_key=True), Column("body", Text))
metadata.create_all(engine)
app = FastAPI()


class Body(BaseModel):
    body: str


@app.post("/insert", status_code=201)
def insert_row(data: Body) -> dict[str, int]:
    token = write_intent.set(True)
    try:
        with engine.begin() as conn:
            new_id = conn.execute(insert(rows).values(body=data.body)).inserted_primary_key[0]
    finally:
        write_intent.reset(token)
    return {"id": int(new_id)}
