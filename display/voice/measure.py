"""Measure clips with the standard library only: length, loudness and the pitch line.

The pitch line lets the pack builder check Mandarin tones without a listener: 一 (tone 1)
stays level, 十 (tone 2) rises, 四 (tone 4) falls. It is a plain autocorrelation tracker,
good enough for a single clean syllable, not a general pitch detector.
"""

from __future__ import annotations

import array
import math
import statistics
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

TRACK_RATE = 8000  # pitch is tracked on a copy resampled near this rate; speech pitch is far below it


@dataclass(frozen=True)
class Sound:
    samples: list[float]  # mono, -1.0 … 1.0
    rate: int

    @property
    def duration_ms(self) -> int:
        return round(len(self.samples) * 1000 / self.rate)


def read_wav(path: Path) -> Sound:
    """Read a 16-bit PCM WAV file, mixing channels down to mono."""
    with wave.open(str(path), "rb") as source:
        if source.getsampwidth() != 2:
            raise ValueError(f"{path}: expected 16-bit samples, got {8 * source.getsampwidth()}-bit")
        channels, rate = source.getnchannels(), source.getframerate()
        raw = array.array("h", source.readframes(source.getnframes()))
    if sys.byteorder == "big":
        raw.byteswap()  # WAV data is little-endian
    mono = [sum(raw[i : i + channels]) / channels / 32768 for i in range(0, len(raw), channels)]
    return Sound(samples=mono, rate=rate)


def rms_dbfs(samples: list[float]) -> float:
    """Root-mean-square level in dB below full scale; -inf for digital silence."""
    if not samples:
        return -math.inf
    power = sum(sample * sample for sample in samples) / len(samples)
    return 10 * math.log10(power) if power > 0 else -math.inf


def _downsample(sound: Sound) -> tuple[list[float], int]:
    # averaging blocks is a crude low-pass, enough to keep aliasing out of the 70–400 Hz range
    factor = max(1, sound.rate // TRACK_RATE)
    samples = sound.samples
    blocks = [sum(samples[i : i + factor]) / factor for i in range(0, len(samples) - factor + 1, factor)]
    return blocks, sound.rate // factor


def pitch_contour(
    sound: Sound, hop_ms: int = 10, window_ms: int = 40, lowest_hz: float = 70, highest_hz: float = 400
) -> list[float | None]:
    """Fundamental frequency per frame in Hz, None where the frame is unvoiced or quiet."""
    samples, rate = _downsample(sound)
    window, hop = rate * window_ms // 1000, rate * hop_ms // 1000
    shortest_lag, longest_lag = int(rate / highest_hz), int(rate / lowest_hz) + 1
    loudest = max((abs(sample) for sample in samples), default=0.0)
    contour: list[float | None] = []
    for start in range(0, len(samples) - window - longest_lag, hop):
        frame = samples[start : start + window + longest_lag]
        energy = sum(value * value for value in frame[:window])
        if energy / window < (0.05 * loudest) ** 2:
            contour.append(None)
            continue
        scores = []
        for lag in range(shortest_lag, longest_lag):
            shifted = frame[lag : lag + window]
            product = sum(a * b for a, b in zip(frame[:window], shifted, strict=True))
            scores.append(product / (math.sqrt(energy * sum(value * value for value in shifted)) or 1.0))
        best = max(scores)
        # a period repeats at twice its lag too, often scoring a hair higher: take the shortest
        # lag that scores nearly as well, or the tracker jumps an octave down
        lag = shortest_lag + next(index for index, score in enumerate(scores) if score >= 0.9 * best)
        contour.append(rate / lag if best > 0.6 else None)
    return contour


def tone_shape(contour: list[float | None]) -> str:
    """Describe a syllable's pitch as "level", "rising", "falling" or "dipping" (or "unvoiced").

    Compares the start and end of the voiced part in semitones, and its lowest point with the
    highest points before and after it (a voiced onset such as the w of 五 starts low and glides
    up before the tone proper). A synthetic tone 1 drifts up by a couple of semitones, so rising
    and falling need more than 2.5; a dip of 1.5 on both sides is already heard as tone 3.
    """
    voiced = [hz for hz in contour if hz]
    if len(voiced) < 8:
        return "unvoiced"
    smooth = [statistics.median(voiced[i : i + 3]) for i in range(len(voiced) - 2)]
    edge = len(smooth) // 5
    start, end = statistics.median(smooth[:edge]), statistics.median(smooth[-edge:])
    low_at = min(range(edge, len(smooth) - edge), key=lambda index: smooth[index])

    def semitones(high: float, low: float) -> float:
        return 12 * math.log2(high / low)

    lowest = smooth[low_at]
    if semitones(max(smooth[:low_at]), lowest) > 1.5 and semitones(max(smooth[low_at:]), lowest) > 1.5:
        return "dipping"
    if semitones(end, start) > 2.5:
        return "rising"
    if semitones(start, end) > 2.5:
        return "falling"
    return "level"
