"""The Django platform: Match, Trust, Evaluate and Monitor (see docs/architecture.md)."""
