"""The JSON API under /api/v1/: one NinjaAPI, one router per app.

Errors are JSON with a stable machine `code` and a Chinese `message`:
`{"code": "not_found", "message": "…"}`. Validation errors add `errors`, a list of
`{"field": …, "message": …}`.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from jiceng.core.errors import ServiceError

api = NinjaAPI(
    title="jiceng 基层治理 API",
    version="1",
    description="接诉即办与基层党组织考评。所有数据按账号的管辖范围过滤；范围外的对象返回 404。",
    urls_namespace="api",
    auth=django_auth,
)


def error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return error(request, 404, "not_found", "不存在或无权查看")


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    return error(request, 401, "not_authenticated", "请先登录")


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    return error(request, exc.status, exc.code, exc.message, **exc.extra)


@api.exception_handler(DjangoValidationError)
def invalid(request, exc: DjangoValidationError):
    errors = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            errors += [{"field": field, "message": m} for m in messages]
    else:
        errors = [{"field": "", "message": m} for m in exc.messages]
    return error(request, 422, "invalid", "；".join(e["message"] for e in errors), errors=errors)


@api.exception_handler(NinjaValidationError)
def malformed(request, exc: NinjaValidationError):
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return error(request, 422, "malformed", "请求格式不正确", errors=errors)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return error(request, exc.status_code, "http_error", str(exc))


api.add_router("/", "jiceng.orgs.api.router")
api.add_router("/regions", "jiceng.regions.api.router")
