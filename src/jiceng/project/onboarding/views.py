"""The onboarding page (/onboarding/), for a prefecture's or a county's administrator: the
template and the export to download, a file to check (the report, and exactly what applying
would change, before anything is applied), then apply; limited to the administrator's scope.
One-time passwords of new accounts are shown once, on a printable sheet."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.orgs import access
from jiceng.orgs.models import OnboardingRun, User

from . import apply_file, check_file, checksum, export, preview

SESSION = "onboarding_upload"
MAX_BYTES = 20 * 1024 * 1024


def _may_onboard(user) -> bool:
    if not access.can_manage_master_data(user):
        return False
    if user.is_superuser:
        return True
    region = user.scope_region
    return region is not None and region.level in ("province", "prefecture", "county")


def _guard(request):
    if not _may_onboard(request.user):
        raise PermissionDenied("只有州、县（市）管理员可以导入上线数据")


KEEP_SECONDS = 24 * 3600  # an upload checked and never applied is deleted after a day


def _folder() -> Path:
    folder = Path(settings.VAR_DIR) / "onboarding"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _prune(folder: Path) -> None:
    """Uploads of checks nobody applied hold people's phones: they go after a day."""
    import time

    for path in folder.glob("*.xlsx"):
        try:
            if time.time() - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
        except OSError:
            continue


def _upload(request) -> tuple[Path, dict] | tuple[None, None]:
    kept = request.session.get(SESSION)
    if not kept:
        return None, None
    path = _folder() / f"{kept['token']}.xlsx"
    return (path, kept) if path.exists() else (None, None)


def _runs(user):
    runs = OnboardingRun.objects.select_related("actor").order_by("-at")
    if not user.is_superuser:
        runs = runs.filter(actor__in=access.visible(user, User))
    return runs[:20]


@login_required
@require_http_methods(["GET", "POST"])
def page(request):
    _guard(request)
    context = {"runs": _runs(request.user), "scope": request.user.scope_region}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "请选择上线数据文件（.xlsx）"
        elif not upload.name.lower().endswith(".xlsx"):
            context["error"] = "上线数据须为 .xlsx 工作簿：请用本页下载的模板填写"
        elif upload.size > MAX_BYTES:
            context["error"] = "文件超过 20 MB"
        else:
            old, _ = _upload(request)
            if old is not None:
                old.unlink(missing_ok=True)
            _prune(_folder())
            token = secrets.token_hex(16)
            path = _folder() / f"{token}.xlsx"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            path.chmod(0o600)
            request.session[SESSION] = {
                "token": token,
                "name": Path(upload.name).name[:200],
                "checksum": checksum(path),
            }
            return redirect("onboarding-check")
        return render(request, "onboarding/page.html", context, status=422)
    return render(request, "onboarding/page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def check(request):
    """The report of the uploaded file, and what applying it would change."""
    _guard(request)
    path, kept = _upload(request)
    if path is None:
        return redirect("onboarding")
    deactivate = request.POST.get("deactivate") == "on" or request.GET.get("deactivate") == "on"
    plan = check_file(path, request.user)
    would = preview(plan, request.user, deactivate_missing=deactivate) if plan.ok else None
    return render(
        request,
        "onboarding/check.html",
        {"plan": plan, "would": would, "kept": kept, "deactivate": deactivate},
        status=200 if plan.ok else 422,
    )


@login_required
@require_POST
def apply(request):
    _guard(request)
    path, kept = _upload(request)
    if path is None:
        return redirect("onboarding")
    if request.POST.get("checksum") != kept["checksum"]:
        return redirect("onboarding-check")  # another file was uploaded meanwhile
    plan, result = apply_file(
        path,
        request.user,
        deactivate_missing=request.POST.get("deactivate") == "on",
        file_name=kept["name"],
    )
    if result is None:
        return render(
            request,
            "onboarding/check.html",
            {"plan": plan, "would": None, "kept": kept},
            status=422,
        )
    path.unlink(missing_ok=True)
    del request.session[SESSION]
    # shown once: the passwords are not kept anywhere after this answer
    return render(request, "onboarding/done.html", {"result": result, "kept": kept})


@login_required
@require_GET
def template(request):
    _guard(request)
    path = _folder() / f"template-{secrets.token_hex(8)}.xlsx"
    export.template(path, request.user)
    return _send(path, "上线数据（模板）.xlsx")


@login_required
@require_GET
def export_view(request):
    _guard(request)
    path = _folder() / f"export-{secrets.token_hex(8)}.xlsx"
    export.export(path, request.user)
    return _send(path, "上线数据（现有数据）.xlsx")


def _send(path: Path, name: str) -> FileResponse:
    if not path.exists():
        raise Http404
    handle = path.open("rb")
    path.unlink()  # the open handle keeps the bytes until the answer is sent
    return FileResponse(handle, as_attachment=True, filename=name)
