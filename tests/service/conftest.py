"""Fixtures for the service tests: the service package on sys.path, a small trained model."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SERVICE_DIR = Path(__file__).resolve().parents[2] / "service"
sys.path.insert(0, str(SERVICE_DIR))

from recommender.app import App  # noqa: E402
from recommender.data import synthetic_ratings  # noqa: E402
from recommender.train import train_model  # noqa: E402

SMALL = {"n_users": 200, "n_items": 300, "n_ratings": 12_000, "seed": 3}


@pytest.fixture(scope="session")
def small_ratings():
    return synthetic_ratings(**SMALL)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory, small_ratings) -> Path:
    out = tmp_path_factory.mktemp("model") / "trained_models"
    train_model(small_ratings, out, log=lambda *_: None)
    return out


@pytest.fixture()
def app(model_dir: Path) -> App:
    application = App(model_dir, load_on_startup=False)
    application.load()
    return application
