"""The small hall of two sites ("hall" and "branch"), whose general window 5 may be assigned the company queue
(``may_serve``) instead of helping it by overflow: left alone it never calls a company ticket."""

from __future__ import annotations

from dataclasses import replace

from layout.model import Layout
from tests.support.small_hall import small_hall


def helping_hall() -> Layout:
    layout = small_hall()
    site = layout.sites[0]
    windows = tuple(replace(w, may_serve=("biz",), overflow=()) if w.id == "w5" else w for w in site.windows)
    hall_site = replace(site, windows=windows)
    return replace(layout, sites=(hall_site, replace(hall_site, id="branch", name="测试县分中心")))
