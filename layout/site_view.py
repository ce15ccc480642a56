"""A site as read so far, with the helpers the checks share.

While a file has problems, the site may hold placeholders: INVALID for a value that could not be
read, ``None`` for a list entry that was not even a mapping. The checks look only at values of
the expected type and leave the rest to the problems already reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from layout.model import Site
from layout.problems import ProblemLog, path_of

Item = TypeVar("Item")


def entries(items: Iterable[Item | None] | None) -> Iterator[tuple[int, Item]]:
    """(index in the file, item) for every entry that could be read."""
    if not isinstance(items, tuple):
        return
    for index, item in enumerate(items):
        if item is not None:
            yield index, item


def ids_of(items: Iterable[Any] | None) -> set[str]:
    return {item.id for _index, item in entries(items) if isinstance(item.id, str)}


@dataclass
class SiteView:
    site: Site
    log: ProblemLog
    base: str  # "sites[0]" in the top file, "" in a file holding one site

    def add(self, *parts: str | int, message: str) -> None:
        self.log.add(path_of(self.base, *parts) or "(root)", message)

    @property
    def label(self) -> str:
        return f"site '{self.site.id}'" if isinstance(self.site.id, str) else "this site"
