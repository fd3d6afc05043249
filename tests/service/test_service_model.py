"""Data loading, training, the model directory and its metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from recommender.als import ALSParams
from recommender.data import load_ratings, synthetic_ratings, write_udata
from recommender.model_store import ARRAYS, CARD, load_model
from recommender.train import train_model


def test_synthetic_data_is_deterministic_and_movielens_shaped() -> None:
    a, b = synthetic_ratings(), synthetic_ratings()
    assert a.sha256() == b.sha256()
    assert 90_000 <= len(a) <= 110_000
    assert len(np.unique(a.users)) == 1000 and len(np.unique(a.items)) <= 1700
    counts = np.sort(np.bincount(a.items))[::-1]
    total = counts.sum()
    assert counts[:170].sum() / total > 0.35, "top 10% of movies: a large share of ratings"
    assert counts[850:].sum() / total < 0.25, "bottom half of movies: a small share"
    assert np.bincount(a.users)[1:].min() >= 20
    assert set(np.unique(a.ratings).tolist()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert synthetic_ratings(seed=1).sha256() != a.sha256()


def test_movielens_formats_load_identically(tmp_path: Path, small_ratings) -> None:
    udata = tmp_path / "u.data"
    write_udata(small_ratings, udata)
    csv = tmp_path / "ratings.csv"
    rows = zip(
        small_ratings.users,
        small_ratings.items,
        small_ratings.ratings,
        small_ratings.timestamps,
        strict=True,
    )
    csv.write_text(
        "userId,movieId,rating,timestamp\n"
        + "".join(f"{u},{i},{r:.1f},{t}\n" for u, i, r, t in rows)
    )
    dat = tmp_path / "ratings.dat"
    dat.write_text(udata.read_text().replace("\t", "::"))
    hashes = {load_ratings(p).sha256() for p in (udata, csv, dat)}
    assert hashes == {small_ratings.sha256()}


def test_training_writes_a_complete_model_dir(model_dir: Path, small_ratings) -> None:
    for name in ARRAYS:
        assert (model_dir / f"{name}.npy").is_file()
    card = json.loads((model_dir / CARD).read_text())
    assert card["version"].startswith("als-")
    assert card["data"]["sha256"] == small_ratings.sha256()
    assert card["sizes"]["interactions"] == len(small_ratings)
    assert {"model", "popularity", "holdout"} <= set(card["metrics"])
    model = load_model(model_dir)
    assert isinstance(model.item_factors, np.memmap)  # served memory-mapped
    assert model.user_factors.dtype == np.float32


def test_model_beats_popularity(model_dir: Path) -> None:
    metrics = json.loads((model_dir / CARD).read_text())["metrics"]
    model, pop = metrics["model"], metrics["popularity"]
    assert model["recall@10"] > 1.3 * pop["recall@10"], metrics
    assert model["ndcg@10"] > 1.3 * pop["ndcg@10"], metrics


def test_training_is_deterministic(tmp_path: Path, small_ratings) -> None:
    params = ALSParams(iterations=3)
    a = train_model(small_ratings, tmp_path / "a", params, evaluate=False, log=lambda *_: None)
    b = train_model(small_ratings, tmp_path / "b", params, evaluate=False, log=lambda *_: None)
    assert a["version"] == b["version"]
    fa = np.load(tmp_path / "a" / "item_factors.npy")
    fb = np.load(tmp_path / "b" / "item_factors.npy")
    np.testing.assert_array_equal(fa, fb)


def test_cli_train_on_udata_file(tmp_path: Path, small_ratings) -> None:
    from recommender.__main__ import main

    udata = tmp_path / "u.data"
    write_udata(small_ratings, udata)
    out = tmp_path / "m"
    assert main(["train", "--ratings", str(udata), "--out", str(out), "--iterations", "2"]) == 0
    assert (out / CARD).is_file()
