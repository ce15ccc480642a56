"""Every check a site goes through once its keys and types have been read."""

from __future__ import annotations

from layout.delegation_rules import check_delegations
from layout.device_rules import check_displays, check_kiosks
from layout.hall_rules import (
    check_clock,
    check_priority,
    check_queues,
    check_services,
    check_window_kinds,
    check_windows,
)
from layout.model import Site
from layout.problems import ProblemLog
from layout.reference_checks import check_references, check_unique_ids
from layout.reform_rules import (
    check_appointment_rules,
    check_calendar,
    check_rating_form,
    check_service_terms,
)
from layout.site_view import SiteView
from layout.window_printer_rules import check_window_printers

_CHECKS = (
    check_unique_ids,
    check_references,
    check_clock,
    check_priority,
    check_queues,
    check_services,
    check_windows,
    check_window_kinds,
    check_delegations,
    check_kiosks,
    check_displays,
    check_calendar,
    check_service_terms,
    check_appointment_rules,
    check_rating_form,
    check_window_printers,
)


def check_site(site: Site, log: ProblemLog, base: str) -> None:
    """Report every problem of ``site``; ``base`` is its path in the file ("sites[0]" or "")."""
    view = SiteView(site, log, base)
    for check in _CHECKS:
        check(view)
