"""The kiosk's pages: the touch page and its catalogue, the phone status page, the QR code, the ticket
preview; unknown ids get a Chinese 404 page."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from kiosk.jobs import OPEN
from kiosk.printing.status_query import CANNOT_PRINT
from kiosk.ticket_print import qr_svg
from layout.model import Area, Kiosk, PrinterConfig
from server import search_keys
from server.app import stop
from server.search_keys import pinyin_keys
from server.wiring import hall
from tests.conftest import make_app
from tests.support.small_hall import small_hall


@pytest.fixture
def app(database_url):
    app = make_app(database_url, small_hall(printer=PrinterConfig(type="dummy", paper_mm=58)))
    yield app
    stop(app)


def page_data(html: str, script_id: str) -> dict:
    found = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no {script_id} in the page"
    return json.loads(found.group(1))


def issue(client, **extra) -> dict:
    response = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup", "kiosk": "k1", **extra})
    assert response.status_code == 201
    return response.get_json()


def test_the_kiosk_page_is_chinese_and_carries_its_catalogue(client):
    response = client.get("/kiosk/hall/k1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "测试县政务服务中心" in html and "请选择您要办理的业务" in html
    for script in ("/vendor/socket.io.min.js", "/static/common/js/page_kit.js", "/static/common/js/site_stream.js"):
        assert script in html, script
    data = page_data(html, "kiosk-data")
    assert [area["name"] for area in data["areas"]] == ["企业服务", "不动产", "综合受理"]
    assert data["kiosk"] == {"id": "k1", "name": "一楼取号机", "zone": "accept", "printer": "dummy"}
    assert [c["name"] for c in data["priority_classes"]] == ["老年人", "军人"]
    vocabulary = page_data(html, "kiosk-vocabulary")
    assert {code for code, entry in vocabulary["printer_state"].items() if not entry["can_print"]} == \
        set(CANNOT_PRINT)
    assert {code for code, entry in vocabulary["print_job"].items() if entry["open"]} == set(OPEN)


def test_the_catalogue_gives_pinyin_initials_for_search(client):
    services = {s["id"]: s for s in client.get("/kiosk/hall/k1/services.json").get_json()["services"]}
    assert services["estate-first"]["initials"] == "bdcscdj"
    assert services["estate-first"]["initials"].startswith("bdc")
    assert services["estate-first"]["pinyin"] == "budongchanshoucidengji"
    assert services["company-setup"]["checklist"] == ["营业执照申请书", "身份证明"]


def test_pinyin_keys_keep_only_letters_and_digits():
    assert pinyin_keys("最低生活保障申请（代办）") == ("zdshbzsqdb", "zuidishenghuobaozhangshenqingdaiban")
    assert pinyin_keys("ETC 办理") == ("etcbl", "etcbanli")
    assert pinyin_keys("ＥＴＣ办理") == ("etcbl", "etcbanli")  # full-width letters, as an input method types them


def test_the_pages_read_pinyin_in_a_child_process_and_the_server_never_loads_the_dictionary(tmp_path):
    """pypinyin's phrase dictionary costs a process ~55 MB: a server that served the kiosk and the counter
    pages, whose keys it needed, has still not imported it."""
    script = (
        "import sys\n"
        "from tests.conftest import make_app\n"
        f"app = make_app('sqlite:///{tmp_path / 'hall.db'}')\n"
        "client = app.test_client()\n"
        "services = client.get('/kiosk/hall/k1/services.json').get_json()['services']\n"
        "assert client.get('/counter/hall').status_code == 200\n"
        "print([s['initials'] for s in services if s['id'] == 'estate-first'], 'pypinyin' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "['bdcscdj'] False"


def test_without_a_child_process_the_keys_are_computed_in_the_server(monkeypatch):
    def no_child(names):
        raise OSError("cannot fork")

    monkeypatch.setattr(search_keys, "_in_child", no_child)
    monkeypatch.setattr(search_keys, "_kept", {})
    assert search_keys.search_keys_of(["不动产登记", "银行开户"]) == {
        "不动产登记": ("bdcdj", "budongchandengji"), "银行开户": ("yhkh", "yinhangkaihu")}


def test_the_kiosk_and_the_counter_search_by_the_same_keys(client):
    services = client.get("/kiosk/hall/k1/services.json").get_json()["services"]
    html = client.get("/counter/hall").get_data(as_text=True)
    counter_keys = json.loads(re.search(r'<script id="counter-config" type="application/json">(.*?)</script>',
                                        html, re.S).group(1))["search_keys"]
    for service in services:
        assert counter_keys[service["id"]] == {"initials": service["initials"], "full": service["pinyin"]}


def test_items_not_served_today_are_marked_unavailable(client):
    services = {s["id"]: s for s in client.get("/kiosk/hall/k1/services.json").get_json()["services"]}
    assert services["stat-report"]["available"] is False  # its delegation has expired
    assert services["teacher-cert"]["available"] is True


def test_a_kiosk_that_lists_areas_shows_only_those(database_url):
    kiosks = (Kiosk("k1", "一楼取号机", "accept", None, areas=("property",)),)
    app = make_app(database_url, small_hall(kiosks=kiosks))
    try:
        data = app.test_client().get("/kiosk/hall/k1/services.json").get_json()
        assert [area["id"] for area in data["areas"]] == ["property"]
        assert {service["id"] for service in data["services"]} == {"estate-first"}
        assert data["kiosk"]["printer"] is None
    finally:
        hall(app).db.dispose()


def test_items_under_no_area_get_a_tile_of_their_own(database_url):
    app = make_app(database_url, small_hall(areas=(Area("business", "企业服务"),)))
    try:
        data = app.test_client().get("/kiosk/hall/k1/services.json").get_json()
        assert [area["name"] for area in data["areas"]] == ["企业服务", "其他事项"]
        other = [s["id"] for s in data["services"] if s["area"] == data["areas"][1]["id"]]
        assert "estate-first" in other and "company-setup" not in other
    finally:
        hall(app).db.dispose()


@pytest.mark.parametrize("path, message", [
    ("/kiosk/hall/k9", "没有这台取号机"),
    ("/kiosk/nowhere/k1", "没有这个服务大厅"),
    ("/t/no-such-ticket", "没有找到这张号票"),
    ("/t/no-such-ticket/qr.svg", "没有找到这张号票"),
    ("/t/no-such-ticket/ticket.png", "没有找到这张号票"),
    ("/kiosk/hall/k1/tickets/no-such-ticket.png", "没有找到这张号票"),
])
def test_unknown_ids_get_a_chinese_404_page(client, path, message):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert message in html and '<html lang="zh-CN">' in html


def test_the_catalogue_of_an_unknown_kiosk_is_a_json_404(client):
    response = client.get("/kiosk/hall/k9/services.json")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_kiosk"


def test_the_status_page_shows_the_ticket_as_text(client):
    for _ in range(2):
        issue(client)
    ticket = issue(client)
    response = client.get(f"/t/{ticket['id']}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert ">A003<" in html and "企业设立登记" in html
    assert '<span id="ahead">2</span>' in html
    assert "请到 综合受理区 1、2号窗口" in html
    data = page_data(html, "page-data")
    assert data["ticket"]["id"] == ticket["id"] and data["windows"]["w5"]["number"] == "5"
    assert data["vocabulary"]["ticket_status"]["called"]["phone"]["zh"] == "正在叫号，请立即前往窗口"
    assert "/static/common/js/site_stream.js" in html


def test_the_qr_code_encodes_the_absolute_status_url(database_url):
    app = make_app(database_url, small_hall(), PUBLIC_URL="https://hall.example.cn/")
    try:
        client = app.test_client()
        ticket = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"}).get_json()
        response = client.get(f"/t/{ticket['id']}/qr.svg")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.data == qr_svg(f"https://hall.example.cn/t/{ticket['id']}")
    finally:
        hall(app).db.dispose()


def test_without_a_public_url_the_qr_code_points_at_the_host_asked(client):
    ticket = issue(client)
    response = client.get(f"/t/{ticket['id']}/qr.svg", base_url="http://10.1.2.3:5000")
    assert response.data == qr_svg(f"http://10.1.2.3:5000/t/{ticket['id']}")


def test_the_ticket_preview_is_a_png_as_wide_as_the_kiosks_paper(client):
    ticket = issue(client)
    kiosk_png = client.get(f"/kiosk/hall/k1/tickets/{ticket['id']}.png")
    assert kiosk_png.status_code == 200 and kiosk_png.mimetype == "image/png"
    assert Image.open(io.BytesIO(kiosk_png.data)).width == 384  # the kiosk has 58 mm paper
    phone_png = client.get(f"/t/{ticket['id']}/ticket.png")
    assert Image.open(io.BytesIO(phone_png.data)).width == 576


def test_the_preview_of_another_sites_ticket_is_not_served(database_url):
    from dataclasses import replace

    from layout.model import Layout

    layout = small_hall()
    second = replace(layout.sites[0], id="branch", name="分中心")
    app = make_app(database_url, Layout(sites=(layout.sites[0], second)))
    try:
        client = app.test_client()
        ticket = client.post("/api/v1/sites/branch/tickets", json={"service": "company-setup"}).get_json()
        assert client.get(f"/kiosk/hall/k1/tickets/{ticket['id']}.png").status_code == 404
    finally:
        hall(app).db.dispose()
