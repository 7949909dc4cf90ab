"""Swagger 2.0 documents made to cover every conversion rule, for the comparison with the
reference converter (test_swagger2_reference.py) and the converter's own tests."""

from __future__ import annotations

from typing import Any

from apidock.descriptions.loading import load_document

PETSTORE = """
swagger: "2.0"
info: {title: Pets, version: "1.0", x-audience: public}
host: pets.example.com
basePath: /v1/
schemes: [https, http]
consumes: [application/json]
produces: [application/json, application/xml]
tags: [{name: pets, description: Pets, externalDocs: {url: "https://example.com/pets"}}]
securityDefinitions:
  basic: {type: basic}
  key: {type: apiKey, name: X-Key, in: header}
  petstore_auth:
    {type: oauth2, flow: implicit, authorizationUrl: "https://example.com/auth",
     scopes: {"read:pets": read}}
security: [{key: []}]
parameters:
  PetBody: {name: pet, in: body, required: true, schema: {$ref: "#/definitions/Pet"}}
  OrderBody: {name: order, in: body, schema: {$ref: "#/definitions/Order"}}
  limit: {name: limit, in: query, type: integer, minimum: 1, maximum: 100,
          exclusiveMaximum: true, default: 20}
  petId: {name: petId, in: path, required: true, type: integer, format: int64}
responses:
  NotFound: {description: no such pet, schema: {$ref: "#/definitions/Error"}}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      parameters:
        - {$ref: "#/parameters/limit"}
        - {name: tags, in: query, type: array, items: {type: string}}
      responses:
        "200":
          description: pets
          schema: {type: array, items: {$ref: "#/definitions/Pet"}}
          headers: {X-Next: {type: array, items: {type: string}, description: next pages}}
          examples: {application/json: [{id: 1, name: Rex, petType: Dog}], text/plain: Rex}
    post:
      operationId: addPet
      parameters: [{$ref: "#/parameters/PetBody"}]
      responses: {"201": {description: added}}
      security: [{petstore_auth: ["read:pets"]}]
  /pets/{petId}:
    parameters: [{$ref: "#/parameters/petId"}]
    get:
      operationId: getPet
      responses:
        "200": {description: a pet, schema: {$ref: "#/definitions/Pet"}}
        "404": {$ref: "#/responses/NotFound"}
    put:
      operationId: updatePet
      parameters: [{$ref: "#/parameters/PetBody"}]
      responses: {"200": {description: updated}, default: {$ref: "#/responses/NotFound"}}
    post:
      operationId: updatePetWithForm
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {name: name, in: formData, type: string, required: true}
        - {name: status, in: formData, type: string, enum: [available, sold]}
      responses: {"405": {description: invalid input}}
  /pets/{petId}/image:
    post:
      operationId: uploadImage
      consumes: [multipart/form-data]
      produces: [application/json]
      parameters:
        - {$ref: "#/parameters/petId"}
        - {name: file, in: formData, type: file, required: true}
        - {name: note, in: formData, type: string}
      responses: {"200": {description: uploaded, schema: {$ref: "#/definitions/Error"}}}
  /orders:
    post:
      parameters: [{$ref: "#/parameters/OrderBody"}]
      responses: {"200": {description: placed}}
      x-internal: true
definitions:
  Pet:
    type: object
    required: [name, petType]
    discriminator: petType
    properties:
      id: {type: integer, format: int64, readOnly: true}
      name: {type: string}
      petType: {type: string}
      tag: {type: string, x-nullable: true}
  Dog: {allOf: [{$ref: "#/definitions/Pet"}, {type: object, properties: {bark: {type: boolean}}}]}
  Order: {type: object, properties: {quantity: {type: integer, minimum: 0, exclusiveMinimum: true}}}
  Error: {type: object, properties: {code: {type: integer}, message: {type: string}}}
"""

FLOWS = """
swagger: "2.0"
info: {title: Flows, version: "2"}
host: auth.example.com
securityDefinitions:
  implicit auth: {type: oauth2, flow: implicit, authorizationUrl: "https://example.com/authorize",
                  scopes: {read: Read}}
  password: {type: oauth2, flow: password, tokenUrl: "https://example.com/token", scopes: {}}
  app: {type: oauth2, flow: application, tokenUrl: "https://example.com/token",
        scopes: {admin: Admin}}
  code: {type: oauth2, flow: accessCode, authorizationUrl: "https://example.com/authorize",
         tokenUrl: "https://example.com/token", scopes: {read: Read}}
  query_key: {type: apiKey, name: key, in: query}
security: [{implicit auth: [read]}, {query_key: []}]
paths:
  /me:
    get:
      security: [{code: [read]}, {app: [admin]}, {password: []}]
      responses: {"200": {description: me}}
"""

COLLECTIONS = """
swagger: "2.0"
info: {title: Collections, version: "3"}
basePath: /api
paths:
  /search/{ids}:
    get:
      produces: []
      parameters:
        - {name: ids, in: path, required: true, type: array, items: {type: integer}}
        - {name: csv, in: query, type: array, items: {type: string}, collectionFormat: csv}
        - {name: ssv, in: query, type: array, items: {type: string}, collectionFormat: ssv}
        - {name: pipes, in: query, type: array, items: {type: string}, collectionFormat: pipes}
        - {name: multi, in: query, type: array, items: {type: string}, collectionFormat: multi}
        - {name: tsv, in: query, type: array, items: {type: string}, collectionFormat: tsv}
        - {name: X-Ids, in: header, type: array, items: {type: string}, collectionFormat: ssv}
        - {name: matrix, in: query, type: array,
           items: {type: array, items: {type: integer}, collectionFormat: pipes}}
      responses: {"200": {description: found, schema: {type: string}}}
  /forms:
    post:
      consumes: [multipart/form-data, application/x-www-form-urlencoded]
      schemes: [https]
      parameters:
        - {name: tags, in: formData, type: array, items: {type: string}, collectionFormat: csv}
        - {name: ids, in: formData, type: array, items: {type: integer}, collectionFormat: multi}
      responses: {"204": {description: done}}
    put:
      parameters: [{name: upload, in: formData, type: file}]
      responses: {"204": {description: done}}
"""

NAMES = """
swagger: "2.0"
info: {title: Names, version: "4"}
host: "{region}.example.com"
schemes: [https]
consumes: [application/json, application/xml]
parameters:
  page size: {name: pageSize, in: query, type: integer}
  Shared: {name: shared, in: body, schema: {$ref: "#/definitions/Foo Bar"}}
paths:
  /things:
    parameters: [{name: note, in: body, schema: {type: string}}]
    post:
      parameters: [{$ref: "#/parameters/page size"}]
      responses: {"200": {description: ok, schema: {$ref: "#/definitions/a~1b"}}}
    put:
      parameters: [{name: note, in: body, schema: {$ref: "#/definitions/Pet[]"}}]
      responses: {"200": {description: ok, schema: {$ref: "#/definitions/Foo%20Bar"}}}
  /shared/a:
    post: {parameters: [{$ref: "#/parameters/Shared"}], responses: {"200": {description: ok}}}
  /shared/b:
    post: {parameters: [{$ref: "#/parameters/Shared"}], responses: {"200": {description: ok}}}
definitions:
  Foo Bar:
    type: object
    properties:
      child: {$ref: "#/definitions/Foo Bar", x-nullable: true}
      when: {type: string, format: date-time, x-nullable: true}
  a/b: {type: array, items: [{type: string}, {type: integer}]}
  Pet[]: {type: array, items: {$ref: "#/definitions/Foo Bar"}}
  Limits: {type: number, maximum: 10, exclusiveMaximum: true, minimum: 0, exclusiveMinimum: false}
  Loose: {type: object, properties: {must: {type: string, required: true}}}
"""

AZURE = """
swagger: "2.0"
info: {title: Azure-like, version: "2020-01-01"}
schemes: [https]
x-ms-parameterized-host:
  hostTemplate: "{accountName}.blob.example.net"
  parameters: [{$ref: "#/parameters/AccountName"}]
parameters:
  AccountName: {name: accountName, in: path, required: true, type: string,
                x-ms-parameter-location: client}
  ApiVersion: {name: api-version, in: query, required: true, type: string}
paths:
  /containers:
    get:
      operationId: Containers_List
      parameters: [{$ref: "#/parameters/ApiVersion"}]
      responses: {"200": {description: ok, schema: {type: array, items: {type: string}}}}
x-ms-paths:
  /containers?restype=account:
    get:
      operationId: Account_Get
      parameters: [{$ref: "#/parameters/ApiVersion"}]
      responses: {"200": {description: ok, schema: {$ref: "#/definitions/Account"}}}
definitions:
  Account: {type: object, properties: {name: {type: string}}}
"""

MADE: dict[str, Any] = {
    name: load_document(text.encode(), media_type="application/yaml")
    for name, text in {
        "made/petstore": PETSTORE,
        "made/flows": FLOWS,
        "made/collections": COLLECTIONS,
        "made/names": NAMES,
        "made/azure": AZURE,
    }.items()
}
