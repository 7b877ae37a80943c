"""Version of this distribution (read by hatchling and the release workflow)."""

__version__ = "0.1.0.dev0"
