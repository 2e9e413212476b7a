"""Name folding for search and identity: one name in every form a reader may type.

A name printed as "Liu Ping", "Liú Píng", "LIU-PING" or 刘萍 should be found by any of them.
`name_keys` gives the folded forms of one name: Latin letters case-folded with diacritics,
spaces, hyphens, apostrophes and middle dots removed ("liuping"); Chinese characters folded to
simplified characters, and also spelled in toneless pinyin ("刘萍" gives 刘萍 and liuping).
`query_keys` gives what a search query looks for: a query in Chinese characters looks for
Chinese characters only, so that 刘萍 never finds the homophone 刘平; a Latin query looks for
the folded Latin and pinyin forms. `search_text` packs the keys of all of a candidate's names
into one string for a substring search (`Candidate.search_text`).

Pinyin comes from pypinyin, which reads a character by its most common reading. A surname is
read differently from the same character elsewhere (单 is Shan, 曾 Zeng, 解 Xie, 乐 Yue), and
pypinyin has no surname mode, so the first character of a Chinese personal name (the first two
for a compound surname) is looked up in `SURNAMES` first. A name with a middle dot (阿依古丽·
买买提) is a transliterated name with no Chinese surname, and is spelled character by character.
"""

import functools
import re
import unicodedata

# Characters whose reading as a surname differs from pypinyin's default reading.
SURNAMES = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "乐": "yue",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "翟": "zhai",
    "覃": "qin",
    "盖": "ge",
    "华": "hua",
    "种": "chong",
    "缪": "miao",
    "秘": "bi",
    "召": "shao",
    "褚": "chu",
    "员": "yun",
    "贠": "yun",
    "宓": "mi",
    "繁": "po",
    "冼": "xian",
    "过": "guo",
    "纪": "ji",
    "燕": "yan",
    "瞿": "qu",
    "折": "she",
    "那": "na",
    "难": "nan",
    "粘": "nian",
    "藏": "zang",
    "都": "du",
    "六": "lu",
    "薄": "bo",
    "贾": "jia",
    "居": "ju",
    "盛": "sheng",
    "柏": "bai",
    "牟": "mou",
    "乜": "nie",
    "阚": "kan",
    "叶": "ye",
    "强": "qiang",
    "沈": "shen",
    "宿": "su",
    "卜": "bu",
    "尉": "wei",
    "能": "nai",
    "重": "chong",
    "隗": "wei",
    "句": "gou",
}
COMPOUND_SURNAMES = {
    "尉迟": "yuchi",
    "万俟": "moqi",
    "单于": "chanyu",
    "长孙": "zhangsun",
    "澹台": "tantai",
    "乐正": "yuezheng",
    "令狐": "linghu",
    "欧阳": "ouyang",
    "司马": "sima",
    "上官": "shangguan",
    "诸葛": "zhuge",
    "夏侯": "xiahou",
    "皇甫": "huangfu",
    "公孙": "gongsun",
    "东方": "dongfang",
    "慕容": "murong",
    "司徒": "situ",
    "宇文": "yuwen",
    "端木": "duanmu",
    "轩辕": "xuanyuan",
}

_HAN = (
    "\u3007"  # 〇
    "\u3400-\u4dbf"  # extension A
    "\u4e00-\u9fff"  # unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\U00020000-\U0003134f"  # extensions B to G
)
HAN = re.compile(f"[{_HAN}]")
_NOT_HAN = re.compile(f"[^{_HAN}]+")
# Dots that separate the parts of a transliterated name: 阿依古丽·买买提 and its look-alikes.
MIDDLE_DOTS = "·‧•・･⋅∙"
# A separator no key can hold, so that a substring search never runs from one name into another.
SEPARATOR = "|"


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text):
    """Traditional characters folded to simplified (劉曉波 to 刘晓波), by OpenCC's tables."""
    return _converter().convert(text) if HAN.search(text) else text


def has_han(text):
    """Whether `text` holds any Chinese character."""
    return bool(HAN.search(text or ""))


def fold_latin(text):
    """Latin letters and digits only, case-folded, without diacritics: "Liú-Píng" to "liuping".

    Letters of other scripts are kept (folded), Chinese characters and everything that is not
    a letter or a digit are dropped.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = HAN.sub("", bare.casefold())
    return "".join(char for char in folded if char.isalnum())


def fold_han(text):
    """The Chinese characters of `text`, NFKC and simplified, without anything between them."""
    normalized = to_simplified(unicodedata.normalize("NFKC", text or ""))
    return _NOT_HAN.sub("", normalized)


def pinyin_of(text):
    """Toneless pinyin of the Chinese characters in `text`, read as a personal name."""
    normalized = to_simplified(unicodedata.normalize("NFKC", text or ""))
    personal = not any(dot in normalized for dot in MIDDLE_DOTS + ".")
    han = _NOT_HAN.sub("", normalized)
    if not han:
        return ""
    head, rest = "", han
    if personal and han[:2] in COMPOUND_SURNAMES and len(han) > 2:
        head, rest = COMPOUND_SURNAMES[han[:2]], han[2:]
    elif personal and han[0] in SURNAMES and len(han) > 1:
        head, rest = SURNAMES[han[0]], han[1:]
    # Imported here: pypinyin's phrase dictionary takes a third of a second to load, paid
    # by the first name read rather than by every process that starts (`manage.py check`).
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(rest, style=Style.NORMAL, v_to_u=True, errors="ignore")
    return fold_latin(head + "".join(syllables))


def name_keys(text):
    """Every folded form of one name: its Latin letters, its characters, their pinyin."""
    keys = {fold_latin(text), fold_han(text), pinyin_of(text)}
    keys.discard("")
    return keys


def query_keys(text):
    """The keys a search query looks for.

    A query in Chinese characters looks for those characters (simplified) and nothing else;
    a Latin query looks for its folded letters, which match Latin names and the pinyin of
    Chinese ones. A query mixing both looks for each part.
    """
    keys = {fold_han(text), fold_latin(text)}
    keys.discard("")
    return keys


def search_text(names):
    """One string holding every key of every name, each between separators.

    `|liuping|刘萍|` lets a substring search for any key, or any part of one ("ping"), find
    the candidate, while a query can never match across two names ("pingxu").
    """
    keys = set()
    for name in names:
        if name:
            keys |= name_keys(name)
    if not keys:
        return ""
    return SEPARATOR + SEPARATOR.join(sorted(keys)) + SEPARATOR
