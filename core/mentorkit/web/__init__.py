"""The web layer: the Litestar app, pages and the JSON API."""

from mentorkit.web.app import create_app

__all__ = ["create_app"]
