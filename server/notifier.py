"""Telling a citizen that a case's result is ready (可领取): a notifier with a log backend (the default;
the phone masked, the tracking address left out) and an HTTP webhook backend for an SMS gateway
(``HALL_NOTIFY_WEBHOOK``: a JSON POST ``{"to", "text", "case_number", "url"}``; ``HALL_NOTIFY_TIMEOUT``
seconds, default 5). A failing gateway is logged and never undoes the case's change."""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from server.domain.personal import mask_mobile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notice:
    to: str  # the applicant's mainland mobile number
    case_number: str
    text: str
    url: str  # the tracking page: the holder's own secret, for the holder's own phone


class Notifier(Protocol):
    def send(self, notice: Notice) -> bool: ...


class LogNotifier:
    name = "log"

    def send(self, notice: Notice) -> bool:
        log.info("notice to %s for case %s: %s", mask_mobile(notice.to), notice.case_number, notice.text)
        return True


class WebhookNotifier:
    name = "webhook"

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url, self.timeout = url, timeout

    def send(self, notice: Notice) -> bool:
        body = json.dumps({"to": notice.to, "text": notice.text, "case_number": notice.case_number,
                           "url": notice.url}, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 (the hall's own URL)
                ok = 200 <= answer.status < 300
        except (urllib.error.URLError, OSError, ValueError) as error:
            log.warning("SMS gateway did not take the notice for case %s (to %s): %s", notice.case_number,
                        mask_mobile(notice.to), error)
            return False
        if not ok:
            log.warning("SMS gateway answered %s for case %s", answer.status, notice.case_number)
        return ok


def notifier_from(config: dict) -> Notifier:
    url = config.get("NOTIFY_WEBHOOK", os.environ.get("HALL_NOTIFY_WEBHOOK") or None)
    if url:
        timeout = float(config.get("NOTIFY_TIMEOUT", os.environ.get("HALL_NOTIFY_TIMEOUT", "5")))
        return WebhookNotifier(url, timeout)
    return LogNotifier()


def ready_text(site_name: str, number: str, service_name: str, place: str) -> str:
    where = f"请到{place}领取" if place else "请到综合出件窗口领取"
    return f"【{site_name}】您的办件{number}（{service_name}）已办结，{where}，领取时请携带身份证件。"
