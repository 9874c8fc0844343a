"""Fixtures shared by every test: an in-memory store per test, settings, the photo fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from app.demo import seed_people
from app.reference import seed_reference
from app.settings import Settings
from app.store import open_store

REPO_ROOT = Path(__file__).resolve().parent.parent
PHOTO_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures" / "photos"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789")


@pytest.fixture
def engine():
    return open_store(None)


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        yield session


@pytest.fixture
def township(session):
    """The township's reference data and demo people, without demo issues."""
    seed_reference(session)
    return seed_people(session)


@pytest.fixture
def photo_fixtures() -> Path:
    assert PHOTO_FIXTURES.is_dir(), f"photo fixtures not found at {PHOTO_FIXTURES}"
    return PHOTO_FIXTURES
