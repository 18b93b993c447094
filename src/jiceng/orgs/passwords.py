"""One-time passwords for accounts made from the onboarding workbook.

A new account gets a random password it can use once: it must choose its own at its first
sign-in (`User.must_change_password`, core.middleware.PasswordChangeRequired). The password
goes to the person by SMS (made when the message is sent, never stored: tickets.residents) or
onto a printable sheet for the county office, shown once.

Hashing: a one-time password has 12 characters from 55 (about 69 bits), so it needs no
million rounds of PBKDF2 to resist guessing; it is hashed with 20,000, so that 500 accounts are
made in seconds, not minutes. The first sign-in replaces it with the person's own password,
hashed as usual (Django upgrades the hash on that sign-in in any case).
"""

import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/l/I
LENGTH = 12
PLACEHOLDER = "{password}"


class OneTimeHasher(PBKDF2PasswordHasher):
    iterations = 20_000


def one_time() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def hashed(password: str) -> str:
    if isinstance(get_hasher(), PBKDF2PasswordHasher):
        hasher = OneTimeHasher()
        return hasher.encode(password, hasher.salt())
    return make_password(password)  # a site (or the tests) configured another hasher


def issue(user) -> str:
    """A fresh one-time password for `user`, set now; the caller hands it over."""
    password = one_time()
    user.password = hashed(password)
    user.must_change_password = True
    type(user).objects.filter(pk=user.pk).update(password=user.password, must_change_password=True)
    return password
