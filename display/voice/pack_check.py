"""Check a voice pack on disk: every file present and audible, every call it must say sayable.

Used by the builder after it writes a pack, and by anyone handed a pack recorded elsewhere.
"""

from __future__ import annotations

import string
import wave
from dataclasses import dataclass
from pathlib import Path

from display.voice.manifest import CHIME, Manifest
from display.voice.measure import pitch_contour, read_wav, rms_dbfs, tone_shape
from display.voice.pack_script import NUMBERS
from display.voice.speech import DEFAULT_TEMPLATE, MissingClipError, call_clips

QUIETEST_DBFS = -40.0  # a clip whose RMS level is below this is taken as silent or broken
LONGEST_PACK_BYTES = 1_500_000
SAMPLE_CALL = ("A012", "5")  # "请A012号到5号窗口办理"
CALL_SECONDS = (2.0, 5.0)  # a call without its chime should last this long
EXPECTED_SHAPES = {"1": {"level"}, "2": {"rising"}, "3": {"falling", "dipping"}, "4": {"falling"}}


@dataclass(frozen=True)
class ClipMeasure:
    name: str
    file: str
    duration_ms: int
    level_dbfs: float
    size_bytes: int


def needed_calls() -> list[tuple[str, str]]:
    """A ticket for every letter and digit, and windows 1–199: what any hall may need said."""
    tickets = [letter + "0123456789" for letter in string.ascii_uppercase]
    return [(ticket, "1") for ticket in tickets] + [("A001", str(window)) for window in range(1, 200)]


def measure_files(pack: Manifest) -> tuple[list[ClipMeasure], list[str]]:
    """Measure every file of the pack; unreadable or missing files are reported, not raised."""
    if pack.folder is None:
        raise ValueError(f"voice pack {pack.name!r} was not loaded from disk: nothing to measure")
    files = [(clip.name, clip.file) for clip in pack.clips.values()]
    if pack.chime:
        files.append((CHIME, pack.chime))
    measures, problems = [], []
    for name, file in files:
        path = pack.folder / file
        try:
            sound = read_wav(path)
        except (OSError, EOFError, wave.Error, ValueError) as error:
            problems.append(f"{file}: 无法读取 / unreadable: {error}")
            continue
        measures.append(
            ClipMeasure(name, file, sound.duration_ms, rms_dbfs(sound.samples), path.stat().st_size)
        )
    return measures, problems


def pack_problems(pack: Manifest, template: str = DEFAULT_TEMPLATE) -> list[str]:
    """Everything wrong with the pack, in words; an empty list means it is fit to ship."""
    measures, problems = measure_files(pack)
    declared = {clip.name: clip.duration_ms for clip in pack.clips.values()}
    declared[CHIME] = pack.chime_duration_ms
    for measure in measures:
        if measure.duration_ms == 0 or measure.level_dbfs < QUIETEST_DBFS:
            problems.append(f"{measure.file}: 无声 / silent ({measure.level_dbfs:.1f} dBFS)")
        if abs(measure.duration_ms - declared[measure.name]) > 5:
            problems.append(
                f"{measure.file}: 时长不符 / lasts {measure.duration_ms} ms, manifest says {declared[measure.name]}"
            )
    listed = {clip.file for clip in pack.clips.values()} | {pack.chime}
    for path in sorted(pack.folder.glob("*.wav")) if pack.folder else []:
        if path.name not in listed:
            problems.append(f"{path.name}: 不在清单中，请删除 / not in the manifest, remove it")
    total = sum(measure.size_bytes for measure in measures)
    if total > LONGEST_PACK_BYTES:
        problems.append(f"语音包过大 / pack is {total} bytes, more than {LONGEST_PACK_BYTES}")
    for ticket, window in needed_calls():
        try:
            call_clips(template, ticket, window, pack)
        except MissingClipError as error:
            problems.append(str(error))
    if not problems:
        seconds = sample_call_ms(pack) / 1000
        if not CALL_SECONDS[0] <= seconds <= CALL_SECONDS[1]:
            problems.append(
                f"叫号时长 / a call lasts {seconds:.2f} s, outside {CALL_SECONDS[0]}–{CALL_SECONDS[1]} s"
            )
    return problems


def sample_call_ms(pack: Manifest, with_chime: bool = False) -> int:
    names = call_clips(DEFAULT_TEMPLATE, *SAMPLE_CALL, pack)
    return pack.duration_ms(names if with_chime else [name for name in names if name != CHIME])


def tone_problems(pack: Manifest, folder: Path | None = None) -> list[tuple[str, str, str]]:
    """(clip, expected tone, heard shape) for number clips whose pitch does not move as their tone should."""
    folder = folder or pack.folder
    if folder is None:
        raise ValueError(f"voice pack {pack.name!r} was not loaded from disk: nothing to measure")
    by_text = pack.clip_by_text()
    wrong = []
    for line in NUMBERS:
        name = by_text.get(line.text)
        if name is None:
            continue
        tone = line.pinyin[-1]
        shape = tone_shape(pitch_contour(read_wav(folder / pack.clips[name].file)))
        if shape not in EXPECTED_SHAPES[tone]:
            wrong.append((name, tone, shape))
    return wrong
