"""Training: holdout evaluation against popularity, then a refit on all data, then save."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .als import ALSParams, Interactions, train_als
from .data import Ratings
from .evaluate import RankingMetrics, holdout_mask, ranking_metrics
from .model_store import ModelFiles, save_model

K = 10


def _popularity_counts(items: np.ndarray, n_items: int) -> np.ndarray:
    return np.bincount(items, minlength=n_items).astype(np.float32)


def _evaluate(
    u: np.ndarray, i: np.ndarray, conf: np.ndarray, n_users: int, n_items: int, params: ALSParams
) -> dict[str, RankingMetrics]:
    test = holdout_mask(u, n_users)
    train = Interactions.build(u[~test], i[~test], conf[~test], n_users, n_items)
    user_f, item_f = train_als(train, params)
    seen = (train.user_indptr, train.user_items)
    model = ranking_metrics(user_f, item_f, *seen, u[test], i[test], K)
    counts = _popularity_counts(i[~test], n_items)
    ones = np.ones((n_users, 1), dtype=np.float32)
    pop = ranking_metrics(ones, counts[:, None], *seen, u[test], i[test], K)
    return {"model": model, "popularity": pop}


def train_model(
    ratings: Ratings,
    out_dir: str | Path,
    params: ALSParams | None = None,
    evaluate: bool = True,
    log: Any = print,
) -> dict[str, Any]:
    """Train on ``ratings``, write the model directory, return the model card."""
    params = params or ALSParams()
    started = time.perf_counter()
    user_ids, u = np.unique(ratings.users, return_inverse=True)
    item_ids, i = np.unique(ratings.items, return_inverse=True)
    n_users, n_items = len(user_ids), len(item_ids)
    conf = ratings.ratings.astype(np.float64)
    data_hash = ratings.sha256()

    metrics: dict[str, dict[str, float]] = {}
    if evaluate:
        results = _evaluate(u, i, conf, n_users, n_items, params)
        for name, m in results.items():
            metrics[name] = {f"recall@{K}": round(m.recall, 4), f"ndcg@{K}": round(m.ndcg, 4)}
        metrics["holdout"] = {"users": results["model"].users, "fraction": 0.2, "min_items": 5}
        log(_metrics_table(results))

    full = Interactions.build(u, i, conf, n_users, n_items)
    user_f, item_f = train_als(full, params)
    counts = _popularity_counts(i, n_items)
    popularity = np.lexsort((np.arange(n_items), -counts)).astype(np.int32)

    identity = json.dumps({"data": data_hash, "params": params.as_dict(), "code": __version__})
    card: dict[str, Any] = {
        "name": "berth-movie-recommender",
        "version": "als-" + hashlib.sha256(identity.encode()).hexdigest()[:12],
        "algorithm": "implicit ALS (Hu, Koren & Volinsky 2008), numpy",
        "code_version": __version__,
        "data": {"source": ratings.source, "sha256": data_hash},
        "sizes": {
            "users": n_users,
            "items": n_items,
            "interactions": len(ratings),
            "factors": params.factors,
        },
        "params": params.as_dict(),
        "metrics": metrics,
    }
    save_model(
        ModelFiles(
            card=card,
            user_factors=user_f,
            item_factors=item_f,
            user_ids=user_ids.astype(np.int64),
            item_ids=item_ids.astype(np.int64),
            seen_indptr=full.user_indptr,
            seen_indices=full.user_items,
            popularity=popularity,
        ),
        out_dir,
    )
    log(f"model {card['version']} written to {out_dir} in {time.perf_counter() - started:.1f}s")
    return card


def _metrics_table(results: dict[str, RankingMetrics]) -> str:
    lines = [
        f"holdout: 20% of each user's items, {results['model'].users} users",
        f"{'':<12}{'recall@10':>10}{'ndcg@10':>10}",
    ]
    for name, m in results.items():
        lines.append(f"{name:<12}{m.recall:>10.4f}{m.ndcg:>10.4f}")
    pop, model = results["popularity"], results["model"]
    if pop.recall > 0:
        lines.append(
            f"{'lift':<12}{model.recall / pop.recall:>9.2f}x{model.ndcg / pop.ndcg:>9.2f}x"
        )
    return "\n".join(lines)
