"""What only HTTP needs: the error handler, middleware, dependencies and page parameters."""
