"""What the print agent remembers of the jobs it printed: the outcome of each of the last jobs (a job the
server sends again is answered, never printed twice) and which of them the server has not confirmed yet (sent
again after the next hello). With a file, kept across restarts: written to a new file renamed over the old
one, so a crash leaves one or the other. Thread-safe."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

log = logging.getLogger("kiosk.agent")
REMEMBERED_JOBS = 500  # outcomes kept to answer a job the server sends again after a lost ack


class Outcomes:
    def __init__(self, path: str | Path | None = None, keep: int = REMEMBERED_JOBS) -> None:
        self._path = Path(path) if path else None
        self._keep = keep
        self._outcomes: OrderedDict[int, dict] = OrderedDict()
        self._unconfirmed: set[int] = set()
        self._lock = threading.Lock()
        self._load()

    def of(self, job: int) -> dict | None:
        with self._lock:
            return self._outcomes.get(job)

    def printed(self, outcome: dict) -> None:
        """A job's outcome, to be confirmed by the server."""
        with self._lock:
            job = int(outcome["job"])
            self._outcomes[job] = outcome
            self._unconfirmed.add(job)
            while len(self._outcomes) > self._keep:
                old, _ = self._outcomes.popitem(last=False)
                self._unconfirmed.discard(old)
            self._save()

    def confirmed(self, job: int) -> None:
        with self._lock:
            if job in self._unconfirmed:
                self._unconfirmed.discard(job)
                self._save()

    def unconfirmed(self) -> list[dict]:
        with self._lock:
            return [outcome for job, outcome in self._outcomes.items() if job in self._unconfirmed]

    def _load(self) -> None:
        if self._path is None or not self._path.exists():
            return
        try:
            saved = json.loads(self._path.read_text(encoding="utf-8"))
            for entry in saved.get("outcomes", [])[-self._keep:]:
                outcome = entry["outcome"]
                self._outcomes[int(outcome["job"])] = outcome
                if not entry.get("confirmed"):
                    self._unconfirmed.add(int(outcome["job"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            log.error("the agent's state file %s is unreadable (%s): starting without it", self._path, error)

    def _save(self) -> None:  # under the lock
        if self._path is None:
            return
        entries = [{"outcome": outcome, "confirmed": job not in self._unconfirmed}
                   for job, outcome in self._outcomes.items()]
        partial = self._path.with_name(self._path.name + ".new")
        try:
            partial.write_text(json.dumps({"outcomes": entries}, ensure_ascii=False), encoding="utf-8")
            os.replace(partial, self._path)
        except OSError as error:
            log.error("could not write the agent's state file %s: %s", self._path, error)
