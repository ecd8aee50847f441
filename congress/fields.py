"""Model fields for personal data: stored encrypted, shown masked."""

import re

from django.db import models

from congress import crypto

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
ID_NUMBER_RE = re.compile(r"^\d{17}[\dX]$")


def mask_phone(value: str | None) -> str:
    """Mask a phone number as 138****1234 (landlines keep area code and last 2)."""
    if not value:
        return ""
    if len(value) == 11 and value.isdigit():
        return f"{value[:3]}****{value[-4:]}"
    return f"{value[:4]}****{value[-2:]}" if len(value) > 6 else "****"


def mask_id_number(value: str | None) -> str:
    """Mask a resident ID number as 430524********1234."""
    if not value:
        return ""
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def id_number_is_valid(value: str) -> bool:
    """Check an 18-digit resident ID number and its check digit (GB 11643-1999)."""
    value = value.upper()
    if not ID_NUMBER_RE.match(value):
        return False
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17]


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token; Python code sees the plain value.

    It cannot be filtered on: pair it with a digest field (``crypto.digest``) where
    a lookup is needed.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_internal_type(self) -> str:
        return "TextField"
