"""A network ESC/POS printer on 127.0.0.1 for tests: records every byte, answers status requests.

    with FakePrinter() as printer:                 # listens on a free port
        print_ticket(PrinterConfig(type="network", host="127.0.0.1", port=printer.port), ticket)
        printer.wait_for(b"\\x1dV\\x00", timeout=2)  # the cut arrived
        printer.mode = "paper_out"                 # from now on it reports an empty roll

Modes: "normal", "paper_low", "paper_out", "cover_open", "silent" (accepts connections and data,
never answers a status request) and "unreachable" (the port is closed). ``FakePrinter.closed_port()``
gives a port nobody listens on.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

DLE_EOT = b"\x10\x04"

# Replies to DLE EOT 1, 2, 4 (bits 1 and 4 are always set in a real reply).
_NORMAL = {1: 0x12, 2: 0x12, 4: 0x12}
_REPLIES: dict[str, dict[int, int]] = {
    "normal": _NORMAL,
    "paper_low": {**_NORMAL, 4: 0x12 | 0x0C},
    "paper_out": {1: 0x12 | 0x08, 2: 0x12 | 0x20, 4: 0x12 | 0x60},
    "cover_open": {1: 0x12 | 0x08, 2: 0x12 | 0x04, 4: 0x12},
}
MODES = (*_REPLIES, "silent", "unreachable")
_POLL_S = 0.05  # how often idle server threads look at the stop flag


class FakePrinter:
    def __init__(self, mode: str = "normal", host: str = "127.0.0.1", port: int = 0) -> None:
        self._check_mode(mode)
        self._mode = mode
        self._host = host
        self._port = port
        self._data = bytearray()
        self._status_requests: list[int] = []
        self._connections = 0
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._clients: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    @staticmethod
    def _check_mode(mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown fake printer mode {mode!r}; choose one of {', '.join(MODES)}")

    @staticmethod
    def closed_port(host: str = "127.0.0.1") -> int:
        """A port that was free a moment ago and has nothing listening on it."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
            return probe.getsockname()[1]

    # lifecycle

    def __enter__(self) -> FakePrinter:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def start(self) -> None:
        self._stopping.clear()
        self._listen()

    def close(self) -> None:
        self._stopping.set()
        self._stop_listening()
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = [thread for thread in self._threads if thread.is_alive()]

    def _listen(self) -> None:
        if self._mode == "unreachable":
            if not self._port:  # reserve a port number so that .port means something
                self._port = self.closed_port(self._host)
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self._host, self._port))
        listener.listen(8)
        listener.settimeout(_POLL_S)
        self._port = listener.getsockname()[1]
        self._listener = listener
        self._accept_thread = self._spawn(self._accept_loop, listener)

    def _stop_listening(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accept loop at once
            listener.close()
        if self._accept_thread is not None:
            # Until the accept loop lets go of the socket the kernel may still queue connections.
            self._accept_thread.join(timeout=2)
            self._accept_thread = None
        with self._changed:
            clients, self._clients = self._clients, []
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()

    def _spawn(self, target: Callable[..., None], *args: object) -> threading.Thread:
        thread = threading.Thread(target=target, args=args, daemon=True, name="fake-printer")
        self._threads.append(thread)
        thread.start()
        return thread

    # what tests look at

    @property
    def port(self) -> int:
        return self._port

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        self._check_mode(mode)
        was_unreachable = self._mode == "unreachable"
        self._mode = mode
        if mode == "unreachable" and not was_unreachable:
            self._stop_listening()
        elif was_unreachable and mode != "unreachable" and not self._stopping.is_set():
            self._listen()

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        with self._changed:
            return self._connections

    def received(self) -> bytes:
        """Every byte received so far, over all connections, in arrival order."""
        with self._changed:
            return bytes(self._data)

    def status_requests(self) -> list[int]:
        """The n of every DLE EOT n received, in order."""
        with self._changed:
            return list(self._status_requests)

    def clear(self) -> None:
        with self._changed:
            self._data.clear()
            self._status_requests.clear()

    def wait_for(self, expected: bytes | Callable[[bytes], bool], timeout: float = 5.0) -> bytes:
        """Wait until the received bytes contain ``expected`` (or satisfy it, if it is a predicate);
        return them. Raises ``TimeoutError`` saying what did arrive."""
        matches = expected if callable(expected) else (lambda data: expected in data)
        deadline = time.monotonic() + timeout
        with self._changed:
            while not matches(bytes(self._data)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"fake printer did not receive {expected!r} within {timeout}s; "
                        f"got {len(self._data)} bytes ending {bytes(self._data[-40:])!r}"
                    )
                self._changed.wait(remaining)
            return bytes(self._data)

    # the server side

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stopping.is_set() and self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # listener closed
            client.settimeout(_POLL_S)
            with self._changed:
                self._connections += 1
                self._clients.append(client)
            self._spawn(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        pending = b""  # the tail of the stream that may be the start of a DLE EOT n
        with client:
            while not self._stopping.is_set():
                try:
                    chunk = client.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                with self._changed:
                    self._data.extend(chunk)
                    self._changed.notify_all()
                pending = self._answer_status_requests(client, pending + chunk)

    def _answer_status_requests(self, client: socket.socket, stream: bytes) -> bytes:
        start = 0
        while (found := stream.find(DLE_EOT, start)) != -1:
            if found + 2 >= len(stream):
                return stream[found:]  # the n byte has not arrived yet
            kind = stream[found + 2]
            with self._changed:
                self._status_requests.append(kind)
                self._changed.notify_all()
            reply = _REPLIES.get(self._mode, {}).get(kind)
            if reply is not None:
                with contextlib.suppress(OSError):  # the client may leave without waiting for the answer
                    client.sendall(bytes([reply]))
            start = found + 3
        return stream[-1:] if stream.endswith(DLE_EOT[:1]) else b""
