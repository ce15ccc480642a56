"""The statistics as files for spreadsheet programs: CSV in UTF-8 with a BOM (so programs in China open it
right) and XLSX (openpyxl), both with Chinese column headers."""

from __future__ import annotations

import csv
import io

from server.domain.tickets import OUTCOME_NAMES, OUTCOMES

BY_NAMES = {"day": "日期", "hour": "时段", "queue": "队列", "service": "事项", "department": "部门",
            "window": "窗口", "clerk": "工作人员"}
COLUMNS = (
    ("issued", "取号数"), ("called", "叫号数"), ("served", "办结数"), ("no_show", "过号数"),
    ("cancelled", "取消数"), ("transferred", "转办数"), ("wait_p50_s", "等候中位数(秒)"),
    ("wait_p90_s", "等候90分位(秒)"), ("wait_max_s", "最长等候(秒)"), ("service_p50_s", "办理中位数(秒)"),
    ("service_p90_s", "办理90分位(秒)"), ("within_target_pct", "承诺时间内叫号率(%)"),
    ("ratings", "评价数"), ("rating_avg", "平均评价"), ("bad_ratings", "差评数"),
    ("good_rating_pct", "好评率(%)"), ("rating_rate_pct", "参评率(%)"),
)
# Cases (办件) are counted by item and by department only: these columns appear where the figures do.
CASE_COLUMNS = (("cases", "受理办件数"), ("cases_due", "已到期办件数"), ("cases_on_time", "按时办结数"),
                ("on_time_pct", "按时办结率(%)"))


def table(stats: dict) -> list[list]:
    """Header row, one row per key, and the totals row."""
    columns = COLUMNS + (CASE_COLUMNS if "on_time_pct" in stats["totals"] else ())
    header = [BY_NAMES[stats["by"]], "编号", *(title for _, title in columns),
              *(OUTCOME_NAMES[outcome] for outcome in OUTCOMES)]
    body = [[row["name"], row["key"], *_values(row, columns)] for row in stats["rows"]]
    return [header, *body, ["合计", "", *_values(stats["totals"], columns)]]


def _values(row: dict, columns: tuple) -> list:
    return [*(row[field] for field, _ in columns), *(row["outcomes"][outcome] for outcome in OUTCOMES)]


def to_csv(stats: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in table(stats):
        writer.writerow(["" if value is None else value for value in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def to_xlsx(stats: dict, title: str) -> bytes:
    from openpyxl import Workbook  # here, not at import: ~8 MB a server process spends only when it exports
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "统计"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    rows = table(stats)
    for row in rows:
        sheet.append(row)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, header in enumerate(rows[0], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, 2 * len(str(header)) + 2)
    sheet.freeze_panes = "C3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
