"""The web layer: the Litestar app, pages and the JSON API.

For plugins (docs/plugins.md, "Pages"): ``render_page`` renders a full page with the layout,
the signed-in person and the navigation; ``redirect`` and ``add_flash`` answer a form post
with a message for the next page; ``Panel`` is what the ``page_panels`` hook returns.
"""

from mentorkit.web.app import create_app
from mentorkit.web.pages import add_flash, redirect
from mentorkit.web.pages import render as render_page
from mentorkit.web.panels import Panel

__all__ = ["Panel", "add_flash", "create_app", "redirect", "render_page"]
