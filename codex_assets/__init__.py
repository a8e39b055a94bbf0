"""codex-assets: the OpenAI Codex Analytics and Compliance APIs as Dagster assets over DuckDB."""

__version__ = "0.1.0"
