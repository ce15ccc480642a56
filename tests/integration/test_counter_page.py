"""The counter page: Chinese, its scripts, pinyin keys to find items; 404 page for an unknown site."""

from __future__ import annotations

import json
import re

from counter.search_keys import pinyin_keys


def test_the_counter_page_renders_in_chinese_with_its_shortcuts(client):
    response = client.get("/counter/hall")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html and "窗口工作台" in html and "测试县政务服务中心" in html
    for label, key in (("叫下一位", "F1"), ("重呼", "R"), ("过号", "N"), ("开始办理", "S"), ("转办", "T"),
                       ("受理通知书", "1"), ("一次性告知", "2"), ("不予受理", "3"), ("即办", "4")):
        assert re.search(rf"<span>{label}…?</span><kbd>{key}</kbd>", html), label
    for reason in ("休息", "会议", "培训", "其他"):
        assert f'value="{reason}"' in html
    assert "/static/display/js/site_stream.js" in html and "/vendor/socket.io.min.js" in html


def test_the_counter_page_carries_pinyin_keys_for_every_item(client):
    html = client.get("/counter/hall").get_data(as_text=True)

    config = json.loads(re.search(r'<script id="counter-config" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    assert config["site"] == "hall"
    assert config["search_keys"]["company-setup"] == {"initials": "qysldj", "full": "qiyeshelidengji"}
    assert len(config["search_keys"]) == 6


def test_pinyin_keys_keep_latin_letters_and_digits():
    assert pinyin_keys("A类不动产2") == {"initials": "albdc2", "full": "aleibudongchan2"}


def test_an_unknown_site_gives_a_chinese_404_page(client):
    response = client.get("/counter/nowhere")

    assert response.status_code == 404
    assert "没有这个服务大厅：nowhere" in response.get_data(as_text=True)


def test_the_counter_scripts_are_served_under_the_counter_prefix(client):
    for path in ("js/counter.js", "js/api_client.js", "js/transfer_picker.js", "js/counter_alerts.js",
                 "css/counter.css"):
        assert client.get(f"/static/counter/{path}").status_code == 200, path
