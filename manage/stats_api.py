"""GET /api/v1/sites/<site>/stats (JSON), stats.csv and stats.xlsx: a manager's figures for a range of
local days, grouped as asked."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask import Response, jsonify, request

from manage import api
from manage.access import require_manager
from manage.exports import to_csv, to_xlsx
from server.cpu import run_cpu_bound
from server.domain.errors import BadRequest
from server.service_layer.appointment_queries import with_appointments
from server.service_layer.statistics import GROUPINGS, site_statistics
from server.validation import iso_day
from server.wiring import hall

MAX_DAYS = 366


def _day(name: str) -> dt.date:
    value = request.args.get(name)
    if not value:
        raise BadRequest("missing_field", f"缺少参数 {name}（YYYY-MM-DD）/ missing parameter {name!r}")
    return iso_day(name, value)


def _statistics(site_id: str) -> dict:
    site = hall().site(site_id)
    start, end = _day("from"), _day("to")
    if start > end:
        raise BadRequest("invalid_range", "开始日期晚于结束日期 / 'from' is after 'to'")
    if (end - start).days + 1 > MAX_DAYS:
        raise BadRequest("range_too_long", f"统计范围最多 {MAX_DAYS} 天 / at most {MAX_DAYS} days")
    by = request.args.get("by", "day")
    if by not in GROUPINGS:
        raise BadRequest("invalid_by", f"by 应为 {'、'.join(GROUPINGS)} 之一 / by must be one of "
                                       f"{', '.join(GROUPINGS)}")
    return site_statistics(hall().db, site, start, end, by, hall().context.today(site))


def _download(content: bytes, mimetype: str, stats: dict, extension: str) -> Response:
    name = f"{stats['site']}-统计-{stats['by']}-{stats['from']}-{stats['to']}.{extension}"
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = (f"attachment; filename=\"stats.{extension}\"; "
                                               f"filename*=UTF-8''{quote(name)}")
    return response


@api.get("/sites/<site_id>/stats")
@require_manager
def stats(site_id: str):
    return jsonify(with_appointments(_statistics(site_id), hall().db, hall().context))  # 预约: booked, checked in, missed of the range


@api.get("/sites/<site_id>/stats.csv")
@require_manager
def stats_csv(site_id: str):
    figures = _statistics(site_id)
    return _download(to_csv(figures), "text/csv", figures, "csv")  # Flask adds "; charset=utf-8"


@api.get("/sites/<site_id>/stats.xlsx")
@require_manager
def stats_xlsx(site_id: str):
    figures = _statistics(site_id)
    title = f"{hall().site(site_id).name} 办件统计 {figures['from']} 至 {figures['to']}"
    content = run_cpu_bound(to_xlsx, figures, title)
    return _download(content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", figures, "xlsx")
