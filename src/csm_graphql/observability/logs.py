"""The one logging configuration: JSON lines in production, readable lines in development.

The code base logs through the standard library (``logging.getLogger``), and so do uvicorn,
SQLAlchemy and Alembic; structlog's ProcessorFormatter renders all of their records alike,
each with a timestamp, level, logger name and the id of the request that produced it (from
:data:`~csm_graphql.observability.record.current_request`), plus any ``extra`` fields (the
access log's method, path, status and duration).

``csm-graphql serve`` hands :func:`log_config` to uvicorn, which applies it in every worker
process.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from csm_graphql.observability.record import current_request


def add_request_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    record = current_request.get()
    if record is not None:
        event.setdefault("request_id", record.request_id)
    return event


def drop_color_message(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    # uvicorn passes a copy of its message with terminal colours as an extra field.
    event.pop("color_message", None)
    return event


def _json_fallback(value: object) -> object:
    # What structlog's own JSON renderer does with an object JSON has no form for.
    structlog_form = getattr(value, "__structlog__", None)
    return structlog_form() if callable(structlog_form) else repr(value)


def dumps_line(event: object, **_: Any) -> str:
    """One JSON line, by orjson: the access log writes one per request, and the standard
    library's encoder was most of that line's cost. What orjson cannot encode (an integer over
    64 bits) goes through the standard library as before."""
    try:
        return orjson.dumps(event, default=_json_fallback, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(event, default=_json_fallback)


def formatter(log_format: str = "json") -> structlog.stdlib.ProcessorFormatter:
    """A logging.Formatter for standard-library records (a factory for ``dictConfig``):
    ``json`` for machines, ``console`` for people."""
    shared: list[Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        drop_color_message,
        add_request_id,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: list[Processor]
    if log_format == "json":
        # A traceback becomes a field of its line: one event, one line, for the log shipper.
        renderer = [
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(serializer=dumps_line),
        ]
    else:
        renderer = [structlog.dev.ConsoleRenderer(colors=False)]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )


def log_config(
    log_format: str, level: int | str = "INFO", *, access_log: bool = True
) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: one handler on the root logger, which every
    logger (uvicorn's included) propagates to. uvicorn's own access log is left off: ours
    (``csm_graphql.access``) carries the request id and the duration."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": "csm_graphql.observability.logs.formatter",
                "log_format": log_format,
            }
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            # Alembic announces each of its plugins at INFO whenever migrations load.
            "alembic": {"level": "WARNING"},
            # Off: above INFO. On: whatever the root level lets through.
            "csm_graphql.access": {"level": "NOTSET" if access_log else "WARNING"},
        },
    }
