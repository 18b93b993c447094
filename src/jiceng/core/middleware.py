"""Input that no field may hold, stopped at the door for every page and form.

A NUL byte in a query string or a form is refused with a 400 and a Chinese message (it
breaks PostgreSQL's text columns and means nobody well). Other control characters (other
than tab and line breaks) are dropped from form values, so that nothing stored can make the
public XML feed ill-formed. JSON bodies are cleaned by the API's parser (`jiceng.api`).
"""

from django.http import HttpResponse, JsonResponse, QueryDict

from .text import clean_text, has_nul, is_clean

MESSAGE = "输入中含有空字符（NUL），已拒绝。"


class CleanInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (
            request.method == "POST" and not _is_json(request) and _has_nul(request.POST)
        ):
            return _refuse(request)
        if request.method == "POST" and not _is_json(request):
            request.POST = _cleaned(request.POST)
        return self.get_response(request)


def _is_json(request) -> bool:
    return request.content_type == "application/json"


def _has_nul(data: QueryDict) -> bool:
    return any(has_nul(k) or any(has_nul(v) for v in data.getlist(k)) for k in data)


def _cleaned(data: QueryDict) -> QueryDict:
    if all(is_clean(v) for k in data for v in data.getlist(k)):
        return data
    copy = data.copy()
    for key in copy:
        copy.setlist(key, [clean_text(v) for v in data.getlist(key)])
    copy._mutable = False
    return copy


def _refuse(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "invalid_text", "message": MESSAGE}, status=400)
    if request.path.startswith("/open311/"):
        if request.path.endswith(".xml"):  # the format the client asked for (GeoReport v2)
            body = (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                f"<errors><error><code>400</code><description>{MESSAGE}</description>"
                "</error></errors>"
            )
            return HttpResponse(body, status=400, content_type="text/xml; charset=utf-8")
        return JsonResponse([{"code": 400, "description": MESSAGE}], status=400, safe=False)
    return HttpResponse(MESSAGE, status=400, content_type="text/plain; charset=utf-8")


class NoStoreMiddleware:
    """Pages and exports are made for one person and hold residents' data: no browser or
    proxy keeps a copy (`Cache-Control: no-store`). Static files are served before this
    (whitenoise) and keep their long cache; a view that sets its own Cache-Control keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response


# what an account that must change its password may still open
PASSWORD_FREE = ("/password/", "/logout/", "/static/", "/i18n/", "/healthz")


class PasswordChangeRequired:
    """An account given a one-time password (the onboarding workbook) chooses its own before
    anything else: every staff page sends it to /password/, the API answers 403 with the code
    `password_change_required`. Residents' pages need no account and pass."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(PASSWORD_FREE)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "password_change_required",
                        "message": "首次登录须先修改临时密码：请在网页上登录并修改",
                    },
                    status=403,
                )
            from django.shortcuts import redirect

            return redirect("password-change")
        return self.get_response(request)
