"""Test helpers for Mentorkit and its plugins (the fixtures live in ``pytest_plugin``).

Installed with ``mentorkit`` as a pytest plugin: a plugin author's test suite gets these
fixtures without any configuration.

* ``mentorkit_settings`` - Settings for a fresh, fully migrated database in a temporary data
  directory (SQLite; PostgreSQL when ``MENTORKIT_TEST_DATABASE_URL`` is set).
* ``mentorkit_plugins`` - a list of ``(name, plugin)`` pairs to register for this test only;
  append throwaway plugins (a class or module with ``@hookimpl`` functions) to it.
* ``mentorkit_app`` - the Litestar app built from the two above (the worker is off; drain it
  with ``mentorkit_client.drain_events()``).
* ``mentorkit_client`` - a ``TestClient`` running the app's lifespan, with ``.run(coro_fn)``
  to run database code on the app's event loop and ``.drain_events()``.
* ``mentorkit_admin_client`` - the same client signed in as a site admin (for admin-only
  routes such as ``/-/plugins.json``).
* ``mentorkit_runtime`` - for async tests of services: the runtime with its database open.
* ``mentorkit_settings_overrides`` - a dict of settings for this test, plugin sections under
  ``"plugins"``; ``MENTORKIT_PLUGINS__*`` variables are honoured too.
* ``mentorkit_factory`` - a ``Factory`` making people, programs (any format, strategy and
  state), enrolments and relationships on ``mentorkit_client``'s app.
* ``mentorkit_cli`` - runs ``mentorkit`` commands in-process on this test's settings.
* ``mentorkit_clock`` - a controllable clock (``mentorkit.testing.clock.Clock``): time stands
  still until ``advance(days=...)``; services and the worker's timers read it.

``sign_in_as(client, user)`` signs a client in as a person without a form.
The access test's declarations for plugin routes: ``mentorkit.testing.access``.
See docs/plugins.md, "Testing your plugin".
"""

from mentorkit.testing.auth import DEFAULT_PASSWORD, csrf_headers, sign_in_as, sign_out
from mentorkit.testing.database import TestDatabases, postgres_url_for_tests
from mentorkit.testing.factories import Factory

__all__ = ["DEFAULT_PASSWORD", "Factory", "TestDatabases", "csrf_headers", "postgres_url_for_tests",
           "sign_in_as", "sign_out"]
