"""Which clips of a voice pack a call is played from, and how a pack's manifest is read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from display.voice.manifest import CHIME, ManifestError, load_manifest, manifest_from_json
from display.voice.speech import DEFAULT_TEMPLATE, MissingClipError, call_clips, clips_for_text

DIGIT_NAMES = ["ling", "yi", "er", "san", "si", "wu", "liu", "qi", "ba", "jiu"]
DIGIT_CLIPS = dict(zip(DIGIT_NAMES, "零一二三四五六七八九", strict=True))


def pack_json(texts: dict[str, str], chime: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "test",
        "language": "zh-CN",
        "clips": {
            name: {"file": f"{name}.wav", "text": text, "duration_ms": 300} for name, text in texts.items()
        },
    }
    if chime:
        data |= {"chime": "chime.wav", "chime_duration_ms": 800}
    return data


def make_pack(extra: dict[str, str] | None = None, chime: bool = True) -> Any:
    texts = DIGIT_CLIPS | {
        "shi": "十",
        "bai": "百",
        "A": "A",
        "B": "B",
        "qing": "请",
        "hao": "号",
        "dao": "到",
    }
    texts |= {"chuangkou": "窗口", "banli": "办理"}
    return manifest_from_json(pack_json(texts | (extra or {}), chime))


def test_a_call_is_the_chime_then_the_phrases_and_readings_in_order() -> None:
    clips = call_clips(DEFAULT_TEMPLATE, "A012", "5", make_pack())

    assert clips == [
        CHIME, "qing", "A", "ling", "yi", "er", "hao", "dao", "wu", "hao", "chuangkou", "banli",
    ]  # fmt: skip


def test_whole_phrase_clips_are_preferred_to_single_syllables() -> None:
    pack = make_pack({"hao_dao": "号到", "hao_chuangkou_banli": "号窗口办理"})

    clips = call_clips(DEFAULT_TEMPLATE, "B003", "12", pack)

    assert clips == [CHIME, "qing", "B", "ling", "ling", "san", "hao_dao", "shi", "er", "hao_chuangkou_banli"]


def test_a_phrase_clip_never_swallows_part_of_the_ticket_or_window_reading() -> None:
    # "一号" is a clip, but the 一 belongs to the ticket and the 号 to the template
    pack = make_pack({"yi_hao": "一号"})

    assert call_clips("{ticket}号", "A1", "", pack) == [CHIME, "A", "yi", "hao"]


def test_the_fewest_clips_are_chosen_even_when_the_longest_first_match_leads_nowhere() -> None:
    pack = manifest_from_json(pack_json({"ab": "甲乙", "bcd": "乙丙丁", "a": "甲"}))

    assert clips_for_text("甲乙丙丁", pack) == ["a", "bcd"]


def test_a_pack_without_a_chime_starts_straight_with_the_words() -> None:
    assert call_clips("{ticket}", "A1", "", make_pack(chime=False)) == ["A", "yi"]


def test_a_template_phrase_the_pack_cannot_say_is_refused_naming_the_missing_sound() -> None:
    with pytest.raises(MissingClipError) as missing:
        call_clips("请{ticket}号顾客到{window}号窗口办理", "A012", "5", make_pack())

    assert "顾" in str(missing.value)
    assert "号顾客到" in str(missing.value)
    assert "test" in str(missing.value)


def test_a_window_letter_the_pack_cannot_say_is_refused() -> None:
    with pytest.raises(MissingClipError, match="'C'"):
        call_clips(DEFAULT_TEMPLATE, "A012", "C3", make_pack())


def test_the_length_of_a_call_adds_the_chime_clips_and_pauses() -> None:
    pack = make_pack()
    pauses = pack.pauses_ms

    assert pack.duration_ms(["A", "yi"]) == 300 + pauses["between_clips"] + 300
    assert pack.duration_ms([CHIME, "A"]) == 800 + pauses["after_chime"] + 300


def test_a_manifest_round_trips_through_json(tmp_path: Path) -> None:
    pack = make_pack()
    (tmp_path / "manifest.json").write_text(json.dumps(pack.to_json(), ensure_ascii=False), encoding="utf-8")

    loaded = load_manifest(tmp_path)

    assert loaded.clips == pack.clips
    assert (loaded.chime, loaded.chime_duration_ms, loaded.pauses_ms) == (pack.chime, 800, pack.pauses_ms)
    assert loaded.folder == tmp_path


def test_the_committed_pack_is_found_by_name() -> None:
    pack = load_manifest("default")

    assert (pack.name, pack.language) == ("default", "zh-CN")
    assert call_clips(DEFAULT_TEMPLATE, "A012", "5", pack)[:3] == [CHIME, "qing", "A"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda data: data.pop("name"), "name"),
        (lambda data: data.update(language=""), "language"),
        (lambda data: data.update(clips={}), "clips"),
        (
            lambda data: data["clips"].update(chime={"file": "c.wav", "text": "叮", "duration_ms": 5}),
            "clips.chime",
        ),
        (lambda data: data["clips"]["yi"].update(file="../yi.wav"), "clips.yi.file"),
        (lambda data: data["clips"]["yi"].update(text=" 一"), "clips.yi.text"),
        (lambda data: data["clips"]["yi"].update(duration_ms=0), "clips.yi.duration_ms"),
        (lambda data: data["clips"]["yi"].update(duration_ms=True), "clips.yi.duration_ms"),
        (lambda data: data["clips"]["er"].update(text="一"), "clips.er.text"),
        (lambda data: data.update(chime_duration_ms=0), "chime_duration_ms"),
        (lambda data: data.update(pauses_ms={"after_ding": 100}), "pauses_ms.after_ding"),
        (lambda data: data.update(pauses_ms={"between_clips": -1}), "pauses_ms.between_clips"),
    ],
)
def test_a_manifest_with_a_mistake_is_refused_naming_the_place(change: Any, where: str) -> None:
    data = pack_json({"yi": "一", "er": "二"})
    change(data)

    with pytest.raises(ManifestError, match=f"pack.json: {where}:"):
        manifest_from_json(data, source="pack.json")


def test_a_missing_or_broken_manifest_file_is_refused_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="not found"):
        load_manifest(tmp_path)

    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ManifestError, match="not valid JSON"):
        load_manifest(tmp_path / "manifest.json")
