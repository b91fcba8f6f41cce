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
"""

from mentorkit.testing.database import TestDatabases, postgres_url_for_tests

__all__ = ["TestDatabases", "postgres_url_for_tests"]
