"""Pictures of step III: acquisition channels, CAC against CLV, payback and spend response."""

from __future__ import annotations

__all__: list[str] = []
