"""CPU of framing one batched call frame for one screen, with and without ``permessage-deflate``.

simple-websocket (the server's WebSocket under gevent and threading) accepts the compression a browser asks
for, and Chromium always asks; the benchmark's screens (``websocket-client``) do not. This prints what the
compression adds per frame and screen, over wsproto, which does the framing for simple-websocket.

    python -m tests.perf.frame_bench [--frames 20000]
"""

from __future__ import annotations

import argparse
import json
import time

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage
from wsproto.extensions import PerMessageDeflate


def server_side(compressed: bool) -> WSConnection:
    """A server connection after the handshake, as simple-websocket answers it (it offers the extension)."""
    client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    server.receive_data(client.send(Request(host="hall", target="/socket.io/",
                                            extensions=[PerMessageDeflate()] if compressed else [])))
    for event in server.events():
        if isinstance(event, Request):
            client.receive_data(server.send(AcceptConnection(extensions=[PerMessageDeflate()])))
    list(client.events())
    return server


def call_frame(seq: int) -> str:
    """The Socket.IO text of a commit of call-next, as a batched subscriber receives it."""
    events = [
        {"kind": "called", "seq": seq, "payload": {
            "site": "big", "number": f"A{seq % 1000:03d}", "window": "w17", "window_name": "17号窗口", "queue": "q1",
            "text": f"请A{seq % 1000:03d}号到17号窗口办理", "at": "2026-12-01T19:00:00Z", "recall": False}},
        {"kind": "waiting", "seq": seq + 1, "payload": {"site": "big", "counts": {f"q{i}": i * 3 for i in range(10)}}},
        {"kind": "window", "seq": seq + 2, "payload": {"site": "big", "window": "w17", "state": "open",
                                                        "current": f"A{seq % 1000:03d}"}},
    ]
    return "42" + json.dumps(["events", {"seq": seq, "last": seq + 2, "events": events}], ensure_ascii=False)


def measure(compressed: bool, frames: int) -> tuple[float, int]:
    server = server_side(compressed)
    texts = [call_frame(1000 + 3 * index) for index in range(frames)]
    started = time.process_time()
    for text in texts:
        wire = server.send(TextMessage(data=text))
    return (time.process_time() - started) / frames * 1e6, len(wire)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20000)
    args = parser.parse_args()
    size = len(call_frame(1000).encode())
    print(f"WebSocket framing of a {size}-byte batched call frame, {args.frames} frames, one screen (wsproto):")
    for compressed in (False, True):
        micros, wire = measure(compressed, args.frames)
        print(f"  {'permessage-deflate' if compressed else 'plain':<18} {micros:5.1f} µs CPU per frame, "
              f"{wire} bytes on the wire (the last frame)")


if __name__ == "__main__":
    main()
