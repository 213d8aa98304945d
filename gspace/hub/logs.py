"""The hub's logs never hold a secret: an invite's secret is the path of its link
(`/v/<secret>`, `/v/<secret>/join`), and uvicorn's access log writes every request's path, so
anyone who can read the log could join as a volunteer. `log_config()` is uvicorn's own logging
configuration with a filter on both of its handlers that rewrites those paths to `/v/***`
(and any `token=` in a query string, which no route takes today, to `token=***`).

It is a logging configuration rather than a filter added in this process because `hub serve
--workers N` runs each worker in a new process, which configures its logging from the
configuration it is given.
"""

from __future__ import annotations

import copy
import logging
import re

MASK = "***"
_INVITE = re.compile(r"/v/(?!assets/)[^/?#\s\"]+")
_TOKEN = re.compile(r"((?:access_)?token=)[^&#\s\"]+", re.IGNORECASE)


def scrub(text: str) -> str:
    """`text` without invite secrets in `/v/…` paths nor `token=` values."""
    return _TOKEN.sub(r"\1" + MASK, _INVITE.sub("/v/" + MASK, text))


class SecretFilter(logging.Filter):
    """Rewrites the secrets in a record's message and arguments (uvicorn's access formatter
    reads the path from the arguments); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: scrub(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def log_config() -> dict:
    """uvicorn's default logging configuration, each handler filtered by SecretFilter."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["secrets"] = {"()": f"{__name__}.SecretFilter"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("secrets")
    return config
