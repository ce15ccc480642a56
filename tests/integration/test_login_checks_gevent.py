"""Under gevent, password checks run in a threadpool of their own whose threads run at a lowered priority:
off the hub thread, which keeps serving greenlets and keeps its own priority."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support.live_server import ROOT

SCRIPT = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import os, threading, gevent
    from werkzeug.security import check_password_hash, generate_password_hash
    from server.login_guard import LoginGuard

    guard = LoginGuard({"ASYNC_MODE": "gevent", "LOGIN_CHECKS_AT_ONCE": 1}, clock=lambda: 0.0)
    stored = generate_password_hash("a password", method="scrypt")
    hub, seen, ticks = threading.get_native_id(), [], []
    base = os.getpriority(os.PRIO_PROCESS, hub)

    def check(password):
        seen.append((threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
        return check_password_hash(stored, password)

    def ticker():
        while True:
            ticks.append(1)
            gevent.sleep(0.001)

    beat = gevent.spawn(ticker)
    gevent.sleep(0)
    with guard.password_check():
        results = [guard.run_check(check, "a password"), guard.run_check(check, "wrong")]
    beat.kill()
    print(results == [True, False], all(thread != hub for thread, _ in seen),
          all(nice == max(10, base) for _, nice in seen), os.getpriority(os.PRIO_PROCESS, hub) == base,
          len(ticks) > 0)
""")


def test_password_checks_run_off_the_hub_at_a_lower_priority_while_greenlets_go_on():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 5, result.stdout
