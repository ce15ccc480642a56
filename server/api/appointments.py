"""预约取号 over HTTP: slots left, booking (rate-limited per address and per ID number), the holder's view,
its calendar file and QR code, cancelling, the kiosk's check-in, and a manager's counts.

The resident ID number is checked here (GB 11643: ``server.domain.personal``) and turned at once into a
keyed hash (HMAC-SHA256 with the hall's secret key: the per-person rule and the per-ID rate limit use it)
and its masked form; the raw number goes no further than this request — not into the database, an event,
a rate-limit key or a log line."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import ipaddress
import os

import qrcode
import qrcode.image.svg
from flask import Response, current_app, jsonify, request

from server.api import bp
from server.api.issuing import from_a_kiosk, issuing_kiosk
from server.api.validation import json_body
from server.auth import require_staff
from server.domain import appointments as rules
from server.domain.errors import BadRequest, NotFound
from server.domain.personal import mask_id_number, normalise_id_number, normalise_mobile
from server.extensions import limiter
from server.service_layer.appointment_queries import AppointmentQueries
from server.service_layer.appointment_views import slot_views
from server.validation import check, iso_day, text
from server.wiring import hall

DEFAULT_ADDRESS_LIMIT = "20/hour"  # bookings (and tries) per client address
DEFAULT_PERSON_LIMIT = "10/day"  # bookings (and tries) per ID number
NAME_MAX = 32
CODE_MAX = 16
MAX_STATS_DAYS = 366


def person_key(id_number: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"yichuang-appointment-person\n{id_number}".encode(), hashlib.sha256).hexdigest()


def _setting(name: str, default: str) -> str:
    return str(current_app.config.get(name) or os.environ.get(f"HALL_{name}") or default).strip()


def _off(value: str) -> bool:
    return value in ("", "0")


def _exempt_address() -> bool:
    exempt = current_app.config.get("RATE_LIMIT_EXEMPT") or ()
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in exempt)


def _address_limit_off() -> bool:
    return _off(_setting("BOOKING_RATE_LIMIT", DEFAULT_ADDRESS_LIMIT)) or _exempt_address()


def _address_limit() -> str:
    return "1/second" if _address_limit_off() else _setting("BOOKING_RATE_LIMIT", DEFAULT_ADDRESS_LIMIT)


def _person_limit_off() -> bool:
    return _off(_setting("BOOKING_ID_RATE_LIMIT", DEFAULT_PERSON_LIMIT))


def _person_limit() -> str:
    return "1/second" if _person_limit_off() else _setting("BOOKING_ID_RATE_LIMIT", DEFAULT_PERSON_LIMIT)


def _person_limit_key() -> str:
    """The per-ID bucket: the keyed hash of the body's ID number (a bad or missing one shares a bucket with
    the address, which its own limit already holds)."""
    body = request.get_json(silent=True)
    raw = body.get("id_number") if isinstance(body, dict) else None
    try:
        return "booking-person:" + person_key(normalise_id_number(raw)) if isinstance(raw, str) else _no_person()
    except (BadRequest, UnicodeEncodeError):
        return _no_person()


def _no_person() -> str:
    return f"booking-person-none:{request.remote_addr}"


def _check_in_limit_off() -> bool:
    return _off(str(current_app.config["ISSUE_RATE_LIMIT"])) or from_a_kiosk() or _exempt_address()


def _check_in_limit() -> str:
    return "1/second" if _check_in_limit_off() else current_app.config["ISSUE_RATE_LIMIT"]


def _queries() -> AppointmentQueries:
    return AppointmentQueries(hall().db, hall().context)


def _date_arg(name: str, required: bool = True) -> dt.date | None:
    value = request.args.get(name)
    if not value:
        if required:
            raise BadRequest("missing_field", f"缺少参数 {name}（YYYY-MM-DD）/ missing parameter {name!r}")
        return None
    return iso_day(name, value)


@bp.get("/sites/<site_id>/services/<service_id>/slots")
def appointment_slots(site_id: str, service_id: str):
    site = hall().site(site_id)
    service = site.service(service_id)
    if service is None:
        raise NotFound("service", service_id)
    day = _date_arg("date")
    slots, booked, bookable = _queries().slots(site, service, day)
    return jsonify(slot_views(slots, booked, bookable))


@bp.post("/sites/<site_id>/appointments")
@limiter.limit(_address_limit, exempt_when=_address_limit_off,
               error_message="预约太频繁，请稍后再试 / too many bookings from this address")
@limiter.limit(_person_limit, key_func=_person_limit_key, exempt_when=_person_limit_off,
               error_message="该身份证号预约太频繁，请稍后再试 / too many bookings for this ID number")
def book_appointment(site_id: str):
    hall().site(site_id)
    body = json_body(required={"service": str, "start": str, "name": str, "id_number": str, "phone": str})
    name = text("name", body["name"].strip(), NAME_MAX)
    id_number = normalise_id_number(body["id_number"])
    phone = normalise_mobile(body["phone"])
    view = hall().handle(rules.BookAppointment(site_id, body["service"], body["start"], name, person_key(id_number),
                                               mask_id_number(id_number), phone))
    return jsonify(view), 201


@bp.get("/appointments/<appointment_id>")
def appointment(appointment_id: str):
    return jsonify(_queries().appointment(appointment_id))


@bp.post("/appointments/<appointment_id>/cancel")
def cancel_appointment(appointment_id: str):
    site_id = _queries().appointment_site(appointment_id)
    return jsonify(hall().handle(rules.CancelAppointment(site_id, appointment_id)))


@bp.get("/appointments/<appointment_id>/calendar.ics")
def appointment_calendar(appointment_id: str):
    view = _queries().appointment(appointment_id)
    response = Response(calendar_file(view), mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@bp.get("/appointments/<appointment_id>/qr.svg")
def appointment_qr(appointment_id: str):
    view = _queries().appointment(appointment_id)
    image = qrcode.make(view["code"], image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    output = io.BytesIO()
    image.save(output)
    return Response(output.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=86400"})


@bp.post("/sites/<site_id>/appointments/check-in")
@limiter.limit(_check_in_limit, exempt_when=_check_in_limit_off)
def check_in_appointment(site_id: str):
    hall().site(site_id)
    body = json_body(required={"code": str}, optional={"kiosk": str, "walk_in": bool})
    code = text("code", body["code"].strip(), CODE_MAX)
    kiosk = issuing_kiosk(site_id)
    if kiosk is None and body.get("kiosk") is not None:
        check("kiosk", body["kiosk"], str)
    view = hall().handle(rules.CheckInAppointment(site_id, code, kiosk or body.get("kiosk"),
                                                  walk_in=bool(body.get("walk_in"))))
    return jsonify(view), 201


@bp.get("/sites/<site_id>/appointments/stats")
@require_staff(roles=("manager", "admin"))
def appointment_stats(site_id: str):
    site = hall().site(site_id)
    first, last = _date_arg("from"), _date_arg("to")
    if first > last:
        raise BadRequest("invalid_range", "开始日期晚于结束日期 / 'from' is after 'to'")
    if (last - first).days + 1 > MAX_STATS_DAYS:
        raise BadRequest("range_too_long", f"统计范围最多 {MAX_STATS_DAYS} 天 / at most {MAX_STATS_DAYS} days")
    return jsonify(_queries().statistics(site, first, last))


def _ics_time(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def calendar_file(view: dict) -> bytes:
    """An iCalendar event of the booking (RFC 5545): when, where, the check-in code; no personal data."""
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Yichuang//Appointments//ZH", "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT", f"UID:{view['id']}@yichuang", f"DTSTAMP:{_ics_time(view['start'])}",
        f"DTSTART:{_ics_time(view['start'])}", f"DTEND:{_ics_time(view['end'])}",
        f"SUMMARY:{_ics_text('预约：' + view['service_name'])}", f"LOCATION:{_ics_text(view['site_name'])}",
        "DESCRIPTION:" + _ics_text(f"签到码 {view['code']}。请于 {view['check_in_from'][11:16]}–"
                                   f"{view['check_in_until'][11:16]} 在取号机「预约签到」。"),
        "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT60M", f"DESCRIPTION:{_ics_text('预约：' + view['service_name'])}",
        "END:VALARM", "END:VEVENT", "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
