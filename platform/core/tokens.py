"""The one generator of secret URL tokens (calendar feeds, personal links, unsubscribe)."""

from __future__ import annotations

import secrets

# 24 random bytes: 32 URL-safe characters, beyond guessing however many links a region hands out.
TOKEN_BYTES = 24


def new_token(nbytes: int = TOKEN_BYTES) -> str:
    """A fresh URL-safe secret; also the callable default of the models' token fields."""
    return secrets.token_urlsafe(nbytes)
