"""What people type to find an item: its name, or its pinyin in full or by initials (企业设立登记 →
"qiyeshelidengji", "qysldj"). One normalisation for the kiosk's search and the counter's transfer
picker; the browser treats what is typed the same way (NFKC, lower case, letters and digits only), so
"ＢＤＣ" typed in full width finds what "bdc" finds.

The pinyin comes from pypinyin with its phrase dictionary (common phrases read with their usual
pronunciation). That dictionary costs a process about 55 MB for as long as it lives, so a server never
imports it: the names of a page it has not seen are read in a short-lived child process
(``python -m server.search_keys``, names in and keys out as JSON), once per name and process. Where no child
can be started the keys are computed here, and the memory is spent."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

log = logging.getLogger(__name__)
_NOT_KEY = re.compile(r"[^a-z0-9]")
_CHECKOUT = str(Path(__file__).resolve().parents[1])
CHILD_TIMEOUT_SECONDS = 60
_MAX_KEPT = 20_000  # names kept per process; far more than any layout has


class SearchKeys(NamedTuple):
    initials: str
    full: str


def key_text(text: str) -> str:
    """``text`` as a search key: NFKC (full-width letters and digits become ASCII), lower case, and only
    the letters a-z and digits 0-9 kept."""
    return _NOT_KEY.sub("", unicodedata.normalize("NFKC", text).lower())


def _compute(names: Iterable[str]) -> dict[str, SearchKeys]:
    from pypinyin import Style, lazy_pinyin

    return {name: SearchKeys(key_text("".join(lazy_pinyin(name, style=Style.FIRST_LETTER))),
                             key_text("".join(lazy_pinyin(name, style=Style.NORMAL)))) for name in names}


def _in_child(names: list[str]) -> dict[str, SearchKeys]:
    done = subprocess.run([sys.executable, "-m", "server.search_keys"], input=json.dumps(names), text=True,
                          capture_output=True, timeout=CHILD_TIMEOUT_SECONDS, check=True, cwd=_CHECKOUT,
                          env={**os.environ, "PYTHONPATH": _CHECKOUT})
    found = json.loads(done.stdout)
    return {name: SearchKeys(*found[name]) for name in names}


_kept: dict[str, SearchKeys] = {}
_guard = threading.Lock()


def search_keys_of(names: Iterable[str]) -> dict[str, SearchKeys]:
    """Name → (initials, full pinyin), for every name given; the unseen ones read in one child process."""
    names = list(dict.fromkeys(names))
    with _guard:
        missing = [name for name in names if name not in _kept]
        if missing:
            try:
                found = _in_child(missing)
            except (OSError, ValueError, KeyError, TypeError, subprocess.SubprocessError) as error:
                log.warning("pinyin keys computed in the server process (no child process: %s)", error)
                found = _compute(missing)
            if len(_kept) + len(found) > _MAX_KEPT:
                _kept.clear()
            _kept.update(found)
        return {name: _kept.get(name) or _compute([name])[name] for name in names}


def pinyin_keys(name: str) -> SearchKeys:
    """(initials, full pinyin) of a name: 不动产登记 → ("bdcdj", "budongchandengji"); Latin letters and
    digits in the name are kept ("ETC 办理" → ("etcbl", "etcbanli"))."""
    return search_keys_of([name])[name]


def service_search_keys(services) -> dict[str, dict[str, str]]:
    """Service id → ``{"initials", "full"}``, for every service of a site."""
    services = list(services)
    keys = search_keys_of(service.name for service in services)
    return {service.id: keys[service.name]._asdict() for service in services}


def main() -> None:
    """The child: a JSON list of names on stdin, ``{name: [initials, full]}`` on stdout."""
    names = json.load(sys.stdin)
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise SystemExit("expected a JSON list of names")
    json.dump({name: list(keys) for name, keys in _compute(names).items()}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
