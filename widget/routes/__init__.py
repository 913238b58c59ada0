"""HTTP endpoints, one module per resource. Endpoints do I/O; building is elsewhere."""
