"""Write big_hall.yaml, the benchmark's hall: 100 windows in 4 zones, 10 queues, 8 kiosks, 5 displays.

``python -m tests.perf.make_big_hall`` rewrites it; the file is committed so the benchmark needs no step."""

from __future__ import annotations

from pathlib import Path

import yaml

WINDOWS = 100
QUEUES = 10
ZONES = ("east", "west", "north", "south")
ZONE_NAMES = {"east": "东区", "west": "西区", "north": "北区", "south": "南区"}
KIOSKS = 8
TARGET = Path(__file__).resolve().parent / "big_hall.yaml"


def big_hall() -> dict:
    queues = [{"id": f"q{index}", "name": f"第{index + 1}类业务", "prefix": chr(ord("A") + index),
               "kind": "subject"} for index in range(QUEUES)]
    services = [{"id": f"s{index}-{variant}", "name": f"第{index + 1}类业务事项{variant}", "department": "bureau",
                 "queue": f"q{index}", "area": "all", "average_minutes": 10} for index in range(QUEUES)
                for variant in (1, 2)]
    # Each window serves its own queue first and its neighbour's second, so every queue has 20 windows.
    windows = [{"id": f"w{number}", "number": number, "name": f"{number}号窗口", "zone": ZONES[number % len(ZONES)],
                "kind": "subject", "queues": [f"q{number % QUEUES}", f"q{(number + 1) % QUEUES}"]}
               for number in range(1, WINDOWS + 1)]
    return {
        "id": "big", "name": "基准测试政务服务大厅", "name_en": "Benchmark Service Hall", "level": "county",
        "timezone": "Asia/Shanghai", "hours": [],
        "call_template": "请{ticket}号到{window}号窗口办理", "ticket_notice": "过号请重新取号",
        "zones": [{"id": zone, "name": ZONE_NAMES[zone]} for zone in ZONES],
        "departments": [{"id": "bureau", "name": "县政务服务管理局"}],
        "areas": [{"id": "all", "name": "全部业务"}],
        "queues": queues, "services": services, "windows": windows,
        "priority": {"priority_calls": 1, "normal_calls": 3,
                     "classes": [{"id": "elderly", "name": "老年人"}]},
        "kiosks": [{"id": f"k{index}", "name": f"{index}号取号机", "zone": ZONES[index % len(ZONES)]}
                   for index in range(1, KIOSKS + 1)],
        "displays": [{"id": "lobby", "name": "大厅综合屏", "zones": list(ZONES), "voice": True}]
        + [{"id": f"{zone}-screen", "name": f"{ZONE_NAMES[zone]}叫号屏", "zones": [zone]} for zone in ZONES],
    }


def main() -> None:
    header = "# The benchmark hall (100 windows); rewrite it with `python -m tests.perf.make_big_hall`.\n"
    TARGET.write_text(header + yaml.safe_dump({"sites": [big_hall()]}, allow_unicode=True, sort_keys=False,
                                              width=110))
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
