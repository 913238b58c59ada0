"""Structured logs: one JSON object per line on stderr, without client addresses by default.

``configure_logging`` applies the configuration at once (so start-up messages are
structured too) and returns it for ``uvicorn.run(log_config=...)``, which applies it
again when the server starts. Access-log lines (``--access-log``) become objects with
``method``, ``path``, ``status`` and ``http_version``; the client's address is left out
unless ``WIDGET_LOG_CLIENT_IP`` asks for it. The same goes for any other uvicorn record
that starts with the client's address (its WebSocket messages).
"""

from __future__ import annotations

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

# uvicorn puts the client's "host:port" first in these records' arguments.
_CLIENT_FIRST = '%s - "'
MAX_PATH = 2000


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON; drops the client address unless told not to."""

    def __init__(self, client_ip: bool = False) -> None:
        super().__init__()
        self.client_ip = client_ip

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object: time, level, logger, message (+ request fields)."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        args = record.args if isinstance(record.args, tuple) else ()
        client_first = (
            record.name.startswith("uvicorn")
            and isinstance(record.msg, str)
            and record.msg.startswith(_CLIENT_FIRST)
            and len(args) >= 1
        )
        if record.name == "uvicorn.access" and client_first and len(args) == 5:
            client, method, path, version, status = args
            target = str(path)[:MAX_PATH]
            entry["message"] = f"{method} {target} {status}"
            entry.update(method=method, path=target, status=status, http_version=version)
            if self.client_ip:
                entry["client"] = client
        elif client_first and not self.client_ip:
            entry["message"] = record.msg % ("-", *args[1:])
        else:
            entry["message"] = record.getMessage()
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_config(client_ip: bool = False, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: everything to stderr as JSON lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "client_ip": client_ip}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"handlers": ["stderr"], "level": level},
        # uvicorn's loggers carry no handlers of their own: they propagate to the root.
        "loggers": {
            name: {"handlers": [], "level": level, "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure_logging(client_ip: bool = False, level: str = "INFO") -> dict[str, Any]:
    """Apply ``log_config`` now and return it (pass it on as uvicorn's ``log_config``)."""
    config = log_config(client_ip, level)
    logging.config.dictConfig(config)
    return config
