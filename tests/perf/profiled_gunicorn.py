"""gunicorn settings for a profiled server (``cpu_bench --profile``): the checkout's own settings, plus a
sampling profiler in the worker. Every 2 ms of the process's CPU time (``ITIMER_PROF``) the stack that was
running is counted, whichever greenlet or thread it belongs to; at exit the counts go to
``$HALL_PROFILE_OUT.<pid>`` as collapsed stacks ("frame;frame;frame count" lines, for flamegraph.pl),
and ``python -m tests.perf.profiled_gunicorn FILE...`` prints the costliest functions and packages."""

import os
import sys

_settings = os.path.join(os.getcwd(), "deploy", "gunicorn.conf.py")
with open(_settings) as _file:
    exec(compile(_file.read(), _settings, "exec"))  # noqa: S102 (the checkout's own settings file)

_checkout_post_worker_init = post_worker_init  # noqa: F821 (defined by the settings above)
INTERVAL = 0.002


def _label(code) -> str:
    path = code.co_filename
    for marker in ("site-packages/", "/server/", "/layout/"):
        if marker in path:
            path = marker.strip("/").replace("site-packages", "") + path.split(marker, 1)[1]
            break
    return f"{code.co_name} ({path.lstrip('/')}:{code.co_firstlineno})"


def post_worker_init(worker) -> None:  # noqa: F811
    import atexit
    import collections
    import signal

    _checkout_post_worker_init(worker)
    counts: collections.Counter = collections.Counter()

    def sample(_signal, frame) -> None:
        stack = []
        while frame is not None:
            stack.append(_label(frame.f_code))
            frame = frame.f_back
        counts[";".join(reversed(stack))] += 1

    def dump() -> None:
        signal.setitimer(signal.ITIMER_PROF, 0)
        with open(f"{os.environ['HALL_PROFILE_OUT']}.{os.getpid()}", "w") as out:
            for stack, count in counts.most_common():
                out.write(f"{stack} {count}\n")

    signal.signal(signal.SIGPROF, sample)
    signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)
    atexit.register(dump)
    _dumps.append(dump)


_dumps: list = []


def worker_exit(server, worker) -> None:
    for dump in _dumps:
        dump()


def report(paths: list[str], top: int = 40) -> None:
    """Self and inclusive sample counts per function, and self counts per package."""
    import collections

    own, inclusive, packages = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for path in paths:
        with open(path) as lines:
            for line in lines:
                stack, _, count = line.rstrip("\n").rpartition(" ")
                frames, count = stack.split(";"), int(count)
                total += count
                own[frames[-1]] += count
                for frame in set(frames):
                    inclusive[frame] += count
                leaf = frames[-1].rsplit("(", 1)[-1]
                packages[leaf.split("/", 1)[0] if "/" in leaf else leaf.split(":")[0]] += count
    print(f"{total} samples")
    print("self % by package:")
    for name, count in packages.most_common(15):
        print(f"  {100 * count / total:5.1f}  {name}")
    print("inclusive % by function:")
    for name, count in inclusive.most_common(top):
        print(f"  {100 * count / total:5.1f}  {name}")
    print("self % by function:")
    for name, count in own.most_common(top):
        print(f"  {100 * count / total:5.1f}  {name}")


if __name__ == "__main__":
    report(sys.argv[1:])
