"""Alert handlers: evaluate the rules against the hall now (open what holds, clear what went away), and a
manager's acknowledgement. Each change is an ``alert`` event for the staff."""

from __future__ import annotations

from layout.model import Site
from server.domain.alerts import AckAlert, AlertChanged, EvaluateAlerts, Finding, ScreenSeen, findings
from server.domain.elastic import QueueLoad
from server.domain.errors import DomainError, NotFound
from server.domain.rectifications import rectification_findings, window_of_subject
from server.domain.routing import windows_for_queue
from server.models import Alert
from server.service_layer.context import HallContext, iso
from server.service_layer.handlers.cases import case_findings
from server.service_layer.unit_of_work import UnitOfWork
from server.vocabulary import PRINTER_STATE_NAMES


class AlreadyAcknowledged(DomainError):
    code = "already_acknowledged"
    default_message = "该提醒已确认 / This alert was acknowledged already"


def alert_view(alert: Alert, site: Site) -> dict:
    """An alert as the board and the API show it."""
    return {"id": alert.id, "kind": alert.kind, "subject": alert.subject, "message": alert.message,
            "since": iso(alert.opened_at), "cleared_at": iso(alert.cleared_at), "acked_by": alert.acked_by,
            "acked_at": iso(alert.acked_at), "windows": _windows_concerned(site, alert)}


def _windows_concerned(site: Site, alert: Alert) -> list[str]:
    if alert.kind in ("wait_over_target", "queue_long"):
        own = list(windows_for_queue(site, alert.subject))
        return own + [w.id for w in site.windows if w.id not in own and any(o.queue == alert.subject
                                                                          for o in w.overflow)]
    if alert.kind in ("bad_rating", "rectification_overdue"):
        window = window_of_subject(alert.subject)
        return [window] if window else []
    return []


def _record(uow: UnitOfWork, site: Site, alert: Alert) -> AlertChanged:
    view = alert_view(alert, site)
    return uow.record(AlertChanged(site.id, id=alert.id, alert_kind=alert.kind, subject=alert.subject,
                                   status="cleared" if alert.cleared_at else "open", message=alert.message,
                                   since=view["since"], cleared_at=view["cleared_at"], acked_by=alert.acked_by,
                                   acked_at=view["acked_at"], windows=view["windows"]))


def evaluate_alerts(command: EvaluateAlerts, uow: UnitOfWork, ctx: HallContext) -> list[dict]:
    """The site's open alerts after the evaluation."""
    site = ctx.site(command.site)
    now, alerts = ctx.now(), uow.alerts
    counts, oldest = alerts.waiting(site.id, ctx.today(site))
    loads = [(QueueLoad(queue.id, queue.name, counts.get(queue.id, 0),
                        int((now - oldest[queue.id]).total_seconds()) if queue.id in oldest else 0,
                        queue.target_minutes), queue.alert_waiting) for queue in site.queues]
    printed = alerts.latest_device_states(site.id, "printer")
    printers = {kiosk.id: (kiosk.name, printed.get(kiosk.id, {}).get("state", "unknown"))
                for kiosk in site.kiosks if kiosk.printer is not None}
    seen = alerts.latest_device_states(site.id, "screen")
    screens = {display.id: ScreenSeen(display.name, seen[display.id].get("connected") if display.id in seen else None,
                                      seen.get(display.id, {}).get("audio", "ok")) for display in site.displays}
    found = findings(loads, printers, screens, PRINTER_STATE_NAMES)
    found += [Finding(*cause) for cause in rectification_findings(alerts.open_rectifications(site), ctx.today(site))]
    found += case_findings(uow, ctx, site)
    holding = {(finding.kind, finding.subject): finding for finding in found}
    open_now = {(alert.kind, alert.subject): alert for alert in alerts.open_alerts(site.id)}
    for cause, alert in open_now.items():
        if cause not in holding and (cleared := alerts.clear(alert.id, now)) is not None:
            _record(uow, site, cleared)
    for cause, finding in holding.items():
        if cause not in open_now and (opened := alerts.open(site.id, *cause, finding.message, now)) is not None:
            _record(uow, site, opened)
    return [alert_view(alert, site) for alert in alerts.open_alerts(site.id)]


def ack_alert(command: AckAlert, uow: UnitOfWork, ctx: HallContext) -> dict:
    site = ctx.site(command.site)
    alert = uow.alerts.alert(site.id, command.alert, lock=True)
    if alert is None:
        raise NotFound("alert", command.alert)
    if alert.acked_at is not None:
        raise AlreadyAcknowledged()
    alert.acked_at, alert.acked_by = ctx.now(), command.actor.username
    uow.repository.flush()
    _record(uow, site, alert)
    return alert_view(alert, site)


record_alert = _record  # for the handlers that open an alert themselves (a bad rating opens bad_rating at once)
