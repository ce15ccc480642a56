"""Reading DLE EOT 1, 2, 4 replies into one printer state."""

from __future__ import annotations

import pytest
from escpos.printer import Dummy

from kiosk.printing import query_status


class ScriptedPrinter(Dummy):
    """Answers each status request with the next scripted reply (bytes, or an exception to raise)."""

    def __init__(self, *replies: bytes | Exception) -> None:
        super().__init__()
        self._replies = list(replies)

    def _read(self) -> bytes:
        reply = self._replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


@pytest.mark.parametrize(
    ("printer_status", "offline_cause", "paper_sensor", "state"),
    [
        (0x16, 0x12, 0x12, "online"),  # drawer-pin bit set: still online
        (0x12, 0x12, 0x1E, "paper_low"),
        (0x1A, 0x32, 0x72, "paper_out"),
        (0x12, 0x12, 0x72, "paper_out"),  # the roll sensor alone is enough
        (0x1A, 0x16, 0x12, "cover_open"),
        (0x1A, 0x52, 0x12, "offline"),  # error bit
        (0x1A, 0x12, 0x12, "offline"),
    ],
)
def test_status_replies_map_to_one_state(printer_status, offline_cause, paper_sensor, state):
    printer = ScriptedPrinter(bytes([printer_status]), bytes([offline_cause]), bytes([paper_sensor]))
    assert query_status(printer).state == state
    assert printer.output == b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"


def test_a_printer_that_does_not_answer_is_offline_and_is_not_asked_again():
    printer = ScriptedPrinter(TimeoutError("timed out"))
    state = query_status(printer)
    assert state.state == "offline"
    assert "no answer" in state.detail
    assert printer.output == b"\x10\x04\x01"


def test_a_closed_connection_or_a_broken_link_is_offline():
    assert query_status(ScriptedPrinter(b"")).state == "offline"
    assert query_status(ScriptedPrinter(ConnectionResetError("reset"))).state == "offline"


def test_a_reply_that_is_not_a_status_byte_is_unknown_not_guessed():
    state = query_status(ScriptedPrinter(b"\xff"))
    assert state.state == "unknown"
    assert "0xff" in state.detail


def test_the_state_records_when_it_was_checked_in_utc():
    state = query_status(ScriptedPrinter(b"\x12", b"\x12", b"\x12"))
    assert state.checked_at.utcoffset().total_seconds() == 0
