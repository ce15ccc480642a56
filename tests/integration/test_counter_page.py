"""The counter page: Chinese, its scripts, pinyin keys to find items, the finish buttons drawn from the
outcome vocabulary; 404 page for an unknown site."""

from __future__ import annotations

import json
import re

import pytest

from server.domain.tickets import OUTCOME_NAMES, OUTCOMES
from server.search_keys import pinyin_keys


def test_the_counter_page_renders_in_chinese_with_its_shortcuts(client):
    response = client.get("/counter/hall")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html and "窗口工作台" in html and "测试县政务服务中心" in html
    for label, key in (("叫下一位", "F1"), ("重呼", "R"), ("过号", "N"), ("开始办理", "S"), ("转办", "T"),
                       ("受理通知书", "1"), ("一次性告知书", "2"), ("不予受理凭证", "3"), ("即办", "4")):
        assert re.search(rf"<span>{label}…?</span><kbd>{key}</kbd>", html), label
    for reason in ("休息", "会议", "培训", "其他"):
        assert f'value="{reason}"' in html
    for script in ("/vendor/socket.io.min.js", "/static/common/js/page_kit.js", "/static/common/js/site_stream.js",
                   "/static/common/js/api_client.js"):
        assert script in html, script
    assert "/static/display/" not in html and "/static/counter/js/api_client.js" not in html


def page_config(html: str) -> dict:
    return json.loads(re.search(r'<script id="counter-config" type="application/json">(.*?)</script>',
                                html, re.S).group(1))


def test_the_finish_buttons_are_the_outcomes_of_the_vocabulary_in_order(client):
    html = client.get("/counter/hall").get_data(as_text=True)

    buttons = re.findall(r'data-outcome="(\w+)"><span>([^<]+)</span><kbd>(\d)</kbd>', html)
    assert buttons == [(code, OUTCOME_NAMES[code], str(index)) for index, code in enumerate(OUTCOMES, start=1)]
    vocabulary = page_config(html)["vocabulary"]
    # the page's JSON has its keys sorted: the order is in each outcome's key
    assert {code: entry["key"] for code, entry in vocabulary["outcome"].items()} == \
        {code: str(index) for index, code in enumerate(OUTCOMES, start=1)}
    assert vocabulary["outcome"]["notified"] == {"zh": "一次性告知书", "en": "One-time notice", "key": "2"}
    assert vocabulary["printer_state"]["paper_out"]["alert"] == "error"
    assert vocabulary["printer_state"]["paper_low"]["alert"] == "warning"
    assert vocabulary["ticket_status"]["called"]["staff"] == "已叫号，等待群众到窗口"


def test_the_counter_page_carries_pinyin_keys_for_every_item(client):
    html = client.get("/counter/hall").get_data(as_text=True)

    config = page_config(html)
    assert config["site"] == "hall"
    assert config["search_keys"]["company-setup"] == {"initials": "qysldj", "full": "qiyeshelidengji"}
    assert len(config["search_keys"]) == 6


def test_pinyin_keys_keep_latin_letters_and_digits():
    assert pinyin_keys("A类不动产2")._asdict() == {"initials": "albdc2", "full": "aleibudongchan2"}


def test_an_unknown_site_gives_a_chinese_404_page(client):
    response = client.get("/counter/nowhere")

    assert response.status_code == 404
    assert "没有这个服务大厅：nowhere" in response.get_data(as_text=True)


def test_the_counter_scripts_are_served_under_the_counter_prefix(client):
    for path in ("js/counter.js", "js/transfer_picker.js", "js/counter_alerts.js", "css/counter.css"):
        assert client.get(f"/static/counter/{path}").status_code == 200, path
    assert client.get("/static/counter/js/api_client.js").status_code == 404  # one copy, the shared one


def test_the_shared_modules_are_served_once_under_the_common_prefix(client):
    for path in ("js/page_kit.js", "js/site_stream.js", "js/api_client.js"):
        response = client.get(f"/static/common/{path}")
        assert response.status_code == 200 and "javascript" in response.mimetype, path
    assert client.get("/static/display/js/site_stream.js").status_code == 404


@pytest.mark.parametrize("path", ["/counter/hall", "/manage/hall", "/backoffice/hall"])
def test_a_staff_login_form_posts_and_waits_for_its_script(client, path):
    """Submitted before the page's script runs, a GET form would put the password in the URL (and in the
    access logs): the form posts, and its button is enabled by the script (PageKit.staffLogin)."""
    html = client.get(path).get_data(as_text=True)
    form = re.search(r'<form id="login-form"[^>]*>(.*?)</form>', html, re.S)
    assert form and 'method="post"' in form.group(0)
    assert re.search(r'<button type="submit"[^>]*\bdisabled\b', form.group(1))
