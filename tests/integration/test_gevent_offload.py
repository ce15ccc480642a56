"""Under gevent, CPU-heavy work (password hashing, ticket rendering) runs in the hub's threadpool: on
another OS thread, while the hub goes on serving every other greenlet."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support.live_server import ROOT

SCRIPT = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import gevent
    from server.cpu import run_cpu_bound, set_async_mode
    from kiosk.printing import ticket_bytes
    from kiosk.printing.sample import sample_ticket

    os_thread = monkey.get_original("_thread", "get_ident")
    hub_thread = os_thread()
    threads, ticks = set(), []

    def render():
        threads.add(os_thread())
        return ticket_bytes(sample_ticket(), 80, "image")

    def ticker():
        while True:
            ticks.append(1)
            gevent.sleep(0.001)

    set_async_mode("gevent")
    beat = gevent.spawn(ticker)
    gevent.sleep(0)
    before = len(ticks)
    data = [run_cpu_bound(render) for _ in range(5)]
    beat.kill()
    print(hub_thread in threads, len(threads) >= 1, len(ticks) - before, all(d.endswith(b"\\x1dV\\x00") for d in data))
""")


def test_cpu_bound_work_runs_off_the_hub_thread_while_greenlets_go_on():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    on_hub, ran, ticks, printed = result.stdout.split()
    assert (on_hub, ran, printed) == ("False", "True", "True"), result.stdout
    assert int(ticks) > 0, "the hub served no other greenlet while the tickets were rendered"
