"""The languages residents read: 简体中文, Uyghur and Kazakh in the Arabic script.

Resident pages follow Django's standard choice: the `django_language` cookie set by
`/i18n/setlang/`, then the browser's Accept-Language (plain `kk` gets `kk-arab`, the script of
Xinjiang), then Chinese. Staff pages stay in Chinese whatever the browser asks: their words are
marked for translation, but no staff catalog exists yet, and a half-translated workbench is worse
than a Chinese one.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# The BCP 47 tag each language's pages carry in <html lang>.
HTML_LANG = {"zh-hans": "zh-Hans", "ug": "ug", "kk-arab": "kk-Arab"}

# Paths for residents; everything else is a staff page. "/" is both: the workbench for a
# signed-in user, the residents' home page otherwise.
RESIDENT_PREFIXES = ("/submit", "/submitted/", "/track/", "/r/", "/vote/", "/publicity/", "/i18n/")


def is_resident_path(path: str) -> bool:
    return path == "/" or path.startswith(RESIDENT_PREFIXES)


def is_resident_page(request) -> bool:
    user = getattr(request, "user", None)
    staff_home = request.path_info == "/" and user is not None and user.is_authenticated
    return is_resident_path(request.path_info) and not staff_home


class ResidentLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware on resident pages; Chinese everywhere else."""

    def process_request(self, request):
        if is_resident_path(request.path_info):
            super().process_request(request)
        else:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE

    def process_view(self, request, view_func, view_args, view_kwargs):
        # the home page of a signed-in user is the workbench: a staff page
        if request.path_info == "/" and request.user.is_authenticated:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE


def current() -> str:
    """The active language, one of settings.LANGUAGES (Chinese when none is active)."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def is_rtl(code: str) -> bool:
    return bool(translation.get_language_info(code)["bidi"])


def context(request):
    code = current()
    return {
        "html_lang": HTML_LANG.get(code, code),
        "html_dir": "rtl" if is_rtl(code) else "ltr",
        "resident_page": is_resident_page(request),
        "languages": settings.LANGUAGES,
    }
