"""A host's operations: request ids and structured logs (``request_ids``, ``logs``),
Prometheus metrics (``metrics`` holds them and is free of the web framework, so the domain
may count its cache hits; ``scrape`` serves them at ``/metrics``), and the error handler of
last resort (``last_resort``), and how ``interlocal serve`` runs uvicorn (``serving``, with
``connections`` limiting how long and how large a request's head may be).

Nothing is imported here, so that ``app.operations.metrics`` stays cheap to import."""
