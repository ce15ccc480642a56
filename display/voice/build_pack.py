"""Build a voice pack: clips + manifest.json, offline, ready to commit under display/static/voice/.

    python -m display.voice.build_pack display/static/voice/default
    python -m display.voice.build_pack display/static/voice/our-hall --from-recordings recordings/ --name our-hall
    python -m display.voice.build_pack --script          # the recording sheet

Without recordings every clip is synthesised with espeak-ng's Mandarin voice. With
``--from-recordings DIR`` each clip comes from ``DIR/<name>.wav`` (any rate, mono or stereo),
and ``DIR/extra.tsv`` may add clips for a custom template, one ``name<TAB>text`` per line.
Either way sox trims, levels and converts every clip, then the pack is checked and the
build fails if anything is wrong.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

from display.voice.audio_tools import (
    AudioToolError,
    finish_clip,
    make_chime,
    require_tools,
    spoken_phonemes,
    synthesize,
)
from display.voice.manifest import CHIME, Clip, Manifest, load_manifest
from display.voice.measure import read_wav
from display.voice.pack_check import measure_files, pack_problems, sample_call_ms, tone_problems
from display.voice.pack_script import SCRIPT, ScriptLine
from display.voice.speech import DEFAULT_TEMPLATE

# espeak-ng's pitch contours per tone; tone 3 is the full 214 at the end of an utterance, 21 inside it
CLIP_NAME = re.compile(r"[A-Za-z0-9_-]+")  # becomes a file name: nothing that could leave the folder
ESPEAK_TONES = {"1": ("55",), "2": ("35",), "3": ("214", "21"), "4": ("51",)}


class PackBuildError(RuntimeError):
    """The pack could not be built or failed its checks; the message lists why."""


def recording_sheet() -> str:
    """The lines a speaker records, one file each."""
    rows = ["文件 file\t内容 text\t拼音 pinyin"]
    rows += [f"{line.name}.wav\t{line.text}\t{line.pinyin}" for line in SCRIPT]
    return "\n".join(rows)


def read_extra_lines(recordings: Path) -> list[ScriptLine]:
    path = recordings / "extra.tsv"
    if not path.exists():
        return []
    lines: list[ScriptLine] = []
    taken = {line.name for line in SCRIPT}
    for number, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not row.strip() or row.startswith("#"):
            continue
        fields = [field.strip() for field in row.split("\t")]
        if len(fields) != 2 or not fields[1]:
            raise PackBuildError(
                f"{path}:{number}: 需要“名称<TAB>内容” / expected name<TAB>text, got {row!r}"
            )
        name, text = fields
        if not CLIP_NAME.fullmatch(name) or name == CHIME:
            raise PackBuildError(
                f"{path}:{number}: 名称只能用字母、数字、_ 和 - / name {name!r} must be letters, digits, _ or -"
                f" (and not {CHIME!r})"
            )
        if name in taken:
            raise PackBuildError(f"{path}:{number}: 名称重复 / clip {name!r} already exists")
        taken.add(name)
        lines.append(ScriptLine(name=name, text=text, pinyin=""))
    return lines


def check_espeak_tones(lines: list[ScriptLine]) -> list[str]:
    """Lines whose espeak-ng phonemes carry a tone other than the pinyin asks for."""
    wrong = []
    for line in lines:
        if line.phonemes:
            continue
        wanted = [ESPEAK_TONES[syllable[-1]] for syllable in line.pinyin.split()]
        said = spoken_phonemes(line)
        heard = re.findall(r"(?<!\d)(55|35|214|21|51|11)(?!\d)", said)
        if len(wanted) != len(heard) or any(
            tone not in allowed for tone, allowed in zip(heard, wanted, strict=True)
        ):
            wrong.append(f"{line.name}: pinyin {line.pinyin} → espeak-ng {said}")
    return wrong


def build_pack(outdir: Path, name: str = "default", recordings: Path | None = None) -> Manifest:
    """Write every clip, the chime and manifest.json into ``outdir``; raise PackBuildError if the
    result fails its checks."""
    if recordings:
        require_tools("sox")
    else:
        require_tools("espeak-ng", "sox")
    lines = list(SCRIPT) + (read_extra_lines(recordings) if recordings else [])
    if recordings:
        missing = [
            f"{line.name}.wav ({line.text})"
            for line in lines
            if not (recordings / f"{line.name}.wav").exists()
        ]
        if missing:
            raise PackBuildError(f"缺少录音 / missing recordings in {recordings}: {', '.join(missing)}")
    else:
        wrong_tones = check_espeak_tones(lines)
        if wrong_tones:
            raise PackBuildError("声调不符 / wrong tones:\n" + "\n".join(wrong_tones))
    outdir.mkdir(parents=True, exist_ok=True)
    clips: dict[str, Clip] = {}
    with tempfile.TemporaryDirectory() as work_name:
        work = Path(work_name)
        for line in lines:
            source = recordings / f"{line.name}.wav" if recordings else work / f"{line.name}.raw.wav"
            if not recordings:
                synthesize(line, source)
            target = outdir / f"{line.name}.wav"
            finish_clip(source, target, highpass=recordings is not None)
            clips[line.name] = Clip(line.name, target.name, line.text, read_wav(target).duration_ms)
        chime = outdir / "chime.wav"
        make_chime(chime, work)
    manifest = Manifest(
        name=name,
        language="zh-CN",
        clips=clips,
        chime=chime.name,
        chime_duration_ms=read_wav(chime).duration_ms,
    )
    (outdir / "manifest.json").write_text(
        json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    written = load_manifest(outdir)
    problems = pack_problems(written)
    if problems:
        raise PackBuildError("语音包检查未通过 / the pack failed its checks:\n" + "\n".join(problems))
    return written


def report(pack: Manifest) -> str:
    measures, _ = measure_files(pack)
    rows = [f"{'clip':<22}{'text':<8}{'ms':>6}{'dBFS':>8}"]
    texts = {clip.name: clip.text for clip in pack.clips.values()} | {CHIME: "(chime)"}
    for measure in measures:
        rows.append(
            f"{measure.name:<22}{texts[measure.name]:<8}{measure.duration_ms:>6}{measure.level_dbfs:>8.1f}"
        )
    rows.append(f"total {sum(measure.size_bytes for measure in measures)} bytes in {len(measures)} files")
    rows.append(
        f"call 请A012号到5号窗口办理: {sample_call_ms(pack) / 1000:.2f} s, "
        f"{sample_call_ms(pack, with_chime=True) / 1000:.2f} s with the chime"
    )
    tones = tone_problems(pack)
    rows.append(
        "tones of 零…九 十 百 千: as expected"
        if not tones
        else "tones to listen to: "
        + ", ".join(f"{clip} (tone {tone}, heard {shape})" for clip, tone, shape in tones)
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m display.voice.build_pack", description=__doc__.split("\n")[0]
    )
    parser.add_argument("outdir", nargs="?", type=Path, help="folder to write the pack into")
    parser.add_argument("--name", default=None, help="pack name (default: the folder name)")
    parser.add_argument(
        "--from-recordings", type=Path, metavar="DIR", help="build from human recordings in DIR"
    )
    parser.add_argument("--script", action="store_true", help="print the recording sheet and exit")
    options = parser.parse_args(argv)
    if options.script:
        print(recording_sheet())
        return 0
    if options.outdir is None:
        parser.error("OUTDIR is required unless --script is given")
    if options.from_recordings and not options.from_recordings.is_dir():
        parser.error(f"--from-recordings: not a folder: {options.from_recordings}")
    try:
        pack = build_pack(
            options.outdir, options.name or options.outdir.resolve().name, options.from_recordings
        )
    except (PackBuildError, AudioToolError) as error:
        print(error, file=sys.stderr)
        return 1
    print(report(pack))
    print(f"template {DEFAULT_TEMPLATE}: pack written to {options.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
