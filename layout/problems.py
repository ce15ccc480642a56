"""What is wrong with a layout file, said so a hall manager can fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located by file and by the path of keys inside it (``windows[12].queues[1]``)."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


class LayoutError(Exception):
    """A layout was refused; ``problems`` holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class ProblemLog:
    """Collects problems for one file into a list shared by every file of the layout."""

    def __init__(self, file: str, sink: list[Problem]) -> None:
        self.file = file
        self.sink = sink

    def add(self, path: str, message: str) -> None:
        self.sink.append(Problem(self.file, path, message))

    def for_file(self, file: str) -> ProblemLog:
        return ProblemLog(file, self.sink)


def path_of(*parts: str | int) -> str:
    """Join keys and list indexes into a path: ``path_of("sites", 0, "windows")`` is ``sites[0].windows``.

    Empty parts are skipped so that a site read from an included file starts its paths at the site.
    """
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part:
            text = f"{text}.{part}" if text else part
    return text
