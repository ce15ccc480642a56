"""A TCP forwarder to PostgreSQL that can turn into a black hole: it keeps accepting connections and
reading what is sent, but forwards nothing either way — what a server sees of a frozen database or of a
network that drops packets (no reset, no answer). ``mend()`` forwards new connections again."""

from __future__ import annotations

import contextlib
import socket
import threading

from tests.support.live_server import free_port


class BlackHoleLink:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.swallowing = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(128)
        threading.Thread(target=self._accept, daemon=True).start()

    def swallow(self) -> None:
        """From now on nothing passes, on old connections or new ones."""
        self.swallowing.set()

    def mend(self) -> None:
        """New connections are forwarded again; the swallowed ones are closed, as a thawed server's would
        have timed out by then."""
        with self._lock:
            swallowed, self._sockets = self._sockets, []
            self.swallowing.clear()
        for end in swallowed:
            _close(end)

    def close(self) -> None:
        _close(self._listener)
        self.mend()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._sockets.append(client)
                if self.swallowing.is_set():
                    threading.Thread(target=self._pump, args=(client, None), daemon=True).start()
                    continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets.append(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket | None) -> None:
        try:
            while data := source.recv(65536):
                if sink is not None and not self.swallowing.is_set():
                    sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            if sink is not None and not self.swallowing.is_set():
                _close(sink)


def _close(end: socket.socket) -> None:
    with contextlib.suppress(OSError):
        end.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        end.close()
