"""The JSON API under /api/v1/: one NinjaAPI, one router per app.

Errors are JSON with a stable machine `code` and a Chinese `message`:
`{"code": "not_found", "message": "…"}`. Validation errors add `errors`, a list of
`{"field": …, "message": …}`.
"""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from ninja.security import django_auth

from jiceng.core.errors import ServiceError
from jiceng.core.text import clean_text, has_nul
from jiceng.orgs.tokens import TokenAuth

ERROR_STATUSES = {
    400: "请求不正确",
    401: "未登录或令牌无效（not_authenticated）",
    403: "无权执行此操作（not_permitted、csrf_failed）",
    404: "不存在或不在管辖范围内（not_found）",
    409: "与工单当前状态冲突（invalid_transition 等）",
    422: "输入不合法（invalid、malformed），errors 列出各字段",
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "稳定的机器可读错误码"},
        "message": {"type": "string", "description": "中文说明"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}


class BadText(Exception):
    """A JSON body with text no field may hold: a NUL or a lone surrogate."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class NotAnObject(BadText):
    """A JSON body that is an array or a bare value: every operation takes an object."""


class CleanParser(Parser):
    """JSON bodies with every string made safe to store and publish: a NUL or a lone surrogate
    refuses the request (422 invalid_text); other control characters are dropped."""

    def parse_body(self, request):
        body = _clean(json.loads(request.body), "")
        if not isinstance(body, dict):
            # every operation takes an object: an array or a bare value is not one, even where
            # all its fields are optional (PATCH /units/{id} took `[null, null]` as "no change")
            raise NotAnObject("body", "请求体应为 JSON 对象（{…}）")
        return body


def _clean(value, field: str):
    if isinstance(value, str):
        if has_nul(value):
            raise BadText(field, "不能含有空字符（NUL）")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadText(field, "含有无效的 Unicode 字符（单独的代理项）") from None
        return clean_text(value)
    if isinstance(value, dict):
        return {k: _clean(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, field) for v in value]
    return value


class LocalSwagger(Swagger):
    """Swagger UI from `swagger-ui-dist`, installed by npm and served as our static files:
    nothing from a CDN (a county's closed network has none) and no inline script."""

    def render_page(self, request, api, **kwargs):
        from django.shortcuts import render

        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(
            request,
            "api/swagger.html",
            {"swagger_settings": json.dumps(self.settings), "api": api},
        )


class JicengAPI(NinjaAPI):
    """Every operation can answer with the error statuses above; the document says so."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, text in ERROR_STATUSES.items():
                    responses.setdefault(status, {"description": text, **ref})
        return schema


api = JicengAPI(
    title="jiceng 基层治理 API",
    version="1",
    description=(
        "接诉即办与基层党组织考评。所有数据按账号的管辖范围过滤；范围外的对象返回 404。"
        "浏览器使用登录会话（需 CSRF 令牌）；程序使用 `Authorization: Bearer <令牌>`，"
        "令牌由 `jiceng create-token 用户名` 生成。"
    ),
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    parser=CleanParser(),
    docs=LocalSwagger(),
)


def error(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(BadText)
def bad_text(request, exc):
    if isinstance(exc, NotAnObject):
        return error(
            request,
            422,
            "malformed",
            f"请求格式不正确：{exc.message}",
            errors=[{"field": exc.field, "message": exc.message}],
        )
    return error(
        request,
        422,
        "invalid_text",
        f"输入不合法：{exc.message}",
        errors=[{"field": exc.field, "message": exc.message}],
    )


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


HTTP_CODES = {
    400: ("bad_request", "请求不正确"),
    403: ("not_permitted", "无权执行此操作"),
    404: ("not_found", "不存在或无权查看"),
    405: ("method_not_allowed", "不支持该请求方法"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
}


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request, exc):
    # A number too large for the database (an id of 10**30, say) names nothing that exists.
    return error(request, 422, "out_of_range", "输入的数值超出范围")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, BadText):  # raised by our parser, wrapped by Django Ninja
        return bad_text(request, exc.__cause__)
    if exc.status_code == 403 and "CSRF" in str(exc):
        return error(
            request, 403, "csrf_failed", "CSRF 校验失败：请刷新页面后重试，或使用 API 令牌"
        )
    code, message = HTTP_CODES.get(exc.status_code, ("http_error", str(exc)))
    return error(request, exc.status_code, code, message)


api.add_router("/", "jiceng.orgs.api.router")
api.add_router("/regions", "jiceng.orgs.region_api.router")
api.add_router("/", "jiceng.tickets.api.router")
api.add_router("/", "jiceng.dispatch.api.router")
api.add_router("/", "jiceng.evaluation.api.router")
