"""Real-looking OpenAPI 3.0 documents, as teams write them (YAML, `nullable`, boolean bounds,
`allOf` with `nullable`, multipart uploads, callbacks, links, form bodies, discriminators):
each converts to OpenAPI 3.1 that this validator and openapi-spec-validator both accept."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped, unused-ignore]
from openapi_spec_validator import OpenAPIV31SpecValidator

from apidock.descriptions.from_openapi30 import convert_openapi30
from apidock.descriptions.problems import Report
from apidock.descriptions.validation import validate_openapi31

PETS = r"""
openapi: 3.0.3
info:
  title: Pet shop
  version: 2.1.0
  description: Pets, their owners and their photos.
  license: {name: MIT}
servers:
- url: https://{region}.pets.example/v2
  variables: {region: {default: eu}}
tags: [{name: pets}, {name: owners}]
paths:
  /pets:
    get:
      tags: [pets]
      operationId: listPets
      parameters:
      - {$ref: '#/components/parameters/Limit'}
      - name: kind
        in: query
        schema: {type: string, enum: [cat, dog], nullable: true}
      responses:
        '200':
          description: A page of pets
          headers:
            X-Next: {schema: {type: string, nullable: true}}
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}
              example: [{id: 1, name: Rex, kind: dog, owner: null}]
        default: {$ref: '#/components/responses/Problem'}
    post:
      tags: [pets]
      operationId: createPet
      requestBody: {$ref: '#/components/requestBodies/NewPet'}
      responses:
        '201':
          description: Created
          links:
            self: {operationId: getPet, parameters: {id: $response.body#/id}}
        '422': {$ref: '#/components/responses/Problem'}
      security:
      - {oauth: ['pets:write']}
  /pets/{id}:
    parameters:
    - name: id
      in: path
      required: true
      schema:
        type: integer
        format: int64
        minimum: 0
        exclusiveMinimum: true
    get:
      operationId: getPet
      responses:
        '200':
          description: The pet
          content:
            application/json: {schema: {$ref: '#/components/schemas/Pet'}}
        '404': {$ref: '#/components/responses/Problem'}
    put:
      operationId: uploadPhoto
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                photo: {type: string, format: binary}
                caption: {type: string, nullable: true, maxLength: 140}
            encoding: {photo: {contentType: 'image/png, image/jpeg'}}
      responses: {'204': {description: Stored}}
      callbacks:
        resized:
          '{$request.query.callback}':
            post:
              requestBody:
                content:
                  application/json: {schema: {$ref: '#/components/schemas/Photo'}}
              responses: {'200': {description: Seen}}
components:
  schemas:
    Pet:
      type: object
      required: [id, name]
      discriminator: {propertyName: kind}
      properties:
        id: {type: integer, format: int64, readOnly: true}
        name: {type: string, example: Rex}
        kind: {type: string}
        weight:
          type: number
          minimum: 0
          exclusiveMinimum: true
          maximum: 200
        owner:
          allOf: [{$ref: '#/components/schemas/Owner'}]
          nullable: true
        photos: {type: array, items: {$ref: '#/components/schemas/Photo'}}
    NewPet:
      allOf:
      - {$ref: '#/components/schemas/Pet'}
      - type: object
        properties: {chip: {type: string, nullable: true}}
    Owner:
      type: object
      properties:
        email: {type: string, format: email}
        phone: {type: string, pattern: '^\+[0-9 ]+$', nullable: true}
    Photo:
      type: object
      properties:
        url: {type: string, format: uri}
        width: {type: integer}
    Problem:
      type: object
      properties: {title: {type: string}, status: {type: integer}}
  parameters:
    Limit:
      name: limit
      in: query
      schema: {type: integer, minimum: 1, maximum: 100, default: 20}
  requestBodies:
    NewPet:
      required: true
      content:
        application/json:
          schema: {$ref: '#/components/schemas/NewPet'}
          examples:
            rex: {summary: A dog, value: {name: Rex, kind: dog}}
  responses:
    Problem:
      description: Something went wrong
      content:
        application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://auth.pets.example/authorize
          tokenUrl: https://auth.pets.example/token
          scopes: {'pets:write': change pets}
"""

PATENTS = """
openapi: 3.0.1
info: {title: Patent search, version: 1.0.0}
servers: [{url: /api}]
paths:
  /datasets:
    get:
      operationId: listDatasets
      responses:
        '200':
          description: The datasets
          content:
            application/json:
              schema:
                type: object
                properties:
                  total: {type: integer}
                  apis:
                    type: array
                    items:
                      type: object
                      properties:
                        key: {type: string}
                        url: {type: string, nullable: true}
  /{dataset}/{version}/records:
    post:
      operationId: searchRecords
      parameters:
      - name: version
        in: path
        required: true
        schema: {type: string, default: v1}
      - name: dataset
        in: path
        required: true
        schema: {type: string}
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [criteria]
              properties:
                criteria: {type: string, default: '*:*'}
                start: {type: integer, minimum: 0, default: 0}
                rows:
                  type: integer
                  minimum: 1
                  maximum: 1000
                  exclusiveMaximum: false
                  default: 100
      responses:
        '200':
          description: Matching records
          content:
            application/json:
              schema:
                type: array
                items: {type: object, additionalProperties: {type: object}}
        '404': {description: No such dataset}
"""

PAYMENTS = """
openapi: 3.0.2
info: {title: Payments, version: '2024-01'}
servers: [{url: 'https://pay.example.com/v1'}]
security: [{apiKey: []}]
paths:
  /payments:
    post:
      operationId: createPayment
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Payment'}
      responses:
        '201':
          description: Created
          headers:
            Location: {$ref: '#/components/headers/Location'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Payment'}
          links:
            refund:
              operationId: refundPayment
              parameters: {id: '$response.body#/id'}
  /payments/{id}/refund:
    post:
      operationId: refundPayment
      parameters:
      - {name: id, in: path, required: true, schema: {type: string, format: uuid}}
      - {name: Idempotency-Key, in: header, schema: {type: string, maxLength: 64}}
      responses:
        '202': {description: Accepted}
        4XX: {$ref: '#/components/responses/Error'}
components:
  securitySchemes:
    apiKey: {type: apiKey, in: header, name: X-Api-Key}
  headers:
    Location: {description: Where the payment is, schema: {type: string, format: uri}}
  responses:
    Error:
      description: A client error
      content:
        application/json:
          schema:
            type: object
            properties:
              code: {type: string}
              detail: {type: string, nullable: true}
  schemas:
    Payment:
      type: object
      required: [amount, method]
      properties:
        id: {type: string, format: uuid, readOnly: true}
        amount: {type: integer, minimum: 0, exclusiveMinimum: true}
        currency: {type: string, enum: [EUR, USD], default: EUR}
        method:
          oneOf:
          - {$ref: '#/components/schemas/Card'}
          - {$ref: '#/components/schemas/Transfer'}
          discriminator:
            propertyName: kind
            mapping: {card: '#/components/schemas/Card', transfer: '#/components/schemas/Transfer'}
        refunded: {$ref: '#/components/schemas/Refund', nullable: true}
    Card:
      type: object
      required: [kind, last4]
      properties:
        kind: {type: string}
        last4: {type: string, pattern: '^[0-9]{4}$'}
    Transfer:
      type: object
      required: [kind, iban]
      properties:
        kind: {type: string}
        iban: {type: string, maxLength: 34}
    Refund:
      type: object
      properties:
        at: {type: string, format: date-time}
"""


def _load(text: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(textwrap.dedent(text))
    return document


class _Local(OpenAPIV31SpecValidator):
    resolver_handlers = {}  # noqa: RUF012 - no file, no URL: nothing to resolve outside


@pytest.mark.parametrize("text", [PETS, PATENTS, PAYMENTS], ids=["pets", "patents", "payments"])
def test_real_looking_3_0_documents_convert_to_valid_3_1(text: str) -> None:
    document = _load(text)
    report = Report()
    converted = convert_openapi30(document, report)
    assert converted["openapi"] == "3.1.0"
    assert validate_openapi31(converted) == []
    assert list(_Local(converted).iter_errors()) == []
    assert report.lost == []
    # Only the guesses are reported: `allOf`/`$ref` with nullable, enums gaining null.
    for problem in report.warnings:
        assert problem.pointer.endswith(("/nullable", "/enum")), problem
