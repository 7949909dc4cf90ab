"""Importing API descriptions (OpenAPI 3.1/3.0, Swagger 2.0, Postman) into the catalog."""
