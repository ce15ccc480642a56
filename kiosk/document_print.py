"""The window's documents (受理通知书, 一次性告知书, 不予受理凭证) on the window's receipt printer, when the layout
gives the window one (``windows[].printer``): the same facts as the A4 page, as GB18030 text through the
ESC/POS path of the tickets, with the tracking QR of a case. ``POST /api/v1/sites/<site>/windows/<window>/
documents/<ticket>/print`` (window staff); a window without a printer is 409 ``no_printer`` (the counter then
prints the A4 page from the browser)."""

from __future__ import annotations

from escpos.printer import Dummy
from flask import current_app, jsonify, request

from kiosk import api
from kiosk.printing.escpos_commands import (
    CHINESE_MODE_ON,
    FULL_CUT,
    INITIALIZE,
    LF,
    align,
    bold,
    character_size,
    chinese_text,
    feed_lines,
)
from kiosk.printing.escpos_render import FEED_BEFORE_CUT, QrMode, paper_profile, write_qr
from kiosk.printing.printers import PrinterError, send_ticket
from kiosk.printing.text_width import wrap
from server.auth import require_window_staff
from server.cpu import run_cpu_bound
from server.domain.errors import DomainError, NoPrinter, NotFound
from server.service_layer.case_documents import document_facts
from server.wiring import hall

CHARACTERS_PER_LINE = {58: 32, 80: 48}  # columns of the standard font (a CJK character takes two)


class PrinterUnavailable(DomainError):
    code = "printer_unavailable"
    default_message = "窗口打印机暂时无法打印，请改用 A4 打印 / the window's printer cannot print now"


def receipt_lines(facts: dict) -> list[tuple[str, str]]:
    """(style, text) lines: "title", "big", "bold" or "text"."""
    lines = [("text", facts["site"].name), ("title", facts["title"])]
    case = facts.get("case")
    if facts["kind"] == "accepted" and case is not None:
        lines += [("text", f"申请人：{facts.get('applicant_name') or ''}"), ("bold", "办件编号"), ("big", case["number"]),
                  ("text", f"办理事项：{facts['service_name']}"), ("text", f"审批部门：{facts['department_name']}"),
                  ("text", f"承诺时限：{facts.get('promised_days')} 个工作日"),
                  ("bold", f"承诺办结日期：{case['deadline']}"),
                  ("text", f"出件方式：{'或'.join(case['delivery_names'])}")]
        if case.get("where"):
            lines.append(("text", f"领取地点：{case['where'][0]['text']}（综合出件）"))
        lines.append(("text", "手机扫码查看办理进度；领取时请携带本通知书和身份证件。"))
    elif facts["kind"] == "notified":
        lines += [("text", f"办理事项：{facts['service_name']}"), ("bold", "请一次性补齐下列材料：")]
        lines += [("text", f"{index}. {entry}") for index, entry in enumerate(facts["missing"], 1)]
        lines.append(("text", "以上均依据本事项公布的受理审查标准，清单之外不再要求其他材料。"))
    else:
        lines += [("text", f"办理事项：{facts['service_name']}"), ("bold", "不予受理理由："),
                  ("text", facts["reason"] or ""),
                  ("text", "如有异议，可依法申请行政复议或提起行政诉讼，或拨打12345反映。")]
    lines += [("text", f"窗口：{facts['window_name']}（号票 {facts['ticket_number']}）"), ("text", facts["at"]),
              ("text", "申请人签收：__________")]
    return lines


def document_bytes(facts: dict, paper_mm: int = 80, qr_mode: QrMode = "native") -> bytes:
    """The exact bytes the window's printer receives; the tracking QR as the printer is set up to print one."""
    width = CHARACTERS_PER_LINE.get(paper_mm, 48)
    printer = Dummy(profile=paper_profile(paper_mm))
    out = bytearray(INITIALIZE + CHINESE_MODE_ON)
    for style, text in receipt_lines(facts):
        if style == "title":
            out += align("center") + character_size(2) + bold(True) + chinese_text(text) + LF + character_size(1) + \
                bold(False) + align("left")
        elif style == "big":
            out += align("center") + character_size(2) + chinese_text(text) + LF + character_size(1) + align("left")
        else:
            out += bold(style == "bold")
            for part in wrap(text, width) or [""]:
                out += chinese_text(part) + LF
            out += bold(False)
    printer._raw(bytes(out))
    if facts.get("tracking_url"):
        write_qr(printer, facts["tracking_url"], paper_mm, qr_mode)
    printer._raw(align("left") + feed_lines(FEED_BEFORE_CUT) + FULL_CUT)
    return printer.output


@api.post("/sites/<site_id>/windows/<window_id>/documents/<ticket_id>/print")
@require_window_staff
def print_document(site_id: str, window_id: str, ticket_id: str):
    services = hall()
    site = services.site(site_id)
    window = services.context.window(site, window_id)
    base = (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")
    facts = document_facts(services.db, services.context, ticket_id, base)
    if facts["site_id"] != site.id:
        raise NotFound("ticket", ticket_id)
    if window.printer is None or window.printer.type in ("agent", "dummy"):
        raise NoPrinter("该窗口未配置凭证打印机，请用浏览器打印 A4 / this window has no receipt printer")
    job = run_cpu_bound(document_bytes, facts, window.printer.paper_mm, window.printer.qr)
    try:
        send_ticket(window.printer, job, f"{facts['title']} {facts['ticket_number']}")
    except PrinterError as error:
        raise PrinterUnavailable(f"窗口打印机无法打印：{error} / the window's printer cannot print") from error
    return jsonify({"printed": True, "title": facts["title"], "window": window.id})
