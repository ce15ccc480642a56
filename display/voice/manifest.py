"""A voice pack: the manifest.json that names its clips and what each one says.

A pack is a folder under ``display/static/voice/<pack>/`` holding one WAV per clip and a
``manifest.json``::

    {"name": "default", "language": "zh-CN", "chime": "chime.wav", "chime_duration_ms": 800,
     "pauses_ms": {"between_clips": 20, "after_chime": 250, "between_repeats": 800},
     "clips": {"qing": {"file": "qing.wav", "text": "请", "duration_ms": 380}, ...}}

Clips are found by their ``text``: a call is cut into the texts the pack has, so a pack
may hold whole phrases ("号窗口办理") as well as single syllables ("号").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHIME = "chime"  # the clip name a call sequence uses for the pack's chime
PACKS_DIR = Path(__file__).resolve().parent.parent / "static" / "voice"
DEFAULT_PAUSES_MS = {"between_clips": 20, "after_chime": 250, "between_repeats": 800}


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Clip:
    name: str
    file: str
    text: str
    duration_ms: int


@dataclass(frozen=True)
class Manifest:
    name: str
    language: str
    clips: dict[str, Clip]
    chime: str | None = None  # file name of the chime played before a call
    chime_duration_ms: int = 0
    pauses_ms: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PAUSES_MS))
    folder: Path | None = None  # where the files are, when loaded from disk

    def clip_by_text(self) -> dict[str, str]:
        """Map each spoken text to the name of the clip that says it."""
        return {clip.text: clip.name for clip in self.clips.values()}

    def duration_ms(self, clip_names: list[str]) -> int:
        """How long the clips last when played one after another with the pack's pauses."""
        total = 0
        for position, name in enumerate(clip_names):
            if name == CHIME:
                total += self.chime_duration_ms + self.pauses_ms["after_chime"]
                continue
            total += self.clips[name].duration_ms
            if position + 1 < len(clip_names):
                total += self.pauses_ms["between_clips"]
        return total

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "language": self.language}
        if self.chime:
            data["chime"] = self.chime
            data["chime_duration_ms"] = self.chime_duration_ms
        data["pauses_ms"] = dict(self.pauses_ms)
        data["clips"] = {
            clip.name: {"file": clip.file, "text": clip.text, "duration_ms": clip.duration_ms}
            for clip in self.clips.values()
        }
        return data


def pack_folder(pack: str = "default") -> Path:
    """The folder of a committed pack, by name."""
    return PACKS_DIR / pack


def load_manifest(pack: str | Path = "default") -> Manifest:
    """Load a pack by name (a folder under display/static/voice/) or by the path of its folder
    or manifest.json."""
    path = Path(pack) if isinstance(pack, Path) or "/" in str(pack) else pack_folder(str(pack))
    if path.is_dir():
        path = path / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(f"语音包清单不存在 / voice pack manifest not found: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path}: 不是有效的 JSON / not valid JSON: {error}") from None
    return manifest_from_json(data, source=str(path), folder=path.parent)


def manifest_from_json(data: Any, source: str = "manifest.json", folder: Path | None = None) -> Manifest:
    """Build a Manifest from parsed JSON, refusing anything a player could trip over later."""

    def fail(where: str, reason: str) -> ManifestError:
        return ManifestError(f"{source}: {where}: {reason}")

    if not isinstance(data, dict):
        raise fail("(top)", "must be an object")
    for key in ("name", "language"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise fail(key, "must be a non-empty string")
    raw_clips = data.get("clips")
    if not isinstance(raw_clips, dict) or not raw_clips:
        raise fail("clips", "must be a non-empty object of clip name → {file, text, duration_ms}")
    clips: dict[str, Clip] = {}
    speakers: dict[str, str] = {}
    for name, entry in raw_clips.items():
        where = f"clips.{name}"
        if name == CHIME:
            raise fail(where, f'"{CHIME}" is reserved for the chime; use the top-level "chime" key')
        if not isinstance(entry, dict):
            raise fail(where, "must be an object")
        file, text, duration = entry.get("file"), entry.get("text"), entry.get("duration_ms")
        if not isinstance(file, str) or not file or "/" in file or "\\" in file:
            raise fail(f"{where}.file", "must be a file name inside the pack folder")
        if not isinstance(text, str) or not text or text != text.strip():
            raise fail(f"{where}.text", "must be the non-empty text the clip says, without spaces around it")
        if not isinstance(duration, int) or isinstance(duration, bool) or duration <= 0:
            raise fail(f"{where}.duration_ms", "must be a positive whole number of milliseconds")
        if text in speakers:
            raise fail(f"{where}.text", f'"{text}" is already said by clip "{speakers[text]}"')
        speakers[text] = name
        clips[name] = Clip(name=name, file=file, text=text, duration_ms=duration)
    chime = data.get("chime")
    if chime is not None and (not isinstance(chime, str) or not chime or "/" in chime):
        raise fail("chime", "must be a file name inside the pack folder, or absent")
    chime_duration = data.get("chime_duration_ms", 0)
    if not isinstance(chime_duration, int) or chime_duration < 0 or (chime and chime_duration == 0):
        raise fail("chime_duration_ms", "must be the chime's positive length in milliseconds")
    pauses = dict(DEFAULT_PAUSES_MS)
    raw_pauses = data.get("pauses_ms", {})
    if not isinstance(raw_pauses, dict):
        raise fail("pauses_ms", "must be an object")
    for key, value in raw_pauses.items():
        if key not in DEFAULT_PAUSES_MS:
            raise fail(f"pauses_ms.{key}", f"unknown pause; known: {', '.join(DEFAULT_PAUSES_MS)}")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 5000:
            raise fail(f"pauses_ms.{key}", "must be a whole number of milliseconds from 0 to 5000")
        pauses[key] = value
    return Manifest(
        name=data["name"],
        language=data["language"],
        clips=clips,
        chime=chime,
        chime_duration_ms=chime_duration if chime else 0,
        pauses_ms=pauses,
        folder=folder,
    )
