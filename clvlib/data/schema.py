"""Canonical tables: the column names every step uses after ``client.yml`` has mapped the client's.

Types: ``id`` (text identifier), ``ts`` (timestamp), ``date``, ``money`` (currency amount),
``number``, ``text``, ``bool``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TableSpec:
    """Which canonical columns a table has, which are required, and their types."""

    name: str
    required: tuple[str, ...]
    types: dict[str, str] = field(default_factory=dict)
    # Alternatives: at least one group must be fully present (e.g. revenue, or unit_price+quantity).
    one_of: tuple[tuple[str, ...], ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.types)


TABLES: dict[str, TableSpec] = {
    "transactions": TableSpec(
        name="transactions",
        required=("customer_id", "order_ts"),
        one_of=(("revenue",), ("unit_price", "quantity")),
        types={
            "customer_id": "id",
            "order_id": "id",
            "order_ts": "ts",
            "revenue": "money",
            "unit_price": "money",
            "quantity": "number",
            "margin": "money",
            "channel": "text",
            "category": "text",
            "product_id": "id",
            "coupon_code": "text",
            "sales_rep": "text",
            "is_return": "bool",
        },
    ),
    "customers": TableSpec(
        name="customers",
        required=("customer_id",),
        types={
            "customer_id": "id",
            "acquired_at": "ts",
            "acquisition_channel": "text",
            "loyalty_member": "bool",
            "loyalty_joined_at": "ts",
            "sales_rep": "text",
            "region": "text",
        },
    ),
    "marketing_spend": TableSpec(
        name="marketing_spend",
        required=("period", "channel", "spend"),
        types={
            "period": "date",
            "channel": "text",
            "spend": "money",
            "impressions": "number",
            "clicks": "number",
        },
    ),
    "messages": TableSpec(
        name="messages",
        required=("customer_id", "sent_at", "channel"),
        types={
            "customer_id": "id",
            "sent_at": "ts",
            "channel": "text",
            "campaign": "text",
            "opened_at": "ts",
            "clicked_at": "ts",
            "unsubscribed_at": "ts",
            "order_id": "id",
        },
    ),
    "sessions": TableSpec(
        name="sessions",
        required=("session_id", "ts", "step"),
        types={
            "session_id": "id",
            "ts": "ts",
            "step": "text",
            "customer_id": "id",
            "source": "text",
        },
    ),
}
