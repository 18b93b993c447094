"""Bearer tokens for machines calling the JSON API."""

import hashlib
import secrets

from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken, User


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "") -> str:
    """A new token for `user`; the caller shows it once, we keep only its hash."""
    token = "jc_" + secrets.token_urlsafe(30)
    ApiToken.objects.create(user=user, name=name, prefix=token[:10], digest=digest(token))
    return token


def user_for(token: str) -> User | None:
    row = (
        ApiToken.objects.filter(digest=digest(token or ""), is_active=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer jc_…`; the request then acts as the token's account."""

    def authenticate(self, request, token):
        user = user_for(token)
        if user is not None:
            request.user = user
        return user
