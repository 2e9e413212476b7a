"""Name folding for search and identity: one name in every form a reader may type.

A name printed as "Liu Ping", "Liú Píng", "LIU-PING" or 刘萍 should be found by any of them.
`name_keys` gives the folded forms of one name: Latin letters case-folded with diacritics,
spaces, hyphens, apostrophes and middle dots removed ("liuping"); Chinese characters folded to
simplified characters, and also spelled in toneless pinyin ("刘萍" gives 刘萍 and liuping).
`query_keys` gives what a search query looks for: a query in Chinese characters looks for
Chinese characters only, so that 刘萍 never finds the homophone 刘平; a Latin query looks for
the folded Latin and pinyin forms. `search_text` packs the keys of all of a candidate's names
into one string for a substring search (`Candidate.search_text`).

Each Chinese name also gets one key in the old romanization, Wade–Giles (`wade_giles_of`:
许志永 is Hsü Chih-yung, folded "hsuchihyung"), from a conversion table of toneless pinyin
syllables written here (`WADE_GILES_INITIALS`, `WADE_GILES_FINALS` and the whole syllables of
`WADE_GILES_SYLLABLES`): the English-language press of Taiwan and Hong Kong, and older
libraries, still spell names that way. Folding drops Wade–Giles's apostrophes of aspiration
and its umlauts, as it drops pinyin's tones, so that "Chang" finds 张 (Chang in Wade–Giles)
as well as 常 (chang in pinyin): a reader typing either romanization finds the person.

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

# The two syllables of each compound surname, for spelling them in Wade–Giles.
COMPOUND_SYLLABLES = {
    "yuchi": ("yu", "chi"),
    "moqi": ("mo", "qi"),
    "chanyu": ("chan", "yu"),
    "zhangsun": ("zhang", "sun"),
    "tantai": ("tan", "tai"),
    "yuezheng": ("yue", "zheng"),
    "linghu": ("ling", "hu"),
    "ouyang": ("ou", "yang"),
    "sima": ("si", "ma"),
    "shangguan": ("shang", "guan"),
    "zhuge": ("zhu", "ge"),
    "xiahou": ("xia", "hou"),
    "huangfu": ("huang", "fu"),
    "gongsun": ("gong", "sun"),
    "dongfang": ("dong", "fang"),
    "murong": ("mu", "rong"),
    "situ": ("si", "tu"),
    "yuwen": ("yu", "wen"),
    "duanmu": ("duan", "mu"),
    "xuanyuan": ("xuan", "yuan"),
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


def syllables_of(text):
    """The toneless pinyin syllables of the Chinese characters in `text`, read as a personal
    name (ü kept: "吕布" gives ["lü", "bu"])."""
    normalized = to_simplified(unicodedata.normalize("NFKC", text or ""))
    personal = not any(dot in normalized for dot in MIDDLE_DOTS + ".")
    han = _NOT_HAN.sub("", normalized)
    if not han:
        return []
    head, rest = [], han
    # A surname's reading is one syllable per character; a compound surname's two are the
    # pypinyin readings of its characters with the whole read as the table says.
    if personal and han[:2] in COMPOUND_SURNAMES and len(han) > 2:
        head, rest = [COMPOUND_SURNAMES[han[:2]]], han[2:]
    elif personal and han[0] in SURNAMES and len(han) > 1:
        head, rest = [SURNAMES[han[0]]], han[1:]
    # Imported here: pypinyin's phrase dictionary takes a third of a second to load, paid
    # by the first name read rather than by every process that starts (`manage.py check`).
    from pypinyin import Style, lazy_pinyin

    return head + lazy_pinyin(rest, style=Style.NORMAL, v_to_u=True, errors="ignore")


def pinyin_of(text):
    """Toneless pinyin of the Chinese characters in `text`, read as a personal name."""
    return fold_latin("".join(syllables_of(text)))


# Toneless pinyin to Wade–Giles. A syllable is its initial and its final; the initials are
# replaced by WADE_GILES_INITIALS, the finals by WADE_GILES_FINALS (by the longest that ends
# the syllable), and the syllables that follow neither rule are spelled whole.
WADE_GILES_INITIALS = {
    "zh": "ch",
    "ch": "ch'",
    "sh": "sh",
    "b": "p",
    "p": "p'",
    "m": "m",
    "f": "f",
    "d": "t",
    "t": "t'",
    "n": "n",
    "l": "l",
    "g": "k",
    "k": "k'",
    "h": "h",
    "j": "ch",
    "q": "ch'",
    "x": "hs",
    "r": "j",
    "z": "ts",
    "c": "ts'",
    "s": "s",
    "y": "y",
    "w": "w",
}
WADE_GILES_FINALS = {
    "iong": "iung",
    "ong": "ung",
    "ian": "ien",
    "üe": "üeh",
    "ie": "ieh",
    "uo": "o",
}
# After j, q, x and y pinyin writes ü as u; Wade–Giles writes it ü.
WADE_GILES_FINALS_AFTER_PALATALS = {
    "uan": "üan",
    "ue": "üeh",
    "un": "ün",
    "u": "ü",
}
WADE_GILES_SYLLABLES = {
    "zhi": "chih",
    "chi": "ch'ih",
    "shi": "shih",
    "ri": "jih",
    "zi": "tzu",
    "ci": "tz'u",
    "si": "ssu",
    "er": "erh",
    "e": "o",
    "ge": "ko",
    "ke": "k'o",
    "he": "ho",
    "yi": "i",
    "ye": "yeh",
    "yan": "yen",
    "you": "yu",
    "guo": "kuo",
    "kuo": "k'uo",
    "huo": "huo",
    "shuo": "shuo",
    "gui": "kuei",
    "kui": "k'uei",
}


@functools.cache
def wade_giles_syllable(syllable):
    """One toneless pinyin syllable in Wade–Giles ("zhi" to "chih", "xu" to "hsü")."""
    syllable = syllable.casefold().replace("v", "ü")
    if syllable in WADE_GILES_SYLLABLES:
        return WADE_GILES_SYLLABLES[syllable]
    initial = next(
        (head for head in ("zh", "ch", "sh") if syllable.startswith(head)),
        syllable[:1] if syllable[:1] in WADE_GILES_INITIALS else "",
    )
    final = syllable[len(initial) :]
    finals = WADE_GILES_FINALS
    if initial in ("j", "q", "x", "y") and final in WADE_GILES_FINALS_AFTER_PALATALS:
        finals = WADE_GILES_FINALS_AFTER_PALATALS
    for ending in sorted(finals, key=len, reverse=True):
        if final.endswith(ending):
            final = final[: -len(ending)] + finals[ending]
            break
    return WADE_GILES_INITIALS.get(initial, initial) + final


def wade_giles_of(text):
    """The Chinese characters of `text` in Wade–Giles, folded ("许志永" to "hsuchihyung")."""
    return fold_latin("".join(wade_giles_syllable(s) for s in _wade_giles_parts(text)))


def _wade_giles_parts(text):
    """The syllables of `text`, a compound surname split into its own two."""
    parts = []
    for syllable in syllables_of(text):
        parts.extend(COMPOUND_SYLLABLES.get(syllable, (syllable,)))
    return parts


def name_keys(text):
    """Every folded form of one name: its Latin letters, its characters, their pinyin and
    their Wade–Giles."""
    keys = {fold_latin(text), fold_han(text), pinyin_of(text), wade_giles_of(text)}
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


# A query key of fewer letters or characters than this ("xu", "王", "刘萍") is looked for at
# the beginning of a name, a surname or a whole two-character name; a longer one anywhere in
# a name ("ping" finds Liu Ping). Anywhere, one or two letters match most names in passing
# ("an", "li") and hold no trigram, so that only reading every name could answer them; at a
# name's beginning (after a separator of `search_text`) PostgreSQL's trigram index finds
# them, by the trigrams it pads a word's beginning with.
SHORTEST_ANYWHERE = 3


def search_patterns(text):
    """What a search for `text` looks for in a candidate's `search_text`, one substring per
    key of `query_keys`: the key itself, or, shorter than `SHORTEST_ANYWHERE`, the key after
    a separator (a name that begins with it). The public searches (the list and the API's,
    reconciliation) look for these. The editors' (the admin's, the annotation tool's) look
    for each key anywhere: an editor hunting for a record wants every name holding it, and
    sees the whole names first."""
    return {key if len(key) >= SHORTEST_ANYWHERE else SEPARATOR + key for key in query_keys(text)}


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
