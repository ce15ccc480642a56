"""The production entry point wires the hall at import and keeps what it built out of the collector's reach."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.live_server import device_tokens_file

ROOT = Path(__file__).resolve().parents[2]


def test_wsgi_entry_wires_the_hall_and_freezes_the_start_heap(tmp_path):
    database = f"sqlite:///{tmp_path / 'hall.db'}"
    tokens, _ = device_tokens_file(None, database, tmp_path)  # the example's k2 prints through an agent
    env = {**os.environ, "HALL_DATABASE_URL": database, "HALL_IGNORE_HOURS": "1",
           "HALL_DEVICE_TOKENS": str(tokens)}
    env.pop("HALL_REDIS_URL", None)
    script = ("import gc\n"
              "from server.wsgi import app\n"
              "print(app.extensions['yichuang.hall'].db.url.startswith('sqlite'), gc.get_freeze_count())\n"
              "gc.collect()\n"
              "print(len(gc.get_objects()))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    wired, frozen, in_reach = result.stdout.split()
    assert wired == "True"
    assert int(frozen) > 100_000  # the layout, mappers and libraries built at start
    assert int(in_reach) < int(frozen) // 10  # what a full collection still walks
