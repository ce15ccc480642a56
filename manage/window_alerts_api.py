"""GET /api/v1/sites/<site>/windows/<window>/alerts: the open alerts that concern one window, for its counter when
the page starts (later ones reach it as ``alert`` events): a long wait or a long line of a queue the window
serves now (its own, those it helps by overflow, those a manager assigned it), the kiosks' printers, and a bad
rating of the window's own service with its rectification past the deadline (谁办理、谁负责)."""

from __future__ import annotations

from flask import jsonify

from manage import api
from server.alert_store import SqlAlertStore
from server.assignment_store import active_assignments
from server.auth import require_window_staff
from server.service_layer.handlers.alerts import alert_view
from server.wiring import hall

QUEUE_KINDS = ("wait_over_target", "queue_long")
WINDOW_KINDS = ("bad_rating", "rectification_overdue")  # the alert names the window that served


@api.get("/sites/<site_id>/windows/<window_id>/alerts")
@require_window_staff
def window_alerts(site_id: str, window_id: str):
    services = hall()
    site = services.site(site_id)
    window = services.context.window(site, window_id)
    context = services.context
    with services.db.read() as session:
        assignment = active_assignments(session, site.id, context.today(site), context.now()).get(window.id)
        alerts = [alert_view(alert, site) for alert in SqlAlertStore(session).open_alerts(site.id)]
    serving = set(assignment.queues if assignment else window.queues)
    concerning = [alert for alert in alerts
                  if alert["kind"] == "printer"
                  or (alert["kind"] in QUEUE_KINDS and (window.id in alert["windows"] or alert["subject"] in serving))
                  or (alert["kind"] in WINDOW_KINDS and window.id in alert["windows"])]
    return jsonify(concerning)
