"""Model fields for personal data at rest (see `core/crypto.py`).

`EncryptedField` keeps its value SM4-encrypted in the database and plain in Python. It can be
compared only with '' and NULL: a real search goes through a `BlindIndexField`, which follows
its source field by itself on every save and bulk insert.
"""

from django import forms
from django.core import validators
from django.db import models
from django.db.models.lookups import Exact

from . import crypto


class EmptyOnlyExact(Exact):
    """`= ''` works (nothing is encrypted there); any other value would silently never
    match a ciphertext, so it is refused."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise ValueError(
                f"{self.lhs.target.name} is encrypted: search by its blind index instead"
            )
        return super().get_prep_lookup()


class EncryptedField(models.TextField):
    """Text encrypted with SM4 at rest. `max_length` bounds the plaintext."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else value

    def formfield(self, **kwargs):
        # one line of text, as the CharField it replaces (a TextField would give a textarea)
        return super().formfield(**{"widget": forms.TextInput, **kwargs})

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # icontains, startswith, in…: a FieldError, not a silent miss


class BlindIndexField(models.CharField):
    """The keyed HMAC of another field's value, kept in step with it on every save."""

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.blind(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def reencrypt(model, *, batch: int = 2000) -> int:
    """Write every row's encrypted fields again under the current key, and its blind indexes
    under the current index key. Used by the migration that encrypted plaintext phones and by
    `jiceng rotate-data-key`. Returns the number of rows rewritten."""
    encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
    indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
    if not encrypted:
        return 0
    names = [f.name for f in encrypted + indexes]
    rows = model._base_manager.only("pk", *names).order_by("pk")
    done, last = 0, None
    while True:
        page = list((rows.filter(pk__gt=last) if last is not None else rows)[:batch])
        if not page:
            return done
        for row in page:
            for field in indexes:
                setattr(row, field.attname, crypto.blind(getattr(row, field.source) or ""))
        model._base_manager.bulk_update(page, names)
        done += len(page)
        last = page[-1].pk
