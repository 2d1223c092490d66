"""What an operator sees of the running service: metrics, logs and traces.

* :mod:`.record` -- what is known about the request in flight, in a context variable.
* :mod:`.middleware` -- times every request, writes its access log line, records its metrics.
* :mod:`.metrics` -- the Prometheus registry and the ``/metrics`` endpoint.
* :mod:`.logs` -- the one logging configuration: JSON lines or console lines.
* :mod:`.tracing` -- OpenTelemetry, optional: the provider, the ASGI and SQL instrumentation.

GraphQL's part (the operation's name and its error codes) is filled in by the schema extension
in ``graphql/observe.py``; its span by ``graphql/tracing.py``.
"""
