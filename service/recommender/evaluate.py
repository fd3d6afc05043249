"""Per-user holdout split and ranking metrics (recall@k, NDCG@k)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .topk import topk_rows


@dataclass(frozen=True)
class RankingMetrics:
    recall: float
    ndcg: float
    users: int


def holdout_mask(
    users: np.ndarray, n_users: int, fraction: float = 0.2, min_items: int = 5, seed: int = 11
) -> np.ndarray:
    """Boolean mask of interactions held out: ``fraction`` of each user's items, chosen at
    random (seeded), for users with at least ``min_items`` interactions."""
    rng = np.random.default_rng(seed)
    order = np.lexsort((rng.random(len(users)), users))
    counts = np.bincount(users, minlength=n_users)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    position = np.empty(len(users), dtype=np.int64)
    position[order] = np.arange(len(users)) - starts[users[order]]
    n_hold = np.where(counts >= min_items, np.maximum(1, np.rint(counts * fraction)), 0)
    return position < n_hold[users]


def ranking_metrics(
    user_factors: np.ndarray,
    item_factors: np.ndarray,
    seen_indptr: np.ndarray,
    seen_indices: np.ndarray,
    test_users: np.ndarray,
    test_items: np.ndarray,
    k: int = 10,
) -> RankingMetrics:
    """Mean recall@k (hits / min(k, |holdout|)) and binary NDCG@k over users with holdout."""
    rows = np.unique(test_users)
    if len(rows) == 0:
        return RankingMetrics(0.0, 0.0, 0)
    top, _ = topk_rows(user_factors, item_factors, seen_indptr, seen_indices, rows, k)
    n_items = item_factors.shape[0]
    relevant = np.zeros((len(rows), n_items), dtype=bool)
    row_of = np.searchsorted(rows, test_users)
    relevant[row_of, test_items] = True
    hits = np.take_along_axis(relevant, top, axis=1)
    n_rel = relevant.sum(axis=1)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits * discounts[: top.shape[1]]).sum(axis=1)
    ideal = np.cumsum(discounts)[np.minimum(n_rel, k) - 1]
    recall = hits.sum(axis=1) / np.minimum(n_rel, k)
    return RankingMetrics(float(recall.mean()), float((dcg / ideal).mean()), len(rows))
