"""Implicit-feedback ALS (Hu, Koren & Volinsky 2008) in plain numpy.

Each observed (user, item) pair has preference 1 and confidence ``1 + alpha * rating``;
unobserved pairs have preference 0 and confidence 1. Alternating exact least-squares solves,
batched per block of users/items.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class ALSParams:
    factors: int = 32
    regularization: float = 20.0
    alpha: float = 1.0
    iterations: int = 10
    seed: int = 7

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class Interactions:
    """User x item interactions as CSR (by user) and CSC (by item), dense 0-based indices."""

    n_users: int
    n_items: int
    user_indptr: np.ndarray
    user_items: np.ndarray
    user_conf: np.ndarray
    item_indptr: np.ndarray
    item_users: np.ndarray
    item_conf: np.ndarray

    @classmethod
    def build(
        cls, users: np.ndarray, items: np.ndarray, conf: np.ndarray, n_users: int, n_items: int
    ) -> Interactions:
        by_user = np.lexsort((items, users))
        by_item = np.lexsort((users, items))
        return cls(
            n_users=n_users,
            n_items=n_items,
            user_indptr=_indptr(users[by_user], n_users),
            user_items=items[by_user].astype(np.int32),
            user_conf=conf[by_user].astype(np.float64),
            item_indptr=_indptr(items[by_item], n_items),
            item_users=users[by_item].astype(np.int32),
            item_conf=conf[by_item].astype(np.float64),
        )


def _indptr(sorted_rows: np.ndarray, n_rows: int) -> np.ndarray:
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(sorted_rows, minlength=n_rows), out=indptr[1:])
    return indptr


def _solve_side(
    other: np.ndarray, indptr: np.ndarray, cols: np.ndarray, conf: np.ndarray, reg: float
) -> np.ndarray:
    n_rows, f = len(indptr) - 1, other.shape[1]
    gram = other.T @ other + reg * np.eye(f)
    out = np.zeros((n_rows, f))
    block = 1024
    for start in range(0, n_rows, block):
        stop = min(n_rows, start + block)
        lhs = np.broadcast_to(gram, (stop - start, f, f)).copy()
        rhs = np.zeros((stop - start, f))
        for r in range(start, stop):
            s, e = indptr[r], indptr[r + 1]
            if s == e:
                continue
            y = other[cols[s:e]]
            c = conf[s:e]
            lhs[r - start] += (y.T * (c - 1.0)) @ y
            rhs[r - start] = y.T @ c
        out[start:stop] = np.linalg.solve(lhs, rhs[..., None])[..., 0]
    return out


def train_als(data: Interactions, params: ALSParams) -> tuple[np.ndarray, np.ndarray]:
    """Return (user_factors, item_factors) as float32."""
    rng = np.random.default_rng(params.seed)
    scale = 1.0 / np.sqrt(params.factors)
    user_f = rng.normal(0, scale, (data.n_users, params.factors))
    item_f = rng.normal(0, scale, (data.n_items, params.factors))
    u_conf = 1.0 + params.alpha * data.user_conf
    i_conf = 1.0 + params.alpha * data.item_conf
    for _ in range(params.iterations):
        user_f = _solve_side(
            item_f, data.user_indptr, data.user_items, u_conf, params.regularization
        )
        item_f = _solve_side(
            user_f, data.item_indptr, data.item_users, i_conf, params.regularization
        )
    return user_f.astype(np.float32), item_f.astype(np.float32)
