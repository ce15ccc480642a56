"""The committed voice pack (display/static/voice/default) and the tool that builds it."""

from __future__ import annotations

import array
import json
import math
import shutil
import string
import subprocess
import wave
from pathlib import Path

import pytest

from display.voice.build_pack import PackBuildError, build_pack, read_extra_lines, recording_sheet
from display.voice.manifest import CHIME, load_manifest, pack_folder
from display.voice.pack_check import pack_problems, tone_problems
from display.voice.pack_script import SCRIPT
from display.voice.speech import DEFAULT_TEMPLATE, call_clips

PACK = pack_folder("default")
MANIFEST = json.loads((PACK / "manifest.json").read_text(encoding="utf-8"))
FILES = {name: clip["file"] for name, clip in MANIFEST["clips"].items()} | {CHIME: MANIFEST["chime"]}
DURATIONS = {name: clip["duration_ms"] for name, clip in MANIFEST["clips"].items()}
DURATIONS[CHIME] = MANIFEST["chime_duration_ms"]
needs_audio_tools = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")), reason="espeak-ng and sox are not installed"
)


def read_samples(path: Path) -> tuple[wave._wave_params, array.array]:
    with wave.open(str(path), "rb") as sound:
        params = sound.getparams()
        samples = array.array("h", sound.readframes(sound.getnframes()))
    return params, samples


def rms_dbfs(samples: array.array) -> float:
    power = sum(sample * sample for sample in samples) / max(len(samples), 1)
    return 10 * math.log10(power / 32768**2) if power else -math.inf


def test_the_manifest_lists_exactly_the_sound_files_in_the_pack() -> None:
    on_disk = {path.name for path in PACK.glob("*.wav")}

    assert set(FILES.values()) == on_disk
    assert len(set(FILES.values())) == len(FILES), "two clips share a file"


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_file_is_a_mono_16_bit_wav_that_lasts_what_the_manifest_says_and_is_audible(name: str) -> None:
    params, samples = read_samples(PACK / FILES[name])

    assert (params.nchannels, params.sampwidth) == (1, 2)
    assert params.framerate in (16000, 22050)
    duration_ms = params.nframes * 1000 / params.framerate
    assert duration_ms > 0
    assert abs(duration_ms - DURATIONS[name]) <= 5
    assert rms_dbfs(samples) > -40, f"{FILES[name]} is silent"


def test_every_letter_digit_and_window_up_to_199_can_be_announced() -> None:
    pack = load_manifest("default")

    for letter in string.ascii_uppercase:
        clips = call_clips(DEFAULT_TEMPLATE, f"{letter}0123456789", "1", pack)
        assert letter in clips
    for window in range(1, 200):
        clips = call_clips(DEFAULT_TEMPLATE, "A001", str(window), pack)
        assert all(clip == CHIME or clip in pack.clips for clip in clips)


def test_a_joined_call_lasts_between_two_and_five_seconds() -> None:
    pack = load_manifest("default")
    clips = [clip for clip in call_clips(DEFAULT_TEMPLATE, "A012", "5", pack) if clip != CHIME]
    frames_ms = sum(
        read_samples(PACK / FILES[clip])[0].nframes * 1000 / read_samples(PACK / FILES[clip])[0].framerate
        for clip in clips
    )
    pauses_ms = MANIFEST["pauses_ms"]["between_clips"] * (len(clips) - 1)

    assert 2000 <= frames_ms + pauses_ms <= 5000


def test_the_chime_is_a_ding_dong_of_about_eight_tenths_of_a_second() -> None:
    params, samples = read_samples(PACK / MANIFEST["chime"])

    assert 600 <= params.nframes * 1000 / params.framerate <= 1000
    half = len(samples) // 2
    assert rms_dbfs(samples[:half]) > -30 and rms_dbfs(samples[half:]) > -35  # two notes, not one and a tail


def test_the_whole_pack_stays_under_one_and_a_half_megabytes() -> None:
    assert sum(path.stat().st_size for path in PACK.iterdir()) < 1_500_000


def test_the_pack_passes_its_own_checks() -> None:
    assert pack_problems(load_manifest("default")) == []


def test_the_digits_carry_their_mandarin_tones() -> None:
    # 一三七八千 level, 零十 rising, 五九百 dipping, 二四六 falling: measured from the pitch line
    assert tone_problems(load_manifest("default")) == []


def test_the_recording_sheet_names_a_file_and_a_text_for_every_clip() -> None:
    sheet = recording_sheet().splitlines()

    assert len(sheet) == 1 + len(SCRIPT)
    assert "qing.wav\t请\tqing3" in sheet
    assert {line.name for line in SCRIPT} == set(MANIFEST["clips"])


@pytest.mark.slow
@needs_audio_tools
def test_the_builder_makes_the_same_clips_as_the_committed_pack(tmp_path: Path) -> None:
    built = build_pack(tmp_path / "default")

    committed = load_manifest("default")
    assert {name: clip.text for name, clip in built.clips.items()} == {
        name: clip.text for name, clip in committed.clips.items()
    }
    assert pack_problems(built) == []


@pytest.mark.slow
@needs_audio_tools
def test_a_hall_can_build_a_pack_from_its_own_recordings_with_extra_phrases(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    # stand-ins for a speaker's takes: the default clips as a recorder saves them, stereo at
    # 44.1 kHz with half a second of silence either side
    takes = {line.name: PACK / f"{line.name}.wav" for line in SCRIPT} | {"guke": PACK / "qing.wav"}
    for name, source in takes.items():
        command = [
            "sox",
            str(source),
            "-r",
            "44100",
            "-c",
            "2",
            str(recordings / f"{name}.wav"),
            "pad",
            "0.5",
            "0.5",
        ]
        subprocess.run(command, check=True)
    (recordings / "extra.tsv").write_text("# 顾客 for our template\nguke\t顾客\n", encoding="utf-8")

    pack = build_pack(tmp_path / "our-hall", name="our-hall", recordings=recordings)

    assert pack.name == "our-hall"
    assert pack.clips["guke"].text == "顾客"
    assert call_clips("请{ticket}号顾客到{window}号窗口办理", "A1", "2", pack)[4:6] == ["hao", "guke"]
    params, _ = read_samples(tmp_path / "our-hall" / "qing.wav")
    assert (params.nchannels, params.framerate) == (1, 22050)
    assert pack.clips["qing"].duration_ms < DURATIONS["qing"] + 100, "the silence around the take was kept"


@needs_audio_tools
def test_building_from_recordings_names_every_missing_take(tmp_path: Path) -> None:
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    shutil.copy(PACK / "qing.wav", recordings / "qing.wav")

    with pytest.raises(PackBuildError) as refused:
        build_pack(tmp_path / "pack", recordings=recordings)

    assert "hao.wav (号)" in str(refused.value) and "Z.wav (Z)" in str(refused.value)
    assert "qing.wav" not in str(refused.value)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("guke", "expected name<TAB>text"),
        ("guke\t", "expected name<TAB>text"),
        ("../guke\t顾客", "must be letters, digits"),
        ("chime\t叮咚", "must be letters, digits"),
        ("qing\t请", "already exists"),
    ],
)
def test_a_bad_line_in_extra_tsv_is_refused_with_its_line_number(
    tmp_path: Path, row: str, reason: str
) -> None:
    (tmp_path / "extra.tsv").write_text(f"# extra phrases\n{row}\n", encoding="utf-8")

    with pytest.raises(PackBuildError, match=reason) as refused:
        read_extra_lines(tmp_path)

    assert "extra.tsv:2:" in str(refused.value)


def test_a_sound_file_the_manifest_does_not_list_is_reported(tmp_path: Path) -> None:
    copy = shutil.copytree(PACK, tmp_path / "default")
    shutil.copy(copy / "qing.wav", copy / "old_qing.wav")

    assert pack_problems(load_manifest(copy)) == [
        "old_qing.wav: 不在清单中，请删除 / not in the manifest, remove it"
    ]
