"""A coarse, human summary of a User-Agent header ("Firefox on Android") for the sessions list.

Deliberately small: the summary only helps a person recognise their own devices, so the order
of checks (Edge and Opera announce themselves as Chrome too; Chrome as Safari) is all it needs.
"""

BROWSERS = [
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chromium", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
]
SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
]


def summarise_user_agent(header: str) -> str:
    header = header or ""
    browser = next((name for marker, name in BROWSERS if marker in header), "")
    system = next((name for marker, name in SYSTEMS if marker in header), "")
    if browser and system:
        return f"{browser} on {system}"[:100]
    return (browser or system or "Unknown device")[:100]
