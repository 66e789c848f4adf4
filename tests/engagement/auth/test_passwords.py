"""The password hash's cost: the one the README states, and older hashes brought up to it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement.auth import passwords
from engagement.models import User
from tests import factories
from tests.conftest import login


def test_new_hashes_use_owasps_argon2id_minimum() -> None:
    """The cost README.md states; pwdlib's default (m=64 MiB, t=3, p=4) made a sign-in 0.5 s."""
    production = passwords.hasher()
    made = production.hash("a-clerk-password")
    assert made.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert production.verify("a-clerk-password", made)


def test_a_hash_of_an_earlier_cost_signs_in_and_is_rewritten_at_todays(
    client: TestClient, db: Session, staff: User
) -> None:
    earlier = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=16, parallelism=2),))
    staff.password_hash = earlier.hash(factories.PASSWORD)
    db.flush()

    login(client, "staff1")  # fails the test unless the sign-in succeeds

    db.expire_all()
    stored = db.scalar(select(User.password_hash).where(User.username == "staff1"))
    assert stored is not None
    today = passwords._hasher.hash("x").split("$")[3]  # "m=…,t=…,p=…" of the hasher in force
    assert stored.split("$")[3] == today
    assert passwords.verify_password(factories.PASSWORD, stored)


def test_a_current_hash_is_left_as_it_is(client: TestClient, db: Session, staff: User) -> None:
    before = staff.password_hash

    login(client, "staff1")

    db.expire_all()
    assert db.scalar(select(User.password_hash).where(User.username == "staff1")) == before
