"""Bearer tokens for machines calling the JSON API."""

import copy
import hashlib
import secrets

from django.utils import timezone
from ninja.security import HttpBearer

from jiceng.core.memo import Memo

from .models import ApiToken, User


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str = "") -> str:
    """A new token for `user`; the caller shows it once, we keep only its hash."""
    token = "jc_" + secrets.token_urlsafe(30)
    ApiToken.objects.create(user=user, name=name, prefix=token[:10], digest=digest(token))
    return token


# A token's account, its roles and its scope, for a few seconds per process: every API request
# reads them. A change to a token, an account, its roles or its scope clears this process's
# copy at once (OrgsConfig.ready) and reaches the others within ACCOUNT_SECONDS.
ACCOUNT_SECONDS = 5
accounts = Memo("tokens", ACCOUNT_SECONDS)
_touched: dict[int, float] = {}  # token id → when this process last wrote its last_used_at


def _account(token_digest: str) -> ApiToken | None:
    row = (
        ApiToken.objects.filter(digest=token_digest, is_active=True, user__is_active=True)
        # the account's scope comes along: every request checks it
        .select_related("user__scope_region", "user__scope_unit")
        .first()
    )
    if row is not None:
        row.user.role_codes()  # kept with it
    return row


def user_for(token: str) -> User | None:
    key = digest(token or "")
    row = accounts.get(key, lambda: _account(key))
    if row is None:
        return None
    now = timezone.now()
    last = _touched.get(row.pk) or row.last_used_at
    if last is None or (now - last).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        _touched[row.pk] = now
    return copy.copy(row.user)  # the request's own: what it sets on it stays in it


def revoke(tokens) -> int:
    """Switch these tokens off. This process forgets them at once; every other one within
    ACCOUNT_SECONDS (a bulk update sends no signal, so this says it)."""
    count = tokens.filter(is_active=True).update(is_active=False)
    accounts.clear()
    return count


class TokenAuth(HttpBearer):
    """`Authorization: Bearer jc_…`; the request then acts as the token's account."""

    def authenticate(self, request, token):
        user = user_for(token)
        if user is not None:
            request.user = user
        return user
