"""The script of a voice pack: every clip it holds, what it says and how to synthesise it.

The same list is the recording sheet for a hall that records a human voice: one file per
line, named ``<name>.wav``, saying ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScriptLine:
    name: str  # clip and file name
    text: str  # what it says, as the call text spells it
    pinyin: str  # with tone numbers, for the reader and for espeak-ng's pinyin voice
    phonemes: str = ""  # espeak-ng cmn phonemes, when pinyin cannot spell the sound (English letter names)


PHRASES = (
    ScriptLine("qing", "请", "qing3"),
    ScriptLine("hao", "号", "hao4"),
    ScriptLine("dao", "到", "dao4"),
    ScriptLine("hao_dao", "号到", "hao4 dao4"),
    ScriptLine("chuangkou", "窗口", "chuang1 kou3"),
    ScriptLine("banli", "办理", "ban4 li3"),
    ScriptLine("hao_chuangkou_banli", "号窗口办理", "hao4 chuang1 kou3 ban4 li3"),
)

NUMBERS = (
    ScriptLine("ling", "零", "ling2"),
    ScriptLine("yi", "一", "yi1"),
    ScriptLine("er", "二", "er4"),
    ScriptLine("san", "三", "san1"),
    ScriptLine("si", "四", "si4"),
    ScriptLine("wu", "五", "wu3"),
    ScriptLine("liu", "六", "liu4"),
    ScriptLine("qi", "七", "qi1"),
    ScriptLine("ba", "八", "ba1"),
    ScriptLine("jiu", "九", "jiu3"),
    ScriptLine("shi", "十", "shi2"),
    ScriptLine("bai", "百", "bai3"),
    ScriptLine("qian", "千", "qian1"),
)

# English letter names as Mandarin speakers say them in a hall ("A" is ēi, "W" is dá bu liu).
# The pinyin column is the nearest spelling for a reader; the phonemes are what espeak-ng speaks,
# keeping the English final consonants (F, L, M, S, X) that pinyin cannot write.
LETTERS = (
    ScriptLine("A", "A", "ei1", "'ei55"),
    ScriptLine("B", "B", "bi4", "p'i51"),
    ScriptLine("C", "C", "xi1", "S;'i55"),
    ScriptLine("D", "D", "di4", "t'i51"),
    ScriptLine("E", "E", "yi4", "j'i51"),
    ScriptLine("F", "F", "ai2 fu", "'ai35f"),
    ScriptLine("G", "G", "ji4", "tS;'i51"),
    ScriptLine("H", "H", "ei2 qi", "'ei35ts.h"),
    ScriptLine("I", "I", "ai4", "'ai51"),
    ScriptLine("J", "J", "zhei4", "ts.'ei51"),
    ScriptLine("K", "K", "kei4", "kh'ei51"),
    ScriptLine("L", "L", "ai2 le", "'ai35l"),
    ScriptLine("M", "M", "ai2 mu", "'ai35m"),
    ScriptLine("N", "N", "en1", "'@55n"),
    ScriptLine("O", "O", "ou1", "'ou55"),
    ScriptLine("P", "P", "pi4", "ph'i51"),
    ScriptLine("Q", "Q", "kiu1", "kh'iou55"),
    ScriptLine("R", "R", "a3 er", "'@r35"),
    ScriptLine("S", "S", "ai2 si", "'ai35s"),
    ScriptLine("T", "T", "ti4", "th'i51"),
    ScriptLine("U", "U", "you1", "j'iou55"),
    ScriptLine("V", "V", "wei1", "v'ei55"),
    ScriptLine("W", "W", "da2 bu liu", "ta35pliou33"),
    ScriptLine("X", "X", "ai2 ke si", "'ai35ks"),
    ScriptLine("Y", "Y", "wai4", "w'uai51"),
    ScriptLine("Z", "Z", "zei4", "ts'ei51"),
)

SCRIPT = PHRASES + NUMBERS + LETTERS
