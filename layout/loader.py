"""Load a hall layout from YAML, refusing it whole when anything is wrong.

A layout file holds ``sites:``, a list whose entries are a site mapping or
``{include: relative/path.yaml}`` naming a file that holds one site mapping. Every problem of
every file is collected before giving up, so one run of ``flask layout check`` shows them all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from layout.model import Layout, Site
from layout.problems import LayoutError, Problem, ProblemLog, path_of
from layout.site_checks import check_site
from layout.typed_reader import INVALID, TypedReader, describe
from layout.yaml_source import YamlSyntaxError, read_yaml

__all__ = ["LayoutError", "Problem", "check_layout", "load_layout"]


def load_layout(path: str | Path) -> Layout:
    """The layout in ``path``; raises LayoutError listing every problem found, never a partial layout."""
    problems, layout = _read_layout(Path(path))
    if problems or layout is None:
        raise LayoutError(problems)
    return layout


def check_layout(path: str | Path) -> list[Problem]:
    """Every problem of the layout in ``path``; [] when it is valid."""
    problems, _layout = _read_layout(Path(path))
    return problems


def _read_document(path: Path, log: ProblemLog, missing_at: tuple[ProblemLog, str] | None = None) -> Any:
    """The parsed YAML of ``path``, or INVALID once the reason is reported.

    A file that cannot be opened is reported where it was named (``missing_at``) when it was included.
    """
    try:
        document = read_yaml(path)
    except OSError as error:
        where_log, where_path = missing_at or (log, "(file)")
        where_log.add(where_path, f"cannot read file {str(path)!r}: {error.strerror or error}")
        return INVALID
    except UnicodeDecodeError:
        log.add("(file)", "the file is not UTF-8 text")
        return INVALID
    except YamlSyntaxError as error:
        log.add(f"line {error.line}" if error.line else "(file)", f"not valid YAML: {error.message}")
        return INVALID
    if document is None:
        log.add("(file)", "the file is empty")
        return INVALID
    return document


def _read_layout(path: Path) -> tuple[list[Problem], Layout | None]:
    problems: list[Problem] = []
    log = ProblemLog(str(path), problems)
    document = _read_document(path, log)
    if document is INVALID:
        return problems, None
    if isinstance(document, dict) and "sites" not in document and "id" in document:
        log.add(
            "(root)",
            f"this file holds one site, not a layout; list it under 'sites:' of a layout file "
            f"as '- include: {path.name}'",
        )
        return problems, None
    reader = TypedReader(log)
    if not reader.check_mapping(document, "", ("sites",), "layout file"):
        return problems, None
    entries = document.get("sites")
    if not isinstance(entries, list) or not entries:
        found = "" if "sites" not in document else f", got {describe(entries)}"
        log.add("sites", f"a layout needs 'sites': a list of sites or {{include: file}} entries{found}")
        return problems, None

    sites: list[Site] = []
    first_seen: dict[str, str] = {}  # site id -> "file: path" where it was first defined
    for index, entry in enumerate(entries):
        entry_path = path_of("sites", index)
        if isinstance(entry, dict) and "include" in entry:
            included = _read_included_site(path, entry, entry_path, reader, log)
            if included is None:
                continue
            site_log, site_document = included
            site = TypedReader(site_log).build(Site, site_document, "")
            base = ""
        else:
            site_log, base = log, entry_path
            site = reader.build(Site, entry, base)
        if site is INVALID:
            continue
        check_site(site, site_log, base)
        if isinstance(site.id, str):
            where = f"{site_log.file}: {path_of(base, 'id')}"
            if site.id in first_seen:
                site_log.add(
                    path_of(base, "id"),
                    f"duplicate site id '{site.id}' (already used at {first_seen[site.id]})",
                )
            else:
                first_seen[site.id] = where
        sites.append(site)
    if problems:
        return problems, None
    return problems, Layout(sites=tuple(sites), source=str(path))


def _read_included_site(
    top: Path, entry: dict[str, Any], entry_path: str, reader: TypedReader, log: ProblemLog
) -> tuple[ProblemLog, Any] | None:
    """The log of the included file and its parsed document, or None once a problem is reported."""
    reader.check_mapping(entry, entry_path, ("include",), "include entry")
    target = entry["include"]
    if not isinstance(target, str) or not target.strip():
        log.add(path_of(entry_path, "include"), f"expected the path of a site file, got {describe(target)}")
        return None
    # Relative to the file holding the include, whatever the working directory.
    included = Path(os.path.normpath(top.parent / target))
    site_log = log.for_file(str(included))
    document = _read_document(included, site_log, missing_at=(log, path_of(entry_path, "include")))
    if document is INVALID:
        return None
    return site_log, document
