"""What bench/runs_speed.py tests: an OpenAPI 3.1 document of an order service, the answers of
the target service for each of its operations, and the cases (the same requests for API Dock's
runner and for the plain httpx loop it is compared with).

Decisions:
- 16 operations over 8 resources (GET of one, GET of a page, POST, PUT, PATCH, DELETE), whose
  200/201 answers are `$ref`s into `components.schemas`: nested objects and arrays, `oneOf` with
  `const` discriminators, enums, patterns, bounds, nullable types, `additionalProperties`
  maps. A body is 0.2 to 6.6 KB (2.7 KB on average over the cases; a 204 has none), so
  parsing and validating it is real work, as in a real API.
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

JSON_TYPE = "application/json"
VARIANTS = 8

_MONEY = {
    "type": "object",
    "required": ["amount", "currency"],
    "properties": {
        "amount": {"type": "number", "minimum": 0},
        "currency": {"type": "string", "enum": ["EUR", "USD", "GBP", "JPY"]},
    },
    "additionalProperties": False,
}
_ADDRESS = {
    "type": "object",
    "required": ["line1", "city", "postcode", "country"],
    "properties": {
        "line1": {"type": "string", "minLength": 1, "maxLength": 200},
        "line2": {"type": ["string", "null"]},
        "city": {"type": "string"},
        "postcode": {"type": "string", "pattern": "^[0-9A-Z -]{3,10}$"},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "geo": {
            "type": "object",
            "properties": {
                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                "lon": {"type": "number", "minimum": -180, "maximum": 180},
            },
        },
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_REF = {name: _ref(name) for name in ("Money", "Address")}


def _page(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "total"],
        "properties": {
            "items": {"type": "array", "items": _ref(item), "maxItems": 100},
            "total": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"]},
        },
    }


SCHEMAS: dict[str, Any] = {
    "Money": _MONEY,
    "Address": _ADDRESS,
    "Customer": {
        "type": "object",
        "required": ["id", "name", "email", "addresses", "loyalty"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "addresses": {"type": "array", "items": _REF["Address"], "minItems": 1},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "createdAt": {"type": "string", "format": "date-time"},
            "loyalty": {
                "type": "object",
                "required": ["tier", "points"],
                "properties": {
                    "tier": {"enum": ["bronze", "silver", "gold"]},
                    "points": {"type": "integer", "minimum": 0},
                },
            },
        },
    },
    "Product": {
        "type": "object",
        "required": ["id", "sku", "name", "price"],
        "properties": {
            "id": {"type": "integer"},
            "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
            "name": {"type": "string"},
            "description": {"type": ["string", "null"]},
            "price": _REF["Money"],
            "dimensions": {
                "type": "object",
                "properties": {
                    "width": {"type": "number"},
                    "height": {"type": "number"},
                    "depth": {"type": "number"},
                    "unit": {"enum": ["cm", "in"]},
                },
            },
            "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
            "images": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["url"],
                    "properties": {"url": {"type": "string", "format": "uri"}, "alt": {}},
                },
            },
        },
    },
    "LineItem": {
        "type": "object",
        "required": ["product", "quantity", "unitPrice", "total"],
        "properties": {
            "product": _ref("Product"),
            "quantity": {"type": "integer", "minimum": 1, "maximum": 1000},
            "unitPrice": _REF["Money"],
            "total": _REF["Money"],
            "discounts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "amount"],
                    "properties": {"code": {"type": "string"}, "amount": _REF["Money"]},
                },
            },
        },
    },
    "Payment": {
        "oneOf": [
            {
                "type": "object",
                "required": ["kind", "last4", "brand"],
                "properties": {
                    "kind": {"const": "card"},
                    "last4": {"type": "string", "pattern": "^[0-9]{4}$"},
                    "brand": {"enum": ["visa", "mastercard", "amex"]},
                },
            },
            {
                "type": "object",
                "required": ["kind", "iban"],
                "properties": {
                    "kind": {"const": "transfer"},
                    "iban": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}$"},
                },
            },
        ]
    },
    "Order": {
        "type": "object",
        "required": ["id", "status", "customer", "items", "totals", "payment"],
        "properties": {
            "id": {"type": "integer"},
            "status": {"enum": ["pending", "paid", "shipped", "delivered", "cancelled"]},
            "customer": _ref("Customer"),
            "items": {"type": "array", "items": _ref("LineItem"), "minItems": 1},
            "shipping": _REF["Address"],
            "payment": _ref("Payment"),
            "totals": {
                "type": "object",
                "required": ["subtotal", "tax", "grand"],
                "properties": {
                    "subtotal": _REF["Money"],
                    "tax": _REF["Money"],
                    "shipping": _REF["Money"],
                    "grand": _REF["Money"],
                },
            },
            "notes": {"type": ["string", "null"]},
            "history": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["at", "status"],
                    "properties": {
                        "at": {"type": "string", "format": "date-time"},
                        "status": {"type": "string"},
                        "by": {"type": ["integer", "null"]},
                    },
                },
            },
        },
    },
    "Review": {
        "type": "object",
        "required": ["id", "rating", "author"],
        "properties": {
            "id": {"type": "integer"},
            "rating": {"type": "integer", "minimum": 1, "maximum": 5},
            "title": {"type": "string"},
            "body": {"type": "string", "maxLength": 5000},
            "author": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
        },
    },
    "Shipment": {
        "type": "object",
        "required": ["id", "order", "carrier", "events"],
        "properties": {
            "id": {"type": "string", "pattern": "^SHP[0-9]{6}$"},
            "order": {"type": "integer"},
            "carrier": {"enum": ["dhl", "ups", "fedex", "post"]},
            "to": _REF["Address"],
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["at", "where", "what"],
                    "properties": {
                        "at": {"type": "string", "format": "date-time"},
                        "where": {"type": "string"},
                        "what": {"type": "string"},
                    },
                },
            },
        },
    },
    "Stock": {
        "type": "object",
        "required": ["warehouse", "lines"],
        "properties": {
            "warehouse": {"type": "integer"},
            "lines": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["sku", "onHand", "reserved"],
                    "properties": {
                        "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
                        "onHand": {"type": "integer", "minimum": 0},
                        "reserved": {"type": "integer", "minimum": 0},
                        "bin": {"type": ["string", "null"]},
                    },
                },
            },
        },
    },
    "OrderPage": _page("Order"),
    "CustomerPage": _page("Customer"),
    "ProductPage": _page("Product"),
    "ReviewPage": _page("Review"),
}


@dataclass(frozen=True)
class Operation:
    """One documented operation: what it answers, and how its cases are made."""

    method: str
    template: str
    status: int
    schema: str | None  # the component of its answer; None: no content (204)
    parameter: str | None = None  # the path parameter, if any
    query: tuple[str, ...] = ()
    request_schema: str | None = None

    @property
    def operation_id(self) -> str:
        words = [w.strip("{}") for w in self.template.strip("/").split("/")]
        return self.method.lower() + "".join(w[:1].upper() + w[1:] for w in words)

    def path_for(self, value: str | None) -> str:
        if self.parameter is None or value is None:
            return self.template
        return self.template.replace("{" + self.parameter + "}", value)


OPERATIONS = (
    Operation("GET", "/orders/{orderId}", 200, "Order", "orderId"),
    Operation("GET", "/orders", 200, "OrderPage", query=("status", "limit")),
    Operation("POST", "/orders", 201, "Order", request_schema="Order"),
    Operation("PATCH", "/orders/{orderId}", 200, "Order", "orderId", request_schema="Order"),
    Operation("GET", "/customers/{customerId}", 200, "Customer", "customerId"),
    Operation("GET", "/customers", 200, "CustomerPage", query=("limit",)),
    Operation(
        "PUT", "/customers/{customerId}", 200, "Customer", "customerId", request_schema="Customer"
    ),
    Operation("GET", "/products/{productId}", 200, "Product", "productId"),
    Operation("GET", "/products", 200, "ProductPage", query=("q", "limit")),
    Operation("GET", "/products/{productId}/reviews", 200, "ReviewPage", "productId"),
    Operation("GET", "/shipments/{shipmentId}", 200, "Shipment", "shipmentId"),
    Operation("GET", "/warehouses/{warehouseId}/stock", 200, "Stock", "warehouseId"),
    Operation("DELETE", "/carts/{cartId}", 204, None, "cartId"),
    Operation("GET", "/invoices/{invoiceId}", 200, "Order", "invoiceId"),
    Operation("GET", "/customers/{customerId}/orders", 200, "OrderPage", "customerId"),
    Operation("POST", "/reviews", 201, "Review", request_schema="Review"),
)


def _parameter(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _operation_object(op: Operation) -> dict[str, Any]:
    parameters = [_parameter(op.parameter)] if op.parameter else []
    parameters += [{"name": name, "in": "query", "schema": {"type": "string"}} for name in op.query]
    response: dict[str, Any] = {"description": "The answer"}
    if op.schema is not None:
        response["content"] = {JSON_TYPE: {"schema": _ref(op.schema)}}
    found: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [op.template.strip("/").split("/")[0]],
        "responses": {str(op.status): response},
    }
    if parameters:
        found["parameters"] = parameters
    if op.request_schema:
        found["requestBody"] = {
            "required": True,
            "content": {JSON_TYPE: {"schema": _ref(op.request_schema)}},
        }
    return found


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document the app is imported from."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.template, {})[op.method.lower()] = _operation_object(op)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bench orders", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


# --- values, each valid for its schema ---------------------------------------------------


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
