"""A corpus of stored-XSS vectors for tadamun's security suite (test_xss_corpus.py).

Every vector carries its own number `n`. What a vector runs, if it ever runs, leaves a trace
that the page's text can never contain by itself, because the JavaScript builds it by
concatenation:

- a dialog `alert('Xn')` (a dialog only ever comes from execution),
- a console line `EXECUTED-n` (written as `'EXE'+'CUTED-n'`),
- a document title `PWNED-n` (written as `'PWN'+'ED-n'`),
- a request to `/xss/n` (written as `'/x'+'ss/n'`); the few vectors whose mere survival as
  markup loads a same-origin resource (`<script src>`, `<link rel=stylesheet>`) name
  `/xss/n` literally: such a request means the markup was kept.

Families: <script> variants and case/encoding tricks, event handlers on many elements, SVG,
javascript:/data:/vbscript: URLs, CSS, entity and Unicode obfuscation, mutation XSS, attribute
breakouts, Markdown tricks, template injection, and bidi controls (U+202E, U+2066–2069), null
bytes and zero-width characters combined with the others.
"""

import base64
from urllib.parse import quote

# Markers a test looks for.
EXECUTED = "EXECUTED"  # console
PWNED = "PWNED"  # document.title
REQUEST_PATH = "/xss/"  # any request under it
TEMPLATE_EVALUATED = "49 TPL"  # "{{7*7}} TPL…" rendered as "49 TPL…"


def js(n: int) -> str:
    """The action of vector `n`: no spaces, single quotes only (fits unquoted attributes,
    double-quoted attributes and Markdown link destinations)."""
    return [
        f"alert('X{n}')",
        f"console.log('EXE'+'CUTED-{n}')",
        f"document.title='PWN'+'ED-{n}'",
        f"fetch('/x'+'ss/{n}')",
    ][n % 4]


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _entities(text: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in text)


def _charcodes(text: str) -> str:
    return ",".join(str(ord(ch)) for ch in text)


# §J: the action; §N: the number; §B: base64 of an HTML page running the action; §S: base64 of
# an SVG document running it; §E: "javascript:" + action as decimal entities; §C: the action as
# char codes; §U: the action URL-encoded; §A: base64 of the action.
TEMPLATES = [
    # <script> variants, case and encoding tricks
    "<script>§J</script>",
    "<SCRIPT>§J</SCRIPT>",
    "<ScRiPt>§J</sCrIpT>",
    '<script type="text/javascript">§J</script>',
    "<script>/*§N*/§J//</script>",
    '<script src="data:text/javascript,§J"></script>',
    '<script src="/xss/§N.js"></script>',
    "<script>§J</script",
    "<<script>§J//<</script>",
    "<scr<script>ipt>§J</scr</script>ipt>",
    "<script\t>§J</script>",
    "</script><script>§J</script>",
    "<script>eval(atob('§A'))</script>",
    '<script>setTimeout("§J")</script>',
    "<script/x>§J</script>",
    "<script>\\u0061lert('X§N')</script>",
    "<script>§J<!--</script>",
    "<svg><script>§J</script></svg>",
    '<svg><script href="data:,§J"/></svg>',
    "<math><script>§J</script></math>",
    "<script>eval(String.fromCharCode(§C))</script>",
    "<script>[].constructor.constructor('§J')()</script>",
    # event handlers on many elements
    "<img src=x onerror=§J>",
    '<img src=x onerror="§J">',
    "<IMG SRC=x OnErRoR=§J>",
    "<img src=x:alert onerror=§J//",
    "<img/src=x/onerror=§J>",
    "<img src onerror=§J>",
    "<img src=x onError='§J'>",
    "<svg onload=§J>",
    "<svg/onload=§J>",
    '<svg onload="§J"></svg>',
    "<body onload=§J>",
    "<body onpageshow=§J>",
    "<details open ontoggle=§J>",
    '<details/open/ontoggle="§J">',
    "<video src=x onerror=§J></video>",
    '<video><source onerror="§J"></video>',
    "<audio src=x onerror=§J>",
    '<iframe srcdoc="<script>§J</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=§J&gt;"></iframe>',
    "<input autofocus onfocus=§J>",
    "<input onblur=§J autofocus><input autofocus>",
    "<marquee onstart=§J>§N</marquee>",
    "<select autofocus onfocus=§J></select>",
    "<textarea autofocus onfocus=§J></textarea>",
    "<keygen autofocus onfocus=§J>",
    "<object data=x onerror=§J></object>",
    "<embed src=x onerror=§J>",
    "<div onmouseover=§J>hover §N</div>",
    "<a onmouseover=§J>hover §N</a>",
    "<button onclick=§J>click §N</button>",
    '<p onclick=§J style="position:fixed;inset:0">§N</p>',
    "<style onload=§J></style>",
    "<link rel=stylesheet href=x onerror=§J>",
    '<x onanimationstart=§J style="animation:spin 1s">§N</x>',
    "<div onpointerenter=§J>§N</div>",
    "<table><td onmouseover=§J>§N</td></table>",
    "<frameset onload=§J>",
    "<image src=x onerror=§J>",
    "<img src=x onerror\x0b=§J>",
    "<svg><animate onbegin=§J attributeName=x dur=1s>",
    "<svg><set onbegin=§J attributeName=x to=1>",
    "<audio autoplay onplay=§J src=x>",
    "<body onresize=§J>",
    "<input type=image src=x onerror=§J>",
    "<isindex type=image src=1 onerror=§J>",
    "<img srcset=x onerror=§J>",
    "<picture><source srcset=x><img src=x onerror=§J></picture>",
    "<video><track onerror=§J></video>",
    "<dialog open onclose=§J>§N</dialog>",
    "<div contenteditable autofocus onfocus=§J>§N</div>",
    "<form onsubmit=§J><button>§N</button></form>",
    "<body onhashchange=§J>",
    "<div onwheel=§J>§N</div>",
    "<img src=x onload=§J onerror=§J>",
    # SVG
    '<svg><a xlink:href="javascript:§J"><text x=20 y=20>§N</text></a></svg>',
    '<svg><a href="javascript:§J"><circle r=40></circle></a></svg>',
    "<svg><a><animate attributeName=href values=javascript:§J /><text y=20>§N</text></a></svg>",
    '<svg><a><set attributeName=href to="javascript:§J"/><text y=20>§N</text></a></svg>',
    "<svg><foreignObject><img src=x onerror=§J></foreignObject></svg>",
    '<svg><foreignObject><iframe srcdoc="<script>§J</script>"></iframe></foreignObject></svg>',
    '<svg><use href="data:image/svg+xml;base64,§S#x"/></svg>',
    "<svg><image href=x onerror=§J /></svg>",
    '<svg><handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">§J</handler></svg>',
    "<svg><title><img src=x onerror=§J></title></svg>",
    "<svg><desc><![CDATA[</desc><script>§J</script>]]></svg>",
    '<svg xmlns="http://www.w3.org/2000/svg" onload="§J"/>',
    '<svg><animate xlink:href=#a attributeName=href values="javascript:§J"/></svg>',
    "<svg><discard onbegin=§J>",
    '<img src="data:image/svg+xml;base64,§S">',
    '<embed src="data:image/svg+xml;base64,§S">',
    # javascript:, data: and vbscript: URLs in links, images, frames, forms, meta refresh
    '<a href="javascript:§J">link §N</a>',
    '<a href="JaVaScRiPt:§J">link §N</a>',
    '<a href=" javascript:§J">link §N</a>',
    '<a href="java&#x09;script:§J">link §N</a>',
    '<a href="§E">link §N</a>',
    '<a href="&#x6A;avascript:§J">link §N</a>',
    '<a href="javascript&colon;§J">link §N</a>',
    '<a href="data:text/html;base64,§B">link §N</a>',
    '<a href="data:text/html,<script>§J</script>">link §N</a>',
    "<a href=\"vbscript:msgbox('X§N')\">link §N</a>",
    '<img src="javascript:§J">',
    '<img src="data:text/html;base64,§B">',
    '<iframe src="javascript:§J"></iframe>',
    '<iframe src="data:text/html;base64,§B"></iframe>',
    '<form action="javascript:§J"><input type=submit value=§N></form>',
    '<form><input type=submit formaction="javascript:§J" value=§N></form>',
    '<form><button formaction="javascript:§J">§N</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:§J">',
    '<meta http-equiv="refresh" content="0;url=data:text/html;base64,§B">',
    '<object data="javascript:§J"></object>',
    '<object data="data:text/html;base64,§B"></object>',
    '<embed src="data:text/html;base64,§B">',
    '<embed src="javascript:§J">',
    '<base href="javascript:§J//">',
    '<a href="javascript://%0a§U">link §N</a>',
    '<a href="jav&#x0A;ascript:§J">link §N</a>',
    "<math><maction actiontype=statusline xlink:href=javascript:§J>§N</maction></math>",
    '<math href="javascript:§J">§N</math>',
    '<map><area href="javascript:§J" shape=default></map>',
    '<a href="javascript:void(0)" onclick="§J">link §N</a>',
    '<a href="data:image/svg+xml;base64,§S">link §N</a>',
    "<a href=javascript:§J>link §N</a>",
    # CSS
    '<div style="background:url(javascript:§J)">§N</div>',
    '<div style="width:expression(§J)">§N</div>',
    '<div style="behavior:url(/x§N.htc)">§N</div>',
    "<style>@import 'javascript:§J';</style>",
    '<style>@import url("/xss/§N.css");</style>',
    '<style>body{background:url("javascript:§J")}</style>',
    '<link rel=stylesheet href="/xss/§N.css">',
    '<div style="background-image:url(&#1;javascript:§J)">§N</div>',
    '<p style="x:expr/**/ession(§J)">§N</p>',
    "<style>*{x:expression(§J)}</style>",
    '<div style="-moz-binding:url(/x§N.xml#x)">§N</div>',
    "<span style=color:red;background:url('javascript:§J')>§N</span>",
    '<STYLE>li {list-style-image: url("javascript:§J");}</STYLE><UL><LI>§N</UL>',
    '<div style="background:url(data:image/svg+xml;base64,§S)">§N</div>',
    # HTML entity and Unicode obfuscation
    "&lt;script&gt;§J&lt;/script&gt;",
    "&#60;script&#62;§J&#60;/script&#62;",
    "\\u003cscript\\u003e§J\\u003c/script\\u003e",
    "%3Cscript%3E§U%3C/script%3E",
    "\uff1cscript\uff1e§J\uff1c/script\uff1e",
    "<img src=x onerror=\"&#x61;&#x6C;&#x65;&#x72;&#x74;('X§N')\">",
    "<img src=x onerror=\"\\u0061lert('X§N')\">",
    "<img src=x onerror=eval('\\x61lert(\\'X§N\\')')>",
    "<img src=x onerror=eval(String.fromCharCode(§C))>",
    "<scr\u0131pt>§J</scr\u0131pt>",
    "<\u017fcript>§J</\u017fcript>",
    "\u2039script\u203a§J\u2039/script\u203a",
    "<img src=x onerror=top['al'+'ert']('X§N')>",
    "<img src=x onerror=window['fe'+'tch']('/x'+'ss/§N')>",
    "<img src=x onerror=eval(atob('§A'))>",
    "&amp;lt;img src=x onerror=§J&amp;gt;",
    # mutation XSS
    '<noscript><p title="</noscript><img src=x onerror=§J>">',
    "<title><img src=x onerror=§J></title>",
    "<textarea><img src=x onerror=§J></textarea>",
    "</textarea><script>§J</script>",
    "</title><script>§J</script>",
    "<template><img src=x onerror=§J></template>",
    "<template><script>§J</script></template>§N",
    "<math><mtext><table><mglyph><style><img src=x onerror=§J>",
    '<svg></p><style><a id="</style><img src=1 onerror=§J>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=§J>",
    '<noembed><img title="</noembed><img src=x onerror=§J>"></noembed>',
    '<xmp><img title="</xmp><img src=x onerror=§J>"></xmp>',
    '<iframe><img title="</iframe><img src=x onerror=§J>"></iframe>',
    '<noframes><img title="</noframes><img src=x onerror=§J>"></noframes>',
    '<style><img title="</style><img src=x onerror=§J>"></style>',
    '<!--<img src="--><img src=x onerror=§J//">',
    "<![CDATA[<]]><img src=x onerror=§J>",
    '<math><annotation-xml encoding="text/html"><img src=x onerror=§J></annotation-xml></math>',
    "<select><template><img src=x onerror=§J></template></select>",
    "<plaintext><img src=x onerror=§J>",
    "<listing>&lt;img src=x onerror=§J&gt;</listing>",
    # attribute breakouts
    '" onmouseover="§J',
    "' onmouseover='§J",
    '" autofocus onfocus="§J" x="',
    '"><img src=x onerror=§J>',
    "'><svg onload=§J>",
    '"/><script>§J</script>',
    "`onmouseover=§J",
    '" style="animation-name:x" onanimationstart="§J',
    "javascript:§J",
    '" href="javascript:§J',
    'x" onerror="§J" src="y',
    '</a><a href="javascript:§J">§N</a>',
    "';§J;//",
    '";§J;//',
    "\\';§J;//",
    "--></script><script>§J</script>",
    # Markdown tricks
    "[click §N](javascript:§J)",
    "[click §N](JAVASCRIPT:§J)",
    "[click §N]( javascript:§J)",
    "[click §N](javas&#99;ript:§J)",
    "[click §N](&#106;avascript:§J)",
    "![img §N](javascript:§J)",
    '![img §N](x"onerror="§J)',
    "[click §N](data:text/html;base64,§B)",
    "![img §N](data:text/html;base64,§B)",
    "[click §N][r§N]\n\n[r§N]: javascript:§J",
    "![img §N][i§N]\n\n[i§N]: javascript:§J",
    "<javascript:§J>",
    "<JavaScript:§J>",
    "<data:text/html;base64,§B>",
    '[a §N](https://ok.example "t\\" onmouseover=\\"§J")',
    "[[x §N](javascript:§J)](https://ok.example)",
    "[x §N](https://ok.example)](javascript:§J)",
    "[x §N]([y](javascript:§J))",
    "**<a href=javascript:§J>bold §N</a>**",
    "`<img src=x onerror=§J>`",
    "```html\n<script>§J</script>\n```",
    "> <img src=x onerror=§J>",
    "* <svg onload=§J>",
    '[x §N](javascript:§J "title")',
    "[x §N](<javascript:§J>)",
    "[x §N](vbscript:msgbox('X§N'))",
    "[x §N](javascript&#58;§J)",
    "[x §N](javascript%3A§U)",
    '[x §N](#" onclick="§J)',
    '<https://ok.example/" onmouseover="§J>',
    "[![img](x)](javascript:§J)",
    '![x §N](https://ok.example/x.png" onerror="§J)',
    "[s§N]: javascript:§J\n\n[s§N]",
    "<details><summary>[x §N](javascript:§J)</summary></details>",
    "@[x §N](javascript:§J)",
    "@person<img src=x onerror=§J>",
    "#tag§N<img src=x onerror=§J>",
    "https://ok.example/<img src=x onerror=§J>",
    'www.ok.example/"onmouseover="§J"',
    "[x §N](javascript:/*§N*/§J)",
    "[x §N](\\javascript:§J)",
    "<a href='javascript:§J'>[md §N](https://ok.example)</a>",
    # template injection (rendered text must never show "49 TPL…")
    "{{7*7}} TPL§N",
    "{% debug %}{{ request.user.password }} TPL§N",
    "${7*7} TPL§N",
    "#{7*7} TPL§N",
    "<%= 7*7 %> TPL§N",
    "{{constructor.constructor('§J')()}}",
    "${§J}",
    "{% load static %}{% include 'base.html' %} TPL§N",
    "{{ settings.SECRET_KEY }} TPL§N",
    "[[${7*7}]] TPL§N",
]

# Bidi controls, null bytes and zero-width characters combined with the vectors above.
COMBINED = [
    "\u202e<script>§J</script>",
    "\u202e<img src=x onerror=§J>\u202c",
    "\u2066<svg onload=§J>\u2069",
    "\u2067<details open ontoggle=§J>\u2069",
    "\u2068[click §N](javascript:§J)\u2069",
    '\u202d<a href="javascript:§J">link §N</a>\u202c',
    "\u202e)§J:tpircsavaj(]§N[",
    "[click \u202e§N](javascript:§J)",
    "gpj.\u202e<img src=x onerror=§J>",
    '\u2066\u2067\u2068<iframe srcdoc="<script>§J</script>"></iframe>\u2069\u2069\u2069',
    '\u202e" onmouseover="§J',
    "\u202b<body onload=§J>\u202c",
    "\u202a![img §N](javascript:§J)\u202c",
    "\u061c<input autofocus onfocus=§J>",
    '\u200f<svg><a href="javascript:§J"><text y=20>§N</text></a></svg>\u200e',
    "<scr\x00ipt>§J</scr\x00ipt>",
    "<img src=x on\x00error=§J>",
    '<a href="java\x00script:§J">link §N</a>',
    "[click §N](java\x00script:§J)",
    "<scr\u200bipt>§J</scr\u200bipt>",
    '<a href="java\u200bscript:§J">link §N</a>',
    "[click §N](java\u200bscript:§J)",
    "<img src=x on\u200cerror=§J>",
    "\ufeff<script>§J</script>",
    "<svg\u200donload=§J>",
    "[click §N](\u2060javascript:§J)",
    "<img src=x\u00a0onerror=§J>",
    "<img\x0csrc=x\x0conerror=§J>",
    "<svg\x0conload=§J>",
    "\u202e\u2066{{7*7}} TPL§N\u2069",
    '<a href="&#x202e;javascript:§J">link §N</a>',
    "\u202ejavascript:§J",
    '<a href="\x01javascript:§J">link §N</a>',
    "<details open\u3000ontoggle=§J>",
    "\u2067@person<img src=x onerror=§J>\u2069",
]


def _expand(template: str, n: int) -> str:
    action = js(n)
    page = f"<script>{action}</script>"
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" id="x" onload="{action}"/>'
    replacements = {
        "§J": action,
        "§N": str(n),
        "§B": _b64(page),
        "§S": _b64(svg),
        "§E": _entities(f"javascript:{action}"),
        "§C": _charcodes(f"alert('X{n}')"),
        "§U": quote(action, safe=""),
        "§A": _b64(action),
    }
    for key, value in replacements.items():
        template = template.replace(key, value)
    return template


VECTORS: list[str] = [
    _expand(template, n) for n, template in enumerate(TEMPLATES + COMBINED, start=1)
]

assert len(VECTORS) == len(set(VECTORS)), "every vector must be distinct"
assert len(VECTORS) >= 200, len(VECTORS)
