"""The pages of cases: the window's documents (受理通知书 with its QR, 一次性告知书 with the missing entries,
不予受理凭证 with its reason), the holder's tracking page and its QR, the back office's page."""

from __future__ import annotations

import pytest

from server.app import stop
from tests.conftest import create_staff, make_app
from tests.support.cases import Clock, W, accept, case_hall

S = "/api/v1/sites/hall"


@pytest.fixture
def hall_app(database_url):
    app = make_app(database_url, layout=case_hall(), CLOCK=Clock(), PUBLIC_URL="https://hall.example")
    yield app
    stop(app)


def test_the_acceptance_notice_names_the_case_its_deadline_delivery_and_tracking_qr(hall_app):
    client, clerk = hall_app.test_client(), create_staff(hall_app)
    answer = accept(client, clerk, applicant_name="李四", applicant_phone="13812345678")
    page = client.get(f"/documents/{answer['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "受理通知书" in html and answer["case"]["number"] in html and "2026年12月9日" in html
    assert "李四" in html and "138****5678" in html and "13812345678" not in html
    assert "窗口领取或邮寄送达" in html and "5 个工作日" in html
    qr = client.get(f"/c/{answer['case']['id']}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_the_notice_lists_the_missing_entries_and_the_refusal_its_reason(hall_app):
    client, clerk = hall_app.test_client(), create_staff(hall_app)
    for _ in range(2):
        client.post(f"{S}/tickets", json={"service": "company-setup"})
    client.post(f"{W}/w1/open", headers=clerk)
    first = client.post(f"{W}/w1/call-next", headers=clerk).get_json()
    client.post(f"{W}/w1/finish", json={"outcome": "notified", "missing": ["身份证明"]}, headers=clerk)
    second = client.post(f"{W}/w1/call-next", headers=clerk).get_json()
    client.post(f"{W}/w1/finish", json={"outcome": "rejected", "reason": "不属于本中心受理范围"}, headers=clerk)
    tickets = [first, second]
    notice = client.get(f"/documents/{tickets[0]['id']}").get_data(as_text=True)
    assert "一次性告知书" in notice and "<li>身份证明</li>" in notice and "营业执照申请书</li>" not in notice
    refusal = client.get(f"/documents/{tickets[1]['id']}").get_data(as_text=True)
    assert "不予受理凭证" in refusal and "不属于本中心受理范围" in refusal


def test_unknown_or_unfinished_documents_and_cases_are_404_pages(hall_app):
    client = hall_app.test_client()
    waiting = client.post(f"{S}/tickets", json={"service": "company-setup"}).get_json()
    for path in (f"/documents/{waiting['id']}", "/documents/nothing-here", "/c/nothing-here",
                 "/c/nothing-here/qr.svg"):
        response = client.get(path)
        assert response.status_code == 404 and "找不到" in response.get_data(as_text=True)


def test_the_tracking_page_shows_status_deadline_days_left_and_no_personal_data(hall_app):
    client, clerk = hall_app.test_client(), create_staff(hall_app)
    case = accept(client, clerk, applicant_name="王五", applicant_phone="13812345678")["case"]
    page = client.get(f"/c/{case['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert case["number"] in html and "已受理" in html and "2026-12-09" in html and "剩余 5 个工作日" in html
    assert "王五" not in html and "5678" not in html


def test_the_back_office_page_is_served_for_a_site(hall_app):
    client = hall_app.test_client()
    page = client.get("/backoffice/hall")
    assert page.status_code == 200 and "后台审批" in page.get_data(as_text=True)
    assert client.get("/backoffice/nowhere").status_code == 404


def test_a_window_with_a_receipt_printer_prints_the_notice_through_escpos(database_url, tmp_path):
    from dataclasses import replace

    from layout.model import PrinterConfig

    layout = case_hall()
    site = layout.sites[0]
    printer = PrinterConfig(type="file", device=str(tmp_path / "w1.bin"), status_check=False)
    windows = tuple(replace(w, printer=printer) if w.id == "w1" else w for w in site.windows)
    app = make_app(database_url, layout=replace(layout, sites=(replace(site, windows=windows),)), CLOCK=Clock(),
                   PUBLIC_URL="https://hall.example")
    try:
        client, clerk = app.test_client(), create_staff(app)
        answer = accept(client, clerk, applicant_name="赵六")
        printed = client.post(f"{W}/w1/documents/{answer['id']}/print", headers=clerk)
        assert printed.status_code == 200 and printed.get_json()["title"] == "受理通知书"
        data = (tmp_path / "w1.bin").read_bytes()
        for text in ("受理通知书", answer["case"]["number"], "2026-12-09", "赵六", "窗口领取或邮寄送达"):
            assert text.encode("gb18030") in data
        assert f"https://hall.example/c/{answer['case']['id']}".encode() in data and data.endswith(b"\x1dV\x00")
        none = client.post(f"{W}/w2/documents/{answer['id']}/print", headers=clerk)
        assert none.status_code == 409 and none.get_json()["error"]["code"] == "no_printer"
        unknown = client.post(f"{W}/w1/documents/nothing/print", headers=clerk)
        assert unknown.status_code == 404
    finally:
        stop(app)
