"""Server CPU per hall operation: one client issues, calls and finishes a fixed number of times in a row,
and the server processes' CPU time (user + system, from /proc) before and after is divided by the number
of operations. Not a timed test: the figure is CPU-seconds per operation, which holds up fairly well on a
shared machine, where latency percentiles do not.

Each configuration runs in fresh server processes: embedded-gevent (SQLite, one gevent process: what
``make run`` serves) and production (PostgreSQL, Redis, two gevent processes; the client talks to the
first, the screens are spread over both, so every event also crosses Redis), each with 0 and with 50
lobby screens subscribed (plain WebSocket clients in processes of their own).

``--baseline PATH`` runs the same measurement against the server code of another checkout (its
``server/`` and layout, started from that folder with this interpreter) in the same run, and prints both
side by side.

    python -m tests.perf.cpu_bench [--baseline /path/to/other/checkout] [--operations 1200]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.perf import load
from tests.perf.bench import LAYOUT, POSTGRES_ADMIN_URL, SITE, cpu_seconds, load_average, machine, resident_mb
from tests.support.live_server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("HALL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
WINDOW = "w1"
SERVICE = "s1-1"  # a service of queue q1, which window w1 serves (big_hall.yaml)
TARGET_WITH_SCREENS_MS = 2.5
TARGET_WITHOUT_SCREENS_MS = 1.5


@dataclass(frozen=True)
class Config:
    mode: str  # embedded-gevent | production
    screens: int


class TreeServer(LiveServer):
    """A LiveServer that starts the server code of another checkout (``root``)."""

    def __init__(self, root: Path, *args, profile: Path | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.root = root
        self.env["PYTHONPATH"] = str(root)
        self.settings = self.root / "deploy" / "gunicorn.conf.py"
        if profile is not None:
            self.settings = Path(__file__).resolve().parent / "profiled_gunicorn.py"
            self.env["HALL_PROFILE_OUT"] = str(profile)

    def start(self, timeout: float = 60) -> TreeServer:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 (closed below)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(self.settings),
             "--workers", "1", "--bind", f"127.0.0.1:{self.port}", "server.wsgi:app"],
            cwd=self.root, env=self.env, stdout=log, stderr=log, start_new_session=True)
        if log is not subprocess.DEVNULL:
            log.close()
        from tests.support.live_server import wait_until
        wait_until(self._healthy, timeout, 0.1, f"server on {self.url}")
        return self

    def add_user(self, username: str, password: str, role: str = "clerk") -> None:
        subprocess.run([sys.executable, "-m", "flask", "--app", "server", "user", "add", username, "--role", role],
                       input=f"{password}\n", text=True, cwd=self.root, env=self.env, check=True,
                       capture_output=True)


def worker_pids(server: LiveServer) -> list[int]:
    master = server.process.pid
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def _database(name: str, create: bool) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        if create:
            connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def measure(root: Path, config: Config, operations: int, warmup: int, profile: str | None = None) -> dict:
    """Start the servers of ``root``, subscribe the screens, run the operations; CPU ms per operation."""
    folder = Path(tempfile.mkdtemp(prefix=f"cpu-{config.mode}-{config.screens}-"))
    env = {"HALL_ASYNC_MODE": "gevent", "HALL_LOG_LEVEL": "warning"}
    # A database of its own per run: other benchmarks may share this PostgreSQL, and the hall's Redis
    # channels are named after its database.
    database = f"yichuang_cpu_{os.getpid()}"
    if config.mode == "production":
        database_url = _database(database, create=True)
        env["HALL_REDIS_URL"] = REDIS_URL
        processes = 2
    else:
        database_url = f"sqlite:///{folder / 'hall.db'}"
        processes = 1
    servers = [TreeServer(root, database_url, layout=str(LAYOUT), extra_env=env,
                          log_path=folder / f"server-{index}.log",
                          profile=Path(f"{profile}-{index}") if profile else None) for index in range(processes)]
    context = multiprocessing.get_context("spawn")
    screens = []
    session = requests.Session()
    try:
        for server in servers:
            server.start()
        urls = [server.url for server in servers]
        servers[0].add_user("cpu-clerk", "cpu-clerk-password")
        headers = servers[0].login("cpu-clerk", "cpu-clerk-password")
        stop, ready, results = context.Event(), context.Queue(), context.Queue()
        per_process = 10
        names = ["lobby"] * config.screens
        for start in range(0, config.screens, per_process):
            process = context.Process(target=load.display_worker, daemon=True,
                                      args=(load.Share(urls, SITE, names[start:start + per_process], config.screens),
                                            ready, stop, results))
            process.start()
            screens.append(process)
        connected = sum(ready.get(timeout=120) for _ in screens)
        base = f"{urls[0]}/api/v1/sites/{SITE}"
        session.post(f"{base}/windows/{WINDOW}/open", headers=headers, timeout=10).raise_for_status()

        def cycle() -> None:
            session.post(f"{base}/tickets", json={"service": SERVICE}, timeout=10).raise_for_status()
            called = session.post(f"{base}/windows/{WINDOW}/call-next", headers=headers, timeout=10)
            if called.status_code != 200:
                raise RuntimeError(f"call-next answered {called.status_code}: {called.text}")
            session.post(f"{base}/windows/{WINDOW}/finish", json={"outcome": "handled"}, headers=headers,
                         timeout=10).raise_for_status()

        for _ in range(max(1, warmup // 3)):
            cycle()
        pids = [pid for server in servers for pid in worker_pids(server)]
        cycles = max(1, operations // 3)
        time.sleep(0.5)  # let the warm-up's fan-out finish before the first reading
        before = sum(cpu_seconds(pid) for pid in pids)
        started = time.monotonic()
        for _ in range(cycles):
            cycle()
        time.sleep(0.5)  # the last events reach the other process and the screens
        after = sum(cpu_seconds(pid) for pid in pids)
        wall = time.monotonic() - started - 0.5
        stop.set()
        outputs = [results.get(timeout=60) for _ in screens]
        arrivals = [len(arrival) for output in outputs for arrival in output["arrivals"]]
        return {"cpu_ms": 1000 * (after - before) / (3 * cycles), "operations": 3 * cycles,
                "wall_ms": 1000 * wall / (3 * cycles), "screens": connected,
                "calls_seen_min": min(arrivals, default=None), "calls": cycles + max(1, warmup // 3),
                "rss_mb": max(resident_mb(pid) for pid in pids)}
    finally:
        session.close()  # an open keep-alive connection holds a stopping worker for its graceful timeout
        for process in screens:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        for server in servers:
            server.stop()
        if config.mode == "production":
            _database(database, create=False)


def revision(root: Path) -> str:
    try:
        return subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def run(args) -> list[dict]:
    trees = [("after", ROOT)] + ([("before", args.baseline.resolve())] if args.baseline else [])
    configs = [Config(mode, screens) for mode in args.modes.split(",") for screens in args.screens]
    rows = []
    for config in configs:
        row = {"mode": config.mode, "screens": config.screens}
        for label, root in trees:
            load_before = load_average()
            profile = None
            if args.profile:
                profile = str(args.profile / f"{config.mode}-{config.screens}-{label}")
            figures = measure(root, config, args.operations, args.warmup, profile)
            row[label] = figures
            print(f"  {config.mode}, {config.screens} screens, {label} ({revision(root)}): "
                  f"{figures['cpu_ms']:.2f} ms CPU/op over {figures['operations']} operations, "
                  f"{figures['wall_ms']:.1f} ms/op wall, RSS {figures['rss_mb']:.0f} MB, "
                  f"load {load_before} → {load_average()}", flush=True)
        rows.append(row)
    return rows


def target_ms(screens: int) -> float:
    return TARGET_WITH_SCREENS_MS if screens else TARGET_WITHOUT_SCREENS_MS


def table(rows: list[dict], baseline: bool) -> str:
    if baseline:
        header = "| mode | screens | before CPU ms/op | after CPU ms/op | after / before | target | met |"
    else:
        header = "| mode | screens | CPU ms/op | target | met |"
    lines = [header, "|---" * (header.count("|") - 1) + "|"]
    for row in rows:
        after = row["after"]["cpu_ms"]
        target = target_ms(row["screens"])
        verdict = "yes" if after <= target else "NO"
        if baseline:
            before = row["before"]["cpu_ms"]
            lines.append(f"| {row['mode']} | {row['screens']} | {before:.2f} | {after:.2f} | {after / before:.2f} "
                         f"| ≤ {target:g} | {verdict} |")
        else:
            lines.append(f"| {row['mode']} | {row['screens']} | {after:.2f} | ≤ {target:g} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modes", default="embedded-gevent,production")
    parser.add_argument("--screens", default="0,50", help="comma-separated screen counts, a server start each")
    parser.add_argument("--operations", type=int, default=1200, help="issue + call + finish, in a row")
    parser.add_argument("--warmup", type=int, default=90)
    parser.add_argument("--baseline", type=Path, help="another checkout whose server to measure in the same run")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--profile", type=Path, metavar="FOLDER",
                        help="sample the servers' stacks (tests/perf/profiled_gunicorn.py) into this folder; "
                             "the sampler costs CPU itself, so compare CPU figures only between unprofiled runs")
    args = parser.parse_args(argv)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    args.screens = [int(count) for count in args.screens.split(",") if count]
    if args.baseline and not (args.baseline / "server" / "wsgi.py").exists():
        parser.error(f"{args.baseline} holds no server/wsgi.py")
    print(f"server CPU per operation; machine: {machine()}; load average {load_average()}", flush=True)
    rows = run(args)
    print("\nServer CPU per operation (issue, call-next, finish; one client; all server processes):")
    print(table(rows, bool(args.baseline)))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
