"""The package version, read by the build ([tool.hatch.version] in pyproject.toml)."""

__version__ = "0.1.0"
