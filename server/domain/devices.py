"""The words of the hall's devices, shared by the server, the kiosk and every page that shows them: a
kiosk printer's states and a print job's statuses."""

from __future__ import annotations

from typing import Literal

PrinterStateName = Literal["online", "offline", "paper_out", "paper_low", "cover_open", "unknown"]
PRINTER_STATES: tuple[str, ...] = ("online", "offline", "paper_out", "paper_low", "cover_open", "unknown")
# A ticket sent in these states would not come out. "paper_low" still prints, and "unknown" (a
# reply that is not ESC/POS status) gets the benefit of the doubt rather than blocking the kiosk.
CANNOT_PRINT: frozenset[str] = frozenset({"offline", "paper_out", "cover_open"})

PRINT_JOB_STATUSES: tuple[str, ...] = ("pending", "sent", "printed", "failed")
OPEN_PRINT_JOBS: tuple[str, ...] = ("pending", "sent")  # not yet printed nor failed
