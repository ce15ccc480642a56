"""Mandarin voice for calls: the spoken text, the voice pack and the tools that build it."""

from display.voice.manifest import Clip, Manifest, ManifestError, load_manifest
from display.voice.speech import (
    DEFAULT_TEMPLATE,
    MissingClipError,
    TemplateError,
    call_clips,
    call_text,
    ticket_reading,
    window_reading,
)

__all__ = [
    "DEFAULT_TEMPLATE",
    "Clip",
    "Manifest",
    "ManifestError",
    "MissingClipError",
    "TemplateError",
    "call_clips",
    "call_text",
    "load_manifest",
    "ticket_reading",
    "window_reading",
]
