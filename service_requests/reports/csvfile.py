"""CSV text shared by the exports (the SLA report, the request list).

A cell is written as text a spreadsheet shows as it is: empty for a missing value, an ISO
timestamp for a time, and a text starting with ``=``, ``+``, ``-`` or ``@`` gets a leading
apostrophe, so a title such as ``=HYPERLINK(...)`` is never run as a formula when the file is
opened (numbers are written as numbers: a negative one stays a number). A text stored before
text was checked may hold a lone surrogate, which UTF-8 cannot encode: it becomes ``?`` rather
than failing the whole file.
"""
import csv
import io
from datetime import datetime

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@")


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        if value.startswith(FORMULA_STARTS):
            value = "'" + value
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


class Lines:
    """Rows to CSV lines (``\\n`` ends), one at a time, so an export can be streamed."""

    def __init__(self):
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\n")

    def __call__(self, values):
        self._writer.writerow([cell(v) for v in values])
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text
