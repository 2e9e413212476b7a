"""Decoding a CSV sheet: only when one reading of its bytes is beyond doubt.

- A byte-order mark says the encoding (UTF-8, or UTF-16 and UTF-32 as Excel's "Unicode
  text" saves them), and bytes that are valid UTF-8 (plain ASCII included) are UTF-8: other
  text practically never passes for UTF-8, whose multi-byte sequences follow strict rules.
- Otherwise each encoding importers' spreadsheet programs save CSV in is tried: GB18030
  (Chinese Windows), Big5 (cp950: Taiwan, Hong Kong), Shift-JIS (cp932) and EUC-JP
  (Japan), EUC-KR (cp949: Korea) and Windows-1252 (cp1252: Western Europe; Latin-1 files
  read the same). A reading is plausible when the bytes decode without error and the text
  is that script's ordinary text, weighed over the whole file (so the verdict does not
  depend on the file's length):
  - the East Asian encodings: at least nine in ten of the non-ASCII characters are of
    everyday use in that encoding: GB2312's characters (and Big5's frequent ones, for
    traditional characters typed on a mainland computer); Big5's 5,401 frequent characters
    and its symbols; kana, symbols and JIS level-1 kanji (Shift-JIS, EUC-JP); Hangul and
    symbols (EUC-KR). Text in one of them read as another falls among rare characters:
    Shift-JIS 山田太郎 read as GB18030 is 嶳揷懢榊. EUC-JP and EUC-KR text also reads as
    common hanzi in GB18030, which is why they are tried: such a sheet is refused as
    ambiguous instead of being read as Chinese.
  - Windows-1252: at least nine in ten of the non-ASCII characters are letters or common
    punctuation, and at least half touch an ASCII letter, as accents inside Latin words do
    (East Asian bytes read this way make runs of symbols and accented capitals).
- Exactly one plausible reading is used. None, or more than one, refuses the file, with a
  sample of each reading; the importer then names the encoding (a csv format in the admin,
  `--encoding` for the `import` command), and a named encoding is used as given.
"""

import codecs
import re
from collections import Counter
from functools import reduce

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .limits import SheetError

# What a byte-order mark announces; the UTF-32 marks come first, since UTF-16's little-endian
# mark begins UTF-32's.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A reading is plausible when this share of its non-ASCII characters is of everyday use ...
COMMON_SHARE = 0.9
# ... and, for Windows-1252, when this share of them touches an ASCII letter.
TOUCHING_SHARE = 0.5
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_TOUCHING = re.compile(r"(?<=[A-Za-z])[^\x00-\x7f]|[^\x00-\x7f](?=[A-Za-z])")
_WESTERN_MARKS = frozenset("‘’‚“”„–—…•·«»‹›°§©®™€£¥¢±×÷²³¹µ¶¼½¾¿¡\xa0")


def _code(char, codec):
    try:
        return int.from_bytes(char.encode(codec), "big")
    except UnicodeEncodeError:
        return None


def _big5_common(char):
    code = _code(char, "cp950")
    return code is not None and 0xA140 <= code <= 0xC67E


def _gb_common(char):
    return _code(char, "gb2312") is not None or _big5_common(char)


def _sjis_common(char):
    code = _code(char, "cp932")
    return code is not None and (0x8140 <= code <= 0x84BE or 0x889F <= code <= 0x9872)


def _euc_jp_common(char):
    code = _code(char, "euc_jp")
    return code is not None and (0xA1A1 <= code <= 0xA8FE or 0xB0A1 <= code <= 0xCFD3)


def _euc_kr_common(char):
    code = _code(char, "cp949")
    return code is not None and (0xA1A1 <= code <= 0xACFE or 0xB0A1 <= code <= 0xC8FE)


def _western_common(char):
    return char in _WESTERN_MARKS or (char.isalpha() and char <= "\u024f")


class Candidate:
    """An encoding tried on a sheet that is not UTF-8."""

    def __init__(self, codec, label, format_title, common):
        self.codec, self.label, self.format_title, self.common = codec, label, format_title, common

    def plausible(self, text, counts):
        total = sum(counts.values())
        usual = sum(number for char, number in counts.items() if self.common(char))
        if usual < COMMON_SHARE * total:
            return False
        if self.codec == "cp1252":
            return len(_TOUCHING.findall(text)) >= TOUCHING_SHARE * total
        return True


CANDIDATES = (
    Candidate("gb18030", _("GB18030 (Simplified Chinese)"), "csv (GB18030)", _gb_common),
    Candidate("cp950", _("Big5 (Traditional Chinese)"), "csv (Big5)", _big5_common),
    Candidate("cp932", _("Shift-JIS (Japanese)"), "csv (Shift-JIS)", _sjis_common),
    Candidate("euc_jp", _("EUC-JP (Japanese)"), "csv (EUC-JP)", _euc_jp_common),
    Candidate("cp949", _("EUC-KR (Korean)"), "csv (EUC-KR)", _euc_kr_common),
    Candidate(
        "cp1252", _("Windows-1252 (Western, Latin-1)"), "csv (Windows-1252)", _western_common
    ),
)


def _counts(text):
    counts = Counter()
    for run in _NON_ASCII.finditer(text):
        counts.update(run.group())
    return counts


def _sample(text):
    """The line of the first non-ASCII character, or some words around it, as this reading
    shows them."""
    found = _NON_ASCII.search(text).start()
    start = max(text.rfind("\n", 0, found) + 1, found - 16)
    end = text.find("\n", found)
    end = min(len(text) if end < 0 else end, found + 24)
    return " ".join(text[start:end].split())


def decode_named(data, *, name, encoding):
    """Decode `data` in `encoding`, as the importer named it; SheetError if it does not fit."""
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise SheetError(
            gettext("%(name)s: %(encoding)s is not a known encoding")
            % {"name": name, "encoding": repr(encoding)}
        ) from None
    if not getattr(info, "_is_text_encoding", True):
        raise SheetError(
            gettext("%(name)s: %(encoding)s is not a text encoding")
            % {"name": name, "encoding": repr(encoding)}
        )
    codec = info.name
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError as error:
        raise SheetError(
            gettext("%(name)s: is not valid %(encoding)s (byte %(byte)s cannot be decoded)")
            % {"name": name, "encoding": encoding, "byte": error.start}
        ) from None


def _how_to_name(candidates):
    formats = ", ".join(f"“{candidate.format_title}”" for candidate in candidates)
    options = reduce(
        lambda one, other: gettext("%(one)s or %(other)s") % {"one": one, "other": other},
        [f"--encoding {candidate.codec}" for candidate in candidates],
    )
    return gettext(
        "choose its format in the admin (%(formats)s), or give the import command %(options)s"
    ) % {"formats": formats, "options": options}


def _reading(candidate, sample):
    """What `candidate` reads in a sheet: `GB18030 (Simplified Chinese) reads “李明”`."""
    return gettext("%(encoding)s reads “%(sample)s”") % {
        "encoding": candidate.label,
        "sample": sample,
    }


def decode_sheet(data, *, name, encoding=None):
    """Return (text, codec) for a CSV sheet's bytes; see the module docstring."""
    if encoding:
        return decode_named(data, name=name, encoding=encoding)
    for mark, codec in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return decode_named(data, name=name, encoding=codec)
    if b"\x00" in data:
        raise SheetError(
            gettext("%(name)s: is not a text file (it holds NUL bytes)") % {"name": name}
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    chosen, plausible, garbled = None, [], []
    for candidate in CANDIDATES:
        try:
            text = data.decode(candidate.codec)
        except UnicodeDecodeError:
            continue
        if candidate.plausible(text, _counts(text)):
            plausible.append((candidate, _sample(text)))
            # Only the first plausible reading is kept whole: it is the one used if alone.
            chosen = chosen or (text, candidate.codec)
        else:
            garbled.append((candidate, _sample(text)))
        del text
    if len(plausible) == 1:
        return chosen
    if plausible:
        readings = "; ".join(_reading(c, sample) for c, sample in plausible)
        raise SheetError(
            gettext(
                "%(name)s: is not UTF-8, and more than one encoding reads it as ordinary text: "
                "%(readings)s. Name the one it is in: %(how)s"
            )
            % {
                "name": name,
                "readings": readings,
                "how": _how_to_name([c for c, _sample in plausible]),
            }
        )
    tried = ", ".join(str(candidate.label) for candidate in CANDIDATES)
    readings = "".join(f"; {_reading(c, sample)}" for c, sample in garbled)
    raise SheetError(
        gettext(
            "%(name)s: is not UTF-8, and reads as ordinary text in none of %(tried)s%(readings)s. "
            "Name its encoding: %(how)s (or another --encoding)"
        )
        % {"name": name, "tried": tried, "readings": readings, "how": _how_to_name(CANDIDATES)}
    )
