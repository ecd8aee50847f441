"""Encryption at rest for personal data (phones, ID numbers).

Fernet (AES-128-CBC with HMAC-SHA256) from ``cryptography``; ``MultiFernet`` so keys
can be rotated: the first key in FIELD_ENCRYPTION_KEYS encrypts, every key decrypts.
A keyed digest (HMAC-SHA256 with FIELD_HASH_KEY) finds a value without decrypting
every row: duplicate checks on import, rate limits per phone.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.fernet import MultiFernet
from django.conf import settings


def _derived_key(purpose: str) -> bytes:
    # Development only (settings refuse to start without real keys when DEBUG is off).
    raw = hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(raw)


@cache
def _fernet() -> MultiFernet:
    keys = settings.FIELD_ENCRYPTION_KEYS or [_derived_key("field-encryption")]
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


@cache
def _hash_key() -> bytes:
    return (settings.FIELD_HASH_KEY or _derived_key("field-hash").decode()).encode()


def encrypt(value: str) -> str:
    """Encrypt a text value for storage."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a stored value; a value that is not a token is refused loudly."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # pragma: no cover - corrupt data or a lost key
        raise ValueError("cannot decrypt a stored personal-data field") from exc


def digest(value: str) -> str:
    """Return the keyed digest of a normalised value (for lookups, not display)."""
    normalised = "".join(value.split()).upper()
    return hmac.new(_hash_key(), normalised.encode(), hashlib.sha256).hexdigest()


def reset_caches() -> None:
    """Forget cached keys (tests that change the key settings)."""
    _fernet.cache_clear()
    _hash_key.cache_clear()
