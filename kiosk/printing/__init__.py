"""Ticket printing: the ticket layout, ESC/POS bytes, printers, their status, and a PNG preview."""

from kiosk.printing.escpos_render import render_ticket, ticket_bytes
from kiosk.printing.preview import FontNotFoundError, ticket_png
from kiosk.printing.printers import PrinterError, open_printer, print_ticket
from kiosk.printing.status import PrinterMonitor
from kiosk.printing.status_query import PrinterState, query_status
from kiosk.printing.ticket import Line, TicketPrint, ticket_lines

__all__ = [
    "FontNotFoundError",
    "Line",
    "PrinterError",
    "PrinterMonitor",
    "PrinterState",
    "TicketPrint",
    "open_printer",
    "print_ticket",
    "query_status",
    "render_ticket",
    "ticket_bytes",
    "ticket_lines",
    "ticket_png",
]
