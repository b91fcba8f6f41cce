"""Opaque tokens: random values handed to people, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str = "") -> str:
    """A fresh random token (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def derived_token(secret_key: str, purpose: str, token_id: int, nonce: str) -> str:
    """A one-time token derived from the site's secret: stored nowhere, computable by the sender."""
    message = f"{purpose}:{token_id}:{nonce}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()
