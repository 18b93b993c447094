"""The dispatch model's pages: suggestions while a request is typed in."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from jiceng.regions.models import Region
from jiceng.tickets import access, scripts
from jiceng.tickets.models import TextLanguage

from . import selectors, services


@login_required
@require_POST
def suggest(request):
    """While a request is typed in: the model's likely categories and open tickets nearby that
    say the same (an htmx fragment under the text box)."""
    if not access.may(request.user, "receive"):
        return HttpResponse(status=403)
    text = (request.POST.get("content") or "").strip()[:5000]
    context = {"top": [], "similar": [], "problem": "", "written_in": ""}
    written_in = scripts.language_of(text)
    if written_in != scripts.CHINESE:
        # the model learned Chinese: no guess on Uyghur or Kazakh words (双语受理 decides)
        context["written_in"] = dict(TextLanguage.choices)[written_in]
    elif len(text) >= 6:
        try:
            _version, top = services.predict(text)
            context["top"] = [dict(t, percent=round(100 * t["p"])) for t in top if t["code"]]
        except LookupError:
            context["problem"] = "尚未训练派单模型"
        except Exception:  # a broken model: the form works on, without suggestions
            context["problem"] = "派单模型暂不可用"
        code = request.POST.get("village") or request.POST.get("township") or ""
        region = Region.objects.filter(code=code).first() if code else None
        context["similar"] = selectors.similar_to_text(request.user, text, region)
    return render(request, "tickets/work/_suggest.html", context)
