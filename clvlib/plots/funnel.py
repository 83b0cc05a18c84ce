"""Pictures of step II: the sales funnel, abandoned carts, time to the second purchase,
campaigns and message fatigue."""

from __future__ import annotations

__all__: list[str] = []
