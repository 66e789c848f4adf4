"""Tracking codes never reach a log: uvicorn's access log writes request lines without them.

A citizen's tracking code is the only key to their letter, and `/mailbox/track?number=…&code=…`
(kept for links in old notices) would otherwise put it in every access log and log archive.
"""

from __future__ import annotations

import logging
import re

SECRET_PARAMS = re.compile(r"([?&](?:code|tracking_code)=)[^&#\s\"]*", re.IGNORECASE)
HIDDEN = r"\1[hidden]"


class HideCodes(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = SECRET_PARAMS.sub(HIDDEN, record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                SECRET_PARAMS.sub(HIDDEN, arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def install() -> None:
    """Adds the filter to uvicorn's access log, once per process."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideCodes) for f in access.filters):
        access.addFilter(HideCodes())
