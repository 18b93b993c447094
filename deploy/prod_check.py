"""The checks of `make prod-check`, against jiceng running behind nginx (deploy/prod-check.sh).

Usage: prod_check.py HTTPS_BASE HTTP_BASE PHOTO_ID PHOTO_NAME METRICS_TOKEN. Standard library only; prints
one line per check and exits non-zero at the first failure.
"""

import http.client
import http.cookiejar
import json
import re
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

HTTPS, HTTP, PHOTO_ID, PHOTO_NAME, METRICS_TOKEN = sys.argv[1:6]
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE  # the throw-away certificate


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FromAddress(urllib.request.HTTPSHandler):
    """HTTPS from a chosen loopback source address (127.0.0.2, 127.0.0.3…): nginx sees two
    visitors, as it would two people, and passes each one's address on in X-Real-IP."""

    def __init__(self, source: str):
        super().__init__(context=TLS)
        self.source = source

    def https_open(self, req):
        def connect(host, **kwargs):
            return http.client.HTTPSConnection(host, source_address=(self.source, 0), **kwargs)

        return self.do_open(connect, req, context=TLS)


def client(source: str = "127.0.0.1"):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        FromAddress(source),
        urllib.request.HTTPCookieProcessor(jar),
        NoRedirect,
    )
    return opener, jar


def get(opener, url, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=20) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers, answer.read()


def check(condition, what, detail=""):
    if not condition:
        print(f"FAIL  {what} {detail}")
        sys.exit(1)
    print(f"ok    {what}")


def try_sign_in(username, password="prod-check-password", source="127.0.0.1"):
    opener, jar = client(source)
    status, _, body = get(opener, f"{HTTPS}/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    status, _, _ = get(opener, f"{HTTPS}/login/", form, {"Referer": f"{HTTPS}/login/"})
    return status, opener, jar


def sign_in(username):
    status, opener, jar = try_sign_in(username)
    check(status == 302, f"{username} signs in over HTTPS", status)
    cookie = next(c for c in jar if c.name == "sessionid")
    check(cookie.secure, "the session cookie is Secure")
    return opener


anonymous, _ = client()

status, headers, body = get(anonymous, f"{HTTPS}/")
check(status == 200 and "基层".encode() in body, "the home page answers over HTTPS", status)
check("max-age=31536000" in headers.get("Strict-Transport-Security", ""), "HSTS")
csp = headers.get("Content-Security-Policy", "")
check("script-src 'self'" in csp and "http" not in csp, "a CSP with no outside source", csp)
check(headers.get("X-Content-Type-Options") == "nosniff", "nosniff on pages")
check(headers.get("X-Frame-Options") == "DENY", "no framing")
check(headers.get("Referrer-Policy"), "a Referrer-Policy")
check("nginx/" not in headers.get("Server", ""), "nginx does not give its version")

stylesheet = re.search(rb'<link rel="stylesheet" href="([^"]+)"', body).group(1).decode()
status, headers, css = get(anonymous, HTTPS + stylesheet)
check(status == 200 and len(css) > 100, f"static files are served ({stylesheet})", status)
check(  # whitenoise would say max-age=60
    "max-age=3600" in headers.get("Cache-Control", ""),
    "…by nginx, from STATIC_ROOT",
    dict(headers),
)

status, _, body = get(anonymous, f"{HTTPS}/healthz")
report = json.loads(body)
check(status == 200 and report["status"] == "ok", "/healthz", report.get("status"))
check(
    {"database", "calendar", "disk", "backup", "follow_up"} <= set(report),
    "/healthz reports every part",
)
# the ticket taken in before the start is followed up by the worker (its queue in the database)
for _ in range(60):
    waiting = json.loads(get(anonymous, f"{HTTPS}/healthz")[2])["follow_up"]["waiting"]
    if not waiting:
        break
    time.sleep(0.5)
check(not waiting, "the background worker followed up the new ticket", f"{waiting} waiting")

status, headers, _ = get(anonymous, f"{HTTP}/submit/")
check(status == 301 and headers["Location"].startswith("https://"), "plain HTTP moves to HTTPS")

photo = f"{HTTPS}/work/photos/{PHOTO_ID}/full/"
check(get(anonymous, photo)[0] == 404, "a photo answers 404 to anonymous users")
check(get(anonymous, f"{HTTPS}/media/{PHOTO_NAME}")[0] == 404, "/media/ is never published")
check(
    get(anonymous, f"{HTTPS}/protected-media/{PHOTO_NAME}")[0] == 404,
    "the internal location cannot be asked for directly",
)

outsider = sign_in("outsider")
check(get(outsider, photo)[0] == 404, "…and 404 to staff out of scope")

staff = sign_in("checker")
status, headers, image = get(staff, photo)
check(status == 200, "a photo answers 200 to staff in scope", status)
check(image[:3] == b"\xff\xd8\xff", "…with the JPEG, sent by nginx (X-Accel-Redirect)")
check(headers.get("Content-Type") == "image/jpeg", "…as image/jpeg", headers.get("Content-Type"))
check(headers.get("X-Content-Type-Options") == "nosniff", "…with nosniff")
check("no-store" in headers.get("Cache-Control", ""), "…never cached")
status, headers, _ = get(staff, f"{HTTPS}/work/tickets/")
check(status == 200 and "no-store" in headers.get("Cache-Control", ""), "staff pages: no-store")
check(get(anonymous, f"{HTTPS}/track/TRACKME23/?phone=13912342005")[0] == 404, "a tracking page")
check(get(anonymous, f"{HTTPS}/metrics")[0] == 404, "/metrics answers 404 without the token")
status, _, body = get(
    anonymous, f"{HTTPS}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
)
check(status == 200 and b"jiceng_tickets_open" in body, "/metrics with the token", status)
# Wrong passwords from one address lock that address out of that account, and nobody else:
# nginx passes each visitor's address (X-Real-IP), which both axes and the rate limits read.
for _ in range(5):
    try_sign_in("outsider", "wrong-password", source="127.0.0.2")
status = try_sign_in("outsider", source="127.0.0.2")[0]
check(status == 429, "five wrong passwords from 127.0.0.2 lock outsider there", status)
status = try_sign_in("outsider", source="127.0.0.3")[0]
check(status == 302, "…and outsider still signs in from 127.0.0.3", status)
status = try_sign_in("checker", source="127.0.0.2")[0]
check(status == 302, "…and checker signs in from 127.0.0.2 itself", status)
print("prod-check passed")
