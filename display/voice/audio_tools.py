"""The espeak-ng and sox command lines the pack builder runs.

Kept apart from the builder so the exact commands (voice, speed, trimming, loudness) can be
read and tuned in one place.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from display.voice.pack_script import ScriptLine

SAMPLE_RATE = 22050  # espeak-ng's own rate: no resampling of synthesised clips, and small files
VOICE_VARIANT = "+f2"  # a female variant: halls mostly announce with a female voice
SPEED_WPM = 175  # espeak-ng's default pace; single syllables come out slow and clear at it anyway
# espeak-ng's Mandarin tones span only a few semitones by default; a wider range makes
# 四 (falling) and 五 (dipping) easy to tell apart over hall noise
PITCH_RANGE = "x-high"
PEAK_DB = -1.0
# Silence below this level at either end is cut. Low enough to keep the weak onset of
# x-, s-, q- syllables, high enough to cut the room noise of a quiet recording.
TRIM_THRESHOLD = "-45d"


# -D: no dither, so rebuilding the pack gives the same bytes and silence stays silent
SOX = ["sox", "-D"]
WAV_OUTPUT = ["-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]


class AudioToolError(RuntimeError):
    """espeak-ng or sox is missing or failed; the message says which and why."""


def require_tools(*names: str) -> None:
    missing = [name for name in names if shutil.which(name) is None]
    if missing:
        raise AudioToolError(
            f"缺少工具 / missing tools: {', '.join(missing)} (Debian/Ubuntu: apt-get install espeak-ng sox)"
        )


def run(command: list[str]) -> str:
    try:
        finished = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    except OSError as error:
        raise AudioToolError(f"{command[0]}: {error}") from None
    if finished.returncode != 0:
        raise AudioToolError(f"{' '.join(command)} failed ({finished.returncode}): {finished.stderr.strip()}")
    return finished.stdout


def espeak_command(line: ScriptLine, target: Path) -> list[str]:
    """Phonemes go to the cmn voice in [[…]]; pinyin with tone numbers goes to the pinyin voice.

    Chinese characters are not used as input: espeak-ng 1.51's cmn voice reads their pinyin
    back as English words ("请" comes out as "king three").
    """
    if line.phonemes:
        # phoneme input cannot sit inside SSML (espeak-ng reads the closing tags aloud), so
        # letters keep the default pitch range; they carry no Chinese tone to make clear
        voice, options, text = "cmn", [], f"[[{line.phonemes}]]"
    else:
        voice, options = "cmn-latn-pinyin", ["-m"]
        text = f'<speak><prosody range="{PITCH_RANGE}">{line.pinyin}</prosody></speak>'
    command = ["espeak-ng", "-v", voice + VOICE_VARIANT, "-s", str(SPEED_WPM), "-z", *options]
    return [*command, "-w", str(target), text]


def spoken_phonemes(line: ScriptLine) -> str:
    """What espeak-ng will say for a line, as phoneme mnemonics with tone numbers (55 35 21 51)."""
    command = espeak_command(line, Path("/dev/null"))
    command[command.index("-w") : command.index("-w") + 2] = ["-q", "-x"]
    return run(command).strip()


def synthesize(line: ScriptLine, target: Path) -> None:
    run(espeak_command(line, target))


def finish_clip(source: Path, target: Path, highpass: bool = False) -> None:
    """Trim silence at both ends, bring the peak to PEAK_DB, write mono 16-bit WAV.

    ``highpass`` removes the rumble of microphones in a real room; synthetic speech has none.
    """
    effects = ["highpass", "80"] if highpass else []
    effects += ["norm", str(PEAK_DB)]
    # trim the start, fade in, then the same on the reversed clip for its end: short fades keep a
    # clip cut mid-waveform from clicking when clips are joined (sox cannot fade out before it
    # knows the trimmed length)
    trim = ["silence", "1", "0.01", TRIM_THRESHOLD]
    effects += [*trim, "fade", "t", "0.004", "reverse", *trim, "fade", "t", "0.008", "reverse"]
    effects += ["norm", str(PEAK_DB)]
    run([*SOX, str(source), *WAV_OUTPUT, str(target), *effects])


def make_chime(target: Path, work: Path) -> None:
    """A two-tone ding-dong (E5 then C5, ~0.8 s), each note a sine with a soft octave, fading out over its length."""

    def note(name: str, hertz: float, length: float) -> Path:
        path = work / f"{name}.wav"
        # two input channels so synth makes one tone in each, then mixed down 4:1
        tones = ["synth", str(length), "sine", str(hertz), "sine", str(hertz * 2), "remix", "1v0.8,2v0.2"]
        decay = ["fade", "t", "0.005", str(length), str(length - 0.02)]
        run([*SOX, "-r", str(SAMPLE_RATE), "-c", "2", "-n", *WAV_OUTPUT, str(path), *tones, *decay])
        return path

    ding = note("ding", 659.25, 0.42)
    dong = note("dong", 523.25, 0.5)
    delayed = work / "dong_delayed.wav"
    run([*SOX, str(dong), str(delayed), "pad", "0.3"])
    run([*SOX, "-m", str(ding), str(delayed), *WAV_OUTPUT, str(target), "norm", "-3"])
