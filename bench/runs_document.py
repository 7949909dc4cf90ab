"""What bench/runs_speed.py tests: an OpenAPI 3.1 document of an order service
(bench/runs_cases.py has the target's answers and the cases).

Decisions:
- 16 operations over 8 resources (GET of one, GET of a page, POST, PUT, PATCH, DELETE), whose
  200/201 answers are `$ref`s into `components.schemas`: nested objects and arrays, `oneOf` with
  `const` discriminators, enums, patterns, bounds, nullable types, `additionalProperties`
  maps. A body is 0.2 to 6.6 KB (2.7 KB on average over the cases; a 204 has none), so
  parsing and validating it is real work, as in a real API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSON_TYPE = "application/json"

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
