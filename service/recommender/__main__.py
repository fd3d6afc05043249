"""Command line: ``python -m recommender {train,serve,generate} ...``."""

from __future__ import annotations

import argparse
import sys

from .serve import default_workers


def _train(args: argparse.Namespace) -> int:
    from .als import ALSParams
    from .data import load_ratings, synthetic_ratings
    from .train import train_model

    ratings = load_ratings(args.ratings) if args.ratings else synthetic_ratings(seed=args.seed)
    params = ALSParams(
        factors=args.factors,
        regularization=args.regularization,
        alpha=args.alpha,
        iterations=args.iterations,
    )
    print(f"training on {ratings.source}: {len(ratings)} interactions")
    train_model(ratings, args.out, params, evaluate=not args.no_eval)
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .data import synthetic_ratings, write_udata

    ratings = synthetic_ratings(seed=args.seed)
    write_udata(ratings, args.out)
    print(f"wrote {len(ratings)} ratings to {args.out} (u.data format)")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(
        args.model_dir,
        host=args.host,
        port=args.port,
        workers=args.workers,
        precompute=args.precompute,
        access_log=args.access_log,
    )


def main(argv: list[str] | None = None) -> int:
    from .als import ALSParams

    defaults = ALSParams()
    parser = argparse.ArgumentParser(prog="python -m recommender")
    sub = parser.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model directory")
    t.add_argument(
        "--ratings", help="MovieLens u.data / ratings.csv / ratings.dat (default: synthetic)"
    )
    t.add_argument("--out", default="trained_models", help="model directory to write")
    t.add_argument("--seed", type=int, default=42, help="synthetic data seed")
    t.add_argument("--factors", type=int, default=defaults.factors)
    t.add_argument("--regularization", type=float, default=defaults.regularization)
    t.add_argument("--alpha", type=float, default=defaults.alpha)
    t.add_argument("--iterations", type=int, default=defaults.iterations)
    t.add_argument("--no-eval", action="store_true", help="skip the holdout evaluation")
    t.set_defaults(func=_train)

    g = sub.add_parser("generate", help="write the synthetic ratings as u.data")
    g.add_argument("--out", default="u.data")
    g.add_argument("--seed", type=int, default=42)
    g.set_defaults(func=_generate)

    s = sub.add_parser("serve", help="serve a model directory over HTTP")
    s.add_argument("model_dir", help="model directory, e.g. trained_models/")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8082)
    s.add_argument("--workers", type=int, default=None, help=f"default: CPUs ({default_workers()})")
    s.add_argument("--precompute", choices=("auto", "always", "never"), default="auto")
    s.add_argument("--access-log", action="store_true", help="one JSON line per request")
    s.set_defaults(func=_serve)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
