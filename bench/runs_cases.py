"""The answers of bench/runs_speed.py's target service and its cases: values valid for the
schemas of bench/runs_document.py, and the requests both clients send.

Decisions:
- The target answers each operation with one of `VARIANTS` bodies (picked by the request's
  path), each valid for its schema: every case passes, and a run that reports a failure means
  the benchmark is broken, not the runner.
- Cases are spread evenly over the operations; each has its own path parameters (ids), query
  and, for writes, its own JSON body, and expects the documented status. No JSONPath
  assertions: the plain loop does the contract check (status, Content-Type, body schema) only,
  so both sides do the same work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from runs_document import OPERATIONS, Operation

VARIANTS = 8


def money(amount: float, n: int) -> dict[str, Any]:
    return {"amount": round(amount, 2), "currency": ("EUR", "USD", "GBP", "JPY")[n % 4]}


def address(n: int) -> dict[str, Any]:
    return {
        "line1": f"{n % 200 + 1} Harbour Street",
        "line2": None if n % 2 else f"Flat {n % 40 + 1}",
        "city": ("Lisbon", "Leeds", "Lyon", "Leipzig")[n % 4],
        "postcode": f"{10000 + n * 37 % 89999}",
        "country": ("PT", "GB", "FR", "DE")[n % 4],
        "geo": {"lat": 38.7 + n % 10 / 10, "lon": -9.1 + n % 7 / 10},
    }


def customer(n: int) -> dict[str, Any]:
    return {
        "id": n + 1,
        "name": f"Customer {n}",
        "email": f"customer{n}@example.com",
        "addresses": [address(n), address(n + 1)],
        "tags": [f"segment-{n % 5}", "newsletter", f"region-{n % 3}"],
        "createdAt": f"2024-0{n % 9 + 1}-1{n % 9}T10:2{n % 10}:00Z",
        "loyalty": {"tier": ("bronze", "silver", "gold")[n % 3], "points": n * 13 % 5000},
    }


def product(n: int) -> dict[str, Any]:
    return {
        "id": n + 1,
        "sku": f"{'ABCDEFGH'[n % 8]}KU-{1000 + n % 9000}",
        "name": f"Product {n}",
        "description": None if n % 3 == 0 else "A sturdy thing for everyday use, " * 2,
        "price": money(9.99 + n % 50, n),
        "dimensions": {"width": 10.5, "height": 4.0 + n % 5, "depth": 3.25, "unit": "cm"},
        "attributes": {"colour": ("red", "blue", "green")[n % 3], "material": "steel"},
        "images": [
            {"url": f"https://cdn.example.com/p/{n}/{i}.jpg", "alt": f"view {i}"} for i in range(2)
        ],
    }


def line_item(n: int) -> dict[str, Any]:
    quantity = n % 4 + 1
    return {
        "product": product(n),
        "quantity": quantity,
        "unitPrice": money(9.99 + n % 50, 0),
        "total": money((9.99 + n % 50) * quantity, 0),
        "discounts": [{"code": f"SAVE{n % 20}", "amount": money(1.5, 0)}] if n % 2 else [],
    }


def order(n: int, items: int = 4) -> dict[str, Any]:
    payment: dict[str, Any] = (
        {"kind": "card", "last4": f"{n * 7 % 10000:04d}", "brand": "visa"}
        if n % 2
        else {"kind": "transfer", "iban": f"PT50{n * 991 % 10**12:012d}ABCD"}
    )
    return {
        "id": n + 1,
        "status": ("pending", "paid", "shipped", "delivered", "cancelled")[n % 5],
        "customer": customer(n),
        "items": [line_item(n * 10 + i) for i in range(items)],
        "shipping": address(n + 2),
        "payment": payment,
        "totals": {
            "subtotal": money(100 + n % 70, 0),
            "tax": money(23 + n % 9, 0),
            "shipping": money(4.5, 0),
            "grand": money(127.5 + n % 79, 0),
        },
        "notes": None if n % 2 else "Leave at the door",
        "history": [
            {"at": f"2024-05-0{i + 1}T08:00:00Z", "status": s, "by": None if i else n}
            for i, s in enumerate(("pending", "paid", "shipped"))
        ],
    }


def review(n: int) -> dict[str, Any]:
    return {
        "id": n + 1,
        "rating": n % 5 + 1,
        "title": f"Review {n}",
        "body": "Works as described; arrived quickly and well packed. " * 3,
        "author": {"id": n * 3 + 1, "name": f"Reader {n}"},
    }


def shipment(n: int) -> dict[str, Any]:
    return {
        "id": f"SHP{100000 + n}",
        "order": n + 1,
        "carrier": ("dhl", "ups", "fedex", "post")[n % 4],
        "to": address(n),
        "events": [
            {"at": f"2024-06-{i + 10}T0{i}:15:00Z", "where": f"Hub {i}", "what": "scanned"}
            for i in range(8)
        ],
    }


def stock(n: int) -> dict[str, Any]:
    return {
        "warehouse": n + 1,
        "lines": [
            {
                "sku": f"{'ABCDEFGH'[i % 8]}KU-{1000 + i}",
                "onHand": i * 7 % 300,
                "reserved": i % 5,
                "bin": None if i % 4 == 0 else f"A-{i:03d}",
            }
            for i in range(40)
        ],
    }


def _page_of(items: list[dict[str, Any]], n: int) -> dict[str, Any]:
    return {"items": items, "total": 1000 + n, "next": f"/next?cursor={n + 1}"}


def body_for(schema: str, n: int) -> dict[str, Any]:
    """A value of component `schema`, variant `n`."""
    makers = {
        "Order": lambda: order(n),
        "Customer": lambda: customer(n),
        "Product": lambda: product(n),
        "Review": lambda: review(n),
        "Shipment": lambda: shipment(n),
        "Stock": lambda: stock(n),
        "OrderPage": lambda: _page_of([order(n + i, items=2) for i in range(3)], n),
        "CustomerPage": lambda: _page_of([customer(n + i) for i in range(10)], n),
        "ProductPage": lambda: _page_of([product(n + i) for i in range(10)], n),
        "ReviewPage": lambda: _page_of([review(n + i) for i in range(12)], n),
    }
    return makers[schema]()


def answers() -> dict[tuple[str, str], tuple[int, list[bytes]]]:
    """{(method, template): (status, the JSON bodies of its variants)} for the target."""
    found = {}
    for op in OPERATIONS:
        bodies = [
            json.dumps(body_for(op.schema, n), separators=(",", ":")).encode() if op.schema else b""
            for n in range(VARIANTS)
        ]
        found[(op.method, op.template)] = (op.status, bodies)
    return found


# --- cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSpec:
    """One case: the API it belongs to, its request as a case says it, what it expects."""

    number: int
    op: Operation
    path: dict[str, str]
    query: dict[str, str]
    body: dict[str, Any] | None

    @property
    def name(self) -> str:
        return f"case {self.number:04d} {self.op.method} {self.op.template}"

    def case_json(self) -> dict[str, Any]:
        """The body of POST /api/v1/apis/{id}/cases."""
        request: dict[str, Any] = {"path": self.path, "query": self.query, "headers": {}}
        if self.body is not None:
            request["body"] = self.body
        return {"name": self.name, "request": request, "expect": {"status": self.op.status}}

    def target(self) -> str:
        """The path and query sent (as the runner builds them: ids are plain digits)."""
        path = self.op.path_for(self.path.get(self.op.parameter or ""))
        if self.query:
            path += "?" + "&".join(f"{name}={value}" for name, value in self.query.items())
        return path


def cases(count: int) -> list[CaseSpec]:
    """`count` cases, spread over the operations in turn."""
    found = []
    for number in range(count):
        op = OPERATIONS[number % len(OPERATIONS)]
        ident = str(number + 1)
        path = {op.parameter: ident} if op.parameter else {}
        query = {name: ("paid" if name == "status" else str(number % 50 + 1)) for name in op.query}
        if "q" in query:
            query["q"] = f"lamp{number % 9}"
        body = body_for(op.request_schema, number) if op.request_schema else None
        found.append(CaseSpec(number + 1, op, path, query, body))
    return found


def variant_of(path: str) -> int:
    """Which variant the target answers for `path` (its digits, else its length)."""
    digits = "".join(ch for ch in path if ch.isdigit())
    return (int(digits[-6:]) if digits else len(path)) % VARIANTS
