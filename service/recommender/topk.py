"""Vectorised top-k over dot-product scores, excluding already-seen items."""

from __future__ import annotations

import numpy as np


def topk_rows(
    user_factors: np.ndarray,
    item_factors: np.ndarray,
    seen_indptr: np.ndarray,
    seen_indices: np.ndarray,
    rows: np.ndarray,
    k: int,
    chunk: int = 2048,
) -> tuple[np.ndarray, np.ndarray]:
    """Best ``k`` unseen item indices for each user index in ``rows``, best first.

    Returns ``(items, valid)``: ``items`` has shape ``(len(rows), k)`` and ``valid[i]`` is how
    many of row ``i``'s entries are real (a user who has seen nearly every item gets fewer).
    """
    n_items = item_factors.shape[0]
    k = max(0, min(k, n_items))
    out = np.zeros((len(rows), k), dtype=np.int64)
    counts = (seen_indptr[rows + 1] - seen_indptr[rows]).astype(np.int64)
    valid = np.minimum(k, n_items - counts)
    if k == 0:
        return out, valid
    item_t = np.ascontiguousarray(item_factors, dtype=np.float32).T
    for start in range(0, len(rows), chunk):
        block = rows[start : start + chunk]
        scores = np.asarray(user_factors[block], dtype=np.float32) @ item_t
        n_seen = counts[start : start + chunk]
        if n_seen.sum():
            r = np.repeat(np.arange(len(block)), n_seen)
            c = np.concatenate([seen_indices[seen_indptr[u] : seen_indptr[u + 1]] for u in block])
            scores[r, c] = -np.inf
        out[start : start + len(block)] = top_sorted(scores, k)
    return out, valid


def top_sorted(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores along the last axis, largest first (stable on ties)."""
    n = scores.shape[-1]
    if k < n:
        part = np.argpartition(-scores, k - 1, axis=-1)[..., :k]
    else:
        part = np.broadcast_to(np.arange(n), scores.shape).copy()
    part_scores = np.take_along_axis(scores, part, axis=-1)
    order = np.lexsort((part, -part_scores), axis=-1)
    return np.take_along_axis(part, order, axis=-1)
