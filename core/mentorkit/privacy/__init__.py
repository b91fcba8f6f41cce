"""Data rights: a person's export and erasure, across core and every plugin.

* ``services`` - ``export_user`` and ``erase_user``, the two use cases (CLI and web call them).
* ``core_data`` - what the core's own tables hold about a person, and how it is erased; the
  built-in plugin ``mentorkit.builtin.data_rights`` implements the hooks with it.
* ``coverage`` - which tables hold personal data, and which plugin handles each (the schema
  test in ``tests/test_data_rights.py`` fails for a personal table nobody handles).

See ``docs/data-rights.md``.
"""
