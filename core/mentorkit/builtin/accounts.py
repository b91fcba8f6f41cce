"""Accounts as a built-in plugin: sign-up, sign-in, sessions, tokens, password reset."""

from __future__ import annotations
