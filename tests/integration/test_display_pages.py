"""The lobby display and window screen pages: Chinese, configured from the layout, 404 for unknown ids."""

from __future__ import annotations

import json
import re

import pytest

from layout.model import Display
from server.app import stop
from tests.conftest import make_app
from tests.support.small_hall import small_hall


def page_config(html: str) -> dict:
    found = re.search(r'<script id="screen-config" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page carries its config"
    return json.loads(found.group(1))


def test_the_lobby_display_renders_in_chinese_with_its_zones_queues_and_voice(client):
    response = client.get("/display/hall/lobby")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html and "测试县政务服务中心" in html and "大厅综合屏" in html
    assert "/vendor/socket.io.min.js" in html and "/static/common/js/site_stream.js" in html
    assert "/static/common/js/page_kit.js" in html
    config = page_config(html)
    assert config["zones"] == ["accept", "pickup"]
    assert [queue["id"] for queue in config["queues"]] == ["biz", "estate", "general", "pickup"]
    assert config["voice"] == {"enabled": True, "mode": "clips", "repeat": 1,
                               "template": "请{ticket}号到{window}号窗口办理",
                               "pack_url": "/static/display/voice/default/"}


def test_the_lobby_lists_only_queues_served_by_windows_in_its_zones(database_url):
    layout = small_hall(displays=(Display("out", "出件屏", ("pickup",), voice=False, notice="请取件"),))
    app = make_app(database_url, layout)
    try:
        html = app.test_client().get("/display/hall/out").get_data(as_text=True)
    finally:
        stop(app)

    config = page_config(html)
    assert [queue["id"] for queue in config["queues"]] == ["pickup"]
    assert config["voice"]["enabled"] is False and config["notice"] == "请取件"
    assert "请取件" in html


def test_speech_can_be_chosen_in_the_address_of_the_display(client):
    config = page_config(client.get("/display/hall/lobby?voice=speech").get_data(as_text=True))

    assert config["voice"]["enabled"] is True and config["voice"]["mode"] == "speech"


def test_a_voice_option_that_means_nothing_is_refused_in_chinese(client):
    response = client.get("/display/hall/lobby?voice=loud")

    assert response.status_code == 400
    assert "参数 voice 只能是 clips、speech 或 off" in response.get_data(as_text=True)


def test_the_window_screen_renders_its_window_and_queues_silently_by_default(client):
    response = client.get("/display/hall/window/w2")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2号窗口" not in page_config(html)["window_subtitle"]
    config = page_config(html)
    assert config["window"] == "w2" and config["window_number"] == "2"
    assert [queue["id"] for queue in config["queues"]] == ["biz", "estate"]
    assert config["voice"]["enabled"] is False
    assert "企业登记" in html and "announcer.js" not in html
    assert config["vocabulary"]["ticket_status"]["called"]["screen"] == "请到本窗口办理"


@pytest.mark.parametrize(("url", "message"), [
    ("/display/nowhere/lobby", "没有这个服务大厅：nowhere"),
    ("/display/hall/nothing", "没有这块显示屏：nothing"),
    ("/display/hall/window/w404", "没有这个窗口：w404"),
    ("/display/nowhere", "没有这个服务大厅：nowhere"),
])
def test_an_unknown_id_gives_a_chinese_404_page(client, url, message):
    response = client.get(url)

    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    html = response.get_data(as_text=True)
    assert "找不到页面" in html and message in html


def test_the_screen_index_lists_every_display_and_window_screen_address(client):
    html = client.get("/display/hall").get_data(as_text=True)

    assert "/display/hall/lobby" in html
    assert all(f"/display/hall/window/{window}" in html for window in ("w1", "w2", "w3", "w5", "w9"))


def test_the_scripts_and_the_voice_pack_are_served_under_the_display_prefix(client):
    for path in ("js/screen_common.js", "js/screen_sound.js", "js/lobby.js", "js/window_screen.js",
                 "js/announcer.js", "css/lobby.css", "voice/default/manifest.json"):
        assert client.get(f"/static/display/{path}").status_code == 200, path
