"""A Lightsail API test double validated against botocore's service model (see server.py)."""

from .server import LightsailDouble, model_errors, start

__all__ = ["LightsailDouble", "model_errors", "start"]
