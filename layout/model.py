"""The hall layout as typed, immutable values.

A layout is loaded and validated once (see ``layout.loader``); everything else in the
product reads these objects and never the YAML. Ids are unique within their site.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

QueueKind = Literal["subject", "general", "pickup", "consult"]
WindowKind = QueueKind
Authority = Literal["accept", "handle"]  # 受理 only, or 即办 (handle at once)
PrinterType = Literal["network", "usb", "serial", "file", "cups", "dummy", "agent"]
Delivery = Literal["pickup", "mail"]  # 出件: handed out at the 综合出件 window, or mailed


@dataclass(frozen=True)
class OpeningPeriod:
    """One opening period on the given ISO weekdays (1 = Monday)."""

    days: tuple[int, ...]
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class Floor:
    id: str
    name: str  # as people say it: 一楼, 三楼
    name_en: str = ""


@dataclass(frozen=True)
class Zone:
    """A function area of the hall (综合受理, 综合出件, 企业服务专区…)."""

    id: str
    name: str
    floor: str | None = None
    name_en: str = ""


@dataclass(frozen=True)
class Department:
    id: str
    name: str


@dataclass(frozen=True)
class Queue:
    id: str
    name: str
    prefix: str  # one or two capital letters, unique per site
    kind: QueueKind
    daily_cap: int | None = None  # 今日号源 for the whole queue
    name_en: str = ""
    target_minutes: int = 30  # the wait the hall promises; statistics and alerts measure against it
    alert_waiting: int | None = None  # alert the manager when this many wait


@dataclass(frozen=True)
class ServiceAppointments:
    """预约: an item bookable in slots of ``slot_minutes``, ``per_slot`` citizens each, up to ``days_ahead``
    local days ahead (today excluded); what a slot does not offer stays with walk-in tickets."""

    slot_minutes: int = 30
    per_slot: int = 2
    days_ahead: int = 7


@dataclass(frozen=True)
class Service:
    """An item (事项) a citizen can take a ticket for."""

    id: str
    name: str
    department: str
    queue: str | None  # home queue; None when it is only served through a delegation
    average_minutes: float = 10.0
    checklist: tuple[str, ...] = ()  # 受理审查标准: materials to check
    area: str | None = None  # kiosk tile this item is listed under (a zone or a theme)
    daily_cap: int | None = None
    name_en: str = ""
    promised_days: int = 0  # 承诺时限 in working days; 0 for 即办
    delivery: tuple[Delivery, ...] = ("pickup",)
    appointments: ServiceAppointments | None = None  # None: not bookable


@dataclass(frozen=True)
class Overflow:
    """The window may take tickets of ``queue`` once its oldest has waited ``after_minutes``."""

    queue: str
    after_minutes: float


@dataclass(frozen=True)
class Window:
    id: str
    number: str  # as shown and announced: "5", "12"
    name: str  # "5号窗口 企业登记"
    zone: str
    kind: WindowKind
    queues: tuple[str, ...]  # served in this order
    overflow: tuple[Overflow, ...] = ()
    may_serve: tuple[str, ...] = ()  # queues a manager may assign to the window besides its own (弹性窗口)
    printer: PrinterConfig | None = None  # a receipt printer at the window: its documents (受理通知书…) print there


@dataclass(frozen=True)
class Delegation:
    """委托: a department delegates acceptance of items to the general windows of a queue."""

    id: str
    department: str
    services: tuple[str, ...]
    queue: str  # the general queue that takes the items while the delegation is in force
    valid_from: dt.date
    valid_until: dt.date
    authority: Authority = "accept"
    responsibilities: str = ""


@dataclass(frozen=True)
class PriorityClass:
    id: str
    name: str  # 老年人, 残疾人, 军人, 预约
    name_en: str = ""


@dataclass(frozen=True)
class Priority:
    """Priority tickets and normal tickets are called ``priority_calls`` : ``normal_calls``
    when both wait, so neither side starves."""

    classes: tuple[PriorityClass, ...] = ()
    priority_calls: int = 2
    normal_calls: int = 1


@dataclass(frozen=True)
class PrinterConfig:
    type: PrinterType
    host: str | None = None
    port: int = 9100
    device: str | None = None  # serial/file device path, CUPS printer name
    usb_vendor: int | None = None
    usb_product: int | None = None
    baudrate: int = 9600
    paper_mm: Literal[58, 80] = 80
    qr: Literal["native", "image"] = "native"
    timeout_s: float = 3.0
    status_check: bool = True  # off for one-way links (e.g. a forwarder to /dev/usb/lp0) that never answer


@dataclass(frozen=True)
class Kiosk:
    id: str
    name: str
    zone: str | None = None
    printer: PrinterConfig | None = None
    areas: tuple[str, ...] = ()  # kiosk tiles shown, by area id; empty = all


@dataclass(frozen=True)
class Display:
    id: str
    name: str
    zones: tuple[str, ...]
    voice: bool = True
    voice_repeat: int = 1
    notice: str = ""


@dataclass(frozen=True)
class Area:
    """A kiosk tile grouping items (企业服务, 不动产, 公安…)."""

    id: str
    name: str
    name_en: str = ""


@dataclass(frozen=True)
class AppointmentRules:
    """When a booked citizen may check in ([start − early, start + late]) and how much one person may book."""

    early_minutes: int = 30
    late_minutes: int = 15
    per_person_per_day: int = 1


@dataclass(frozen=True)
class RatingLevel:
    level: int  # 5 非常满意 … 1 非常不满意
    name: str
    name_en: str = ""


@dataclass(frozen=True)
class RatingReason:
    id: str
    name: str
    name_en: str = ""


@dataclass(frozen=True)
class RatingRules:
    """好差评: the form (empty lists take the shipped default) and the rectification deadline of a bad rating."""

    rectify_working_days: int = 5
    levels: tuple[RatingLevel, ...] = ()
    reasons: tuple[RatingReason, ...] = ()


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    level: Literal["county", "branch", "devzone", "township", "village"]
    timezone: str  # IANA name, e.g. "Asia/Shanghai"
    hours: tuple[OpeningPeriod, ...]
    floors: tuple[Floor, ...] = ()
    zones: tuple[Zone, ...] = ()
    departments: tuple[Department, ...] = ()
    areas: tuple[Area, ...] = ()
    queues: tuple[Queue, ...] = ()
    services: tuple[Service, ...] = ()
    windows: tuple[Window, ...] = ()
    delegations: tuple[Delegation, ...] = ()
    priority: Priority = field(default_factory=Priority)
    kiosks: tuple[Kiosk, ...] = ()
    displays: tuple[Display, ...] = ()
    call_template: str = "请{ticket}号到{window}号窗口办理"
    ticket_notice: str = "过号请重新取号"
    requeue_minutes: float = 30.0  # 过号重排: how long after a no-show a clerk may put the ticket back in line
    name_en: str = ""
    holidays: tuple[dt.date, ...] = ()  # 法定节假日 falling on weekdays: not working days
    workdays: tuple[dt.date, ...] = ()  # 调休 make-up days falling on weekends: working days
    appointments: AppointmentRules = field(default_factory=AppointmentRules)
    rating: RatingRules = field(default_factory=RatingRules)

    def queue(self, queue_id: str) -> Queue | None:
        return next((q for q in self.queues if q.id == queue_id), None)

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def window(self, window_id: str) -> Window | None:
        return next((w for w in self.windows if w.id == window_id), None)

    def zone(self, zone_id: str) -> Zone | None:
        return next((z for z in self.zones if z.id == zone_id), None)

    def floor(self, floor_id: str) -> Floor | None:
        return next((f for f in self.floors if f.id == floor_id), None)

    def kiosk(self, kiosk_id: str) -> Kiosk | None:
        return next((k for k in self.kiosks if k.id == kiosk_id), None)

    def display(self, display_id: str) -> Display | None:
        return next((d for d in self.displays if d.id == display_id), None)

    def department(self, department_id: str) -> Department | None:
        return next((d for d in self.departments if d.id == department_id), None)


@dataclass(frozen=True)
class Layout:
    sites: tuple[Site, ...]
    source: str = ""  # path of the file it was loaded from

    def site(self, site_id: str) -> Site | None:
        return next((s for s in self.sites if s.id == site_id), None)
