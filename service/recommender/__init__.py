"""berth recommender: implicit-feedback collaborative filtering and its HTTP service."""

__version__ = "1.0.0"
