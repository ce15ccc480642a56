"""A small hall built in code, so the server tests do not depend on the example county's details."""

from __future__ import annotations

import datetime as dt

from layout.model import (
    Area,
    Delegation,
    Department,
    Display,
    Kiosk,
    Layout,
    OpeningPeriod,
    Overflow,
    PrinterConfig,
    Priority,
    PriorityClass,
    Queue,
    Service,
    Site,
    Window,
    Zone,
)


def small_hall(printer: PrinterConfig | None = None, **site_changes) -> Layout:
    site = Site(
        id="hall", name="测试县政务服务中心", level="county", timezone="Asia/Shanghai",
        hours=(OpeningPeriod(days=(1, 2, 3, 4, 5), opens=dt.time(8, 30), closes=dt.time(17, 30)),),
        zones=(Zone("accept", "综合受理区"), Zone("pickup", "综合出件区")),
        departments=(Department("amr", "县市场监管局"), Department("nr", "县自然资源和规划局"),
                     Department("edu", "县教育局"), Department("stat", "县统计局")),
        areas=(Area("business", "企业服务"), Area("property", "不动产"), Area("general", "综合受理")),
        queues=(Queue("biz", "企业登记", "A", "subject"), Queue("estate", "不动产登记", "B", "subject"),
                Queue("general", "民生经济综合", "G", "general"), Queue("pickup", "综合出件", "P", "pickup")),
        services=(
            Service("company-setup", "企业设立登记", "amr", "biz", 20, ("营业执照申请书", "身份证明"), "business"),
            Service("company-change", "企业变更登记", "amr", "biz", 15, (), "business"),
            Service("estate-first", "不动产首次登记", "nr", "estate", 30, (), "property", daily_cap=3),
            Service("teacher-cert", "教师资格认定", "edu", None, 10, (), "general"),
            Service("stat-report", "统计报表报送", "stat", None, 5, (), "general"),
            Service("result-pickup", "办理结果领取", "amr", "pickup", 3, (), "general"),
        ),
        windows=(
            Window("w1", "1", "1号窗口 企业登记", "accept", "subject", ("biz",)),
            Window("w2", "2", "2号窗口 企业登记", "accept", "subject", ("biz", "estate")),
            Window("w3", "3", "3号窗口 不动产登记", "accept", "subject", ("estate",)),
            Window("w5", "5", "5号窗口 民生经济", "accept", "general", ("general",),
                   overflow=(Overflow("biz", 30),)),
            Window("w9", "9", "9号窗口 综合出件", "pickup", "pickup", ("pickup",)),
        ),
        delegations=(
            Delegation("edu-2024", "edu", ("teacher-cert",), "general", dt.date(2024, 7, 1), dt.date(2030, 6, 30),
                       "accept"),
            Delegation("stat-old", "stat", ("stat-report",), "general", dt.date(2024, 1, 1), dt.date(2025, 12, 31),
                       "handle"),
        ),
        priority=Priority(classes=(PriorityClass("elderly", "老年人"), PriorityClass("military", "军人")),
                          priority_calls=2, normal_calls=1),
        kiosks=(Kiosk("k1", "一楼取号机", "accept", printer),),
        displays=(Display("lobby", "大厅综合屏", ("accept", "pickup")),),
    )
    if site_changes:
        from dataclasses import replace

        site = replace(site, **site_changes)
    return Layout(sites=(site,), source="tests/support/small_hall.py")
