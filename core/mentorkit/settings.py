"""Settings: a msgspec Struct filled from an optional TOML file and ``MENTORKIT_*`` variables.

Sources, later ones winning: defaults, the TOML file (``MENTORKIT_CONFIG`` or ``--config``;
``./mentorkit.toml`` if present), environment variables. Any string setting can instead be
read from a file with ``MENTORKIT_<NAME>_FILE`` (for secrets in Docker or systemd). Plugin
settings live under ``[plugins.<name>]`` and ``MENTORKIT_PLUGINS__<NAME>__<FIELD>``.

Settings are loaded by whoever starts the process and passed to ``create_app(settings)``;
nothing reads the environment at import time.
"""

from __future__ import annotations

import difflib
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from mentorkit.errors import ConfigurationError

ENV_PREFIX = "MENTORKIT_"

# Environment variables that steer the process but are not settings.
PROCESS_VARIABLES = frozenset(
    {
        "CONFIG", "LOAD_PLUGINS", "DISABLE_PLUGINS", "STRICT_PLUGINS", "TRACE_PLUGINS",
        "TEST_DATABASE_URL", "REQUIRE_POSTGRES", "REQUIRE_BROWSER", "BROWSER", "BENCH_DATABASE_URL",
        "DOC_SCREENSHOTS",
    }
)


class Settings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Every core setting, with its default. Documented in ``docs/configuration.md``."""

    data_dir: str = "data"
    database_url: str = ""
    # PostgreSQL connections per process. Beyond two or three per core of the database server,
    # more connections only make its processes compete (measured in bench/README.md).
    database_pool_size: int = 10
    secret_key: str = ""
    # The address people reach the site at; links in notifications are built from it, never
    # from a request's Host header. Default: http://<host>:<port>.
    base_url: str = ""
    host: str = "127.0.0.1"
    # Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed
    # (comma-separated, e.g. "127.0.0.1,10.0.0.5"). Empty: forwarded headers are ignored, so a
    # client cannot pick the address its rate limits are counted under (ASVS 4.1.3).
    trusted_proxies: str = ""
    port: int = msgspec.field(default=8000)
    site_name: str = "Mentorkit"
    sign_up: Literal["open", "invite"] = "open"
    # Who may create programs: site admins only, or also anyone who coordinates a program
    # already (program admins who are not site admins).
    program_creators: Literal["site_admins", "coordinators"] = "site_admins"
    # The largest profile photo accepted, in bytes (it is resized and re-encoded on upload).
    photo_max_bytes: int = 5_000_000
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    debug: bool = False
    # The event worker runs inside the web process unless this is false (then run
    # ``mentorkit worker`` separately).
    worker_in_process: bool = True
    worker_poll_seconds: float = 1.0
    worker_max_attempts: int = 8
    worker_backoff_seconds: float = 2.0
    # A delivery whose worker died is claimed again after this long.
    worker_lease_seconds: float = 60.0
    session_idle_minutes: int = 120
    session_absolute_hours: int = 24 * 7
    password_reset_minutes: int = 60
    # Argon2id cost: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). Raise on strong
    # hardware; existing hashes are upgraded at the next sign-in.
    password_hash_memory_kib: int = 19456
    password_hash_iterations: int = 2
    # Sign-up attempts allowed (web/ratelimit.py): per e-mail address an hour, and per client
    # address an hour and a minute. A kick-off behind one NAT address signs up a room at once.
    sign_up_attempts_per_address_hour: int = 5
    sign_up_attempts_per_ip_hour: int = 100
    sign_up_attempts_per_ip_minute: int = 40
    plugins: dict[str, Any] = msgspec.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.database_url:
            self.database_url = f"sqlite:///{Path(self.data_dir) / 'mentorkit.sqlite'}"
        if not re.match(r"^(sqlite:///.+|postgres(ql)?://.+)$", self.database_url):
            raise msgspec.ValidationError(
                "expected sqlite:///path/to/file.sqlite or postgresql://user@host:port/db - at `$.database_url`"
            )
        if not 1 <= self.database_pool_size <= 1000:
            raise msgspec.ValidationError("expected a number of connections from 1 to 1000 - at `$.database_pool_size`")
        for name in ("sign_up_attempts_per_address_hour", "sign_up_attempts_per_ip_hour",
                     "sign_up_attempts_per_ip_minute"):
            if getattr(self, name) < 1:
                raise msgspec.ValidationError(f"expected a number of attempts of at least 1 - at `$.{name}`")
        if not 0 < self.port < 65536:
            raise msgspec.ValidationError("expected a port between 1 and 65535 - at `$.port`")
        if not self.base_url:
            host = "127.0.0.1" if self.host in {"0.0.0.0", "::", ""} else self.host  # noqa: S104
            self.base_url = f"http://{host}:{self.port}"
        if not re.match(r"^https?://[^\s/]+", self.base_url):
            raise msgspec.ValidationError("expected an absolute http(s) URL - at `$.base_url`")
        self.base_url = self.base_url.rstrip("/")

    @property
    def engine(self) -> Literal["sqlite", "postgres"]:
        """Which database engine the URL selects."""
        return "sqlite" if self.database_url.startswith("sqlite") else "postgres"

    @property
    def secure_cookies(self) -> bool:
        """Cookies are marked Secure (and HSTS is sent) when the site is served over HTTPS."""
        return self.base_url.startswith("https://")

    def plugin(self, name: str) -> Any:
        """The loaded settings Struct of plugin ``name``."""
        return self.plugins[name]


_SETTINGS_FIELDS = {f.lower() for f in Settings.__struct_fields__}


def _field_type_hint(struct: type[msgspec.Struct], name: str) -> str:
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    for f in info.fields:
        if f.name == name:
            return _describe(f.type)
    return "a known setting"


def _describe(t: msgspec.inspect.Type) -> str:
    if isinstance(t, msgspec.inspect.IntType):
        return "a whole number"
    if isinstance(t, msgspec.inspect.FloatType):
        return "a number"
    if isinstance(t, msgspec.inspect.BoolType):
        return "true or false"
    if isinstance(t, msgspec.inspect.LiteralType):
        return "one of " + ", ".join(repr(v) for v in t.values)
    if isinstance(t, msgspec.inspect.StrType):
        return "text"
    return "a valid value"


class _Source:
    """Where each setting came from, so an error can name it."""

    def __init__(self) -> None:
        self.origin: dict[tuple[str, ...], str] = {}

    def describe(self, path: tuple[str, ...]) -> str:
        return self.origin.get(path, "default")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigurationError(f"settings file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"settings file {path} is not valid TOML: {exc}") from None


def _unknown(name: str, known: set[str], where: str, prefix: str = "") -> ConfigurationError:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"; did you mean '{prefix}{close[0]}'?" if close else ""
    return ConfigurationError(f"unknown setting '{prefix}{name}' in {where}{hint}")


def _env_settings(env: Mapping[str, str], source: _Source) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX):
            continue
        name = key[len(ENV_PREFIX):]
        from_file = name.endswith("_FILE") and name[:-5] not in PROCESS_VARIABLES
        if from_file:
            name = name[:-5]
            try:
                value = Path(value).read_text().strip()
            except OSError as exc:
                raise ConfigurationError(f"{key}: cannot read {value}: {exc.strerror}") from None
        if name in PROCESS_VARIABLES:
            continue
        if name.startswith("PLUGINS__"):
            parts = name.split("__")
            if len(parts) != 3 or not all(parts[1:]):
                raise ConfigurationError(f"{key}: expected MENTORKIT_PLUGINS__<PLUGIN>__<SETTING>")
            plugin, field = parts[1].lower(), parts[2].lower()
            raw.setdefault("plugins", {}).setdefault(plugin, {})[field] = value
            source.origin[("plugins", plugin, field)] = key
            continue
        field = name.lower()
        if field not in _SETTINGS_FIELDS or field == "plugins":
            raise _unknown(field, _SETTINGS_FIELDS - {"plugins"}, f"environment variable {key}")
        raw[field] = value
        source.origin[(field,)] = key
    return raw


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


_PATH_RE = re.compile(r" - at `\$((?:\.[A-Za-z0-9_]+|\[\d+\])*)`$")


def _explain(exc: msgspec.ValidationError, raw: dict[str, Any], source: _Source,
             struct: type[msgspec.Struct], prefix: tuple[str, ...]) -> ConfigurationError:
    message = str(exc)
    match = _PATH_RE.search(message)
    path = tuple(p for p in (match.group(1).split(".") if match else []) if p)
    problem = _PATH_RE.sub("", message)
    if problem.startswith("Object contains unknown field"):
        field = problem.split("`")[1]
        dotted = ".".join((*prefix, *path))
        origin = source.describe((*prefix, *path, field))
        where = "settings" if origin == "default" else origin
        return _unknown(field, {f.lower() for f in struct.__struct_fields__}, where,
                        prefix=f"{dotted}." if dotted else "")
    value: Any = raw
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    name = ".".join((*prefix, *path)) or "settings"
    where = source.describe((*prefix, *path))
    expected = _field_type_hint(struct, path[-1]) if len(path) == 1 else None
    hint = problem[0].lower() + problem[1:] if problem else "invalid value"
    if expected and problem.startswith(("Expected", "Invalid enum value")):
        hint = f"expected {expected}"
    return ConfigurationError(f"setting '{name}' = {value!r} (from {where}): {hint}")


def load_settings(
    *,
    plugin_structs: Mapping[str, type[msgspec.Struct]] | None = None,
    config_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Load and validate settings; raise ``ConfigurationError`` naming the first bad one.

    ``plugin_structs`` (from ``Hooks.settings_structs()``) types each ``[plugins.<name>]``
    section. ``overrides`` (from command-line options) win over every other source.
    """
    env = os.environ if env is None else env
    source = _Source()
    raw: dict[str, Any] = {}
    path = config_file or env.get("MENTORKIT_CONFIG")
    if not path and Path("mentorkit.toml").is_file():
        path = "mentorkit.toml"
    if path:
        raw = _read_toml(Path(path))
        for key, value in raw.items():
            if key == "plugins" and isinstance(value, dict):
                for plugin, section in value.items():
                    for field in section if isinstance(section, dict) else {}:
                        source.origin[("plugins", plugin, field)] = str(path)
            else:
                source.origin[(key,)] = str(path)
    raw = _merge(raw, _env_settings(env, source))
    for key, value in (overrides or {}).items():
        if value is not None:
            raw[key] = value
            source.origin[(key,)] = "command line"

    plugin_raw = raw.pop("plugins", {}) or {}
    if not isinstance(plugin_raw, dict):
        raise ConfigurationError("setting 'plugins' must be a table of plugin sections")
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise _explain(exc, raw, source, Settings, ()) from None

    structs = dict(plugin_structs or {})
    unknown = sorted(set(plugin_raw) - set(structs))
    if unknown:
        where = source.describe(("plugins", unknown[0], next(iter(plugin_raw[unknown[0]] or {"": 0}))))
        raise _unknown(f"plugins.{unknown[0]}", {f"plugins.{n}" for n in structs},
                       f"{'settings' if where == 'default' else where} (no loaded plugin declares "
                       "settings under that name)")
    for name, struct in structs.items():
        section = plugin_raw.get(name, {})
        try:
            settings.plugins[name] = msgspec.convert(section, struct, strict=False)
        except msgspec.ValidationError as exc:
            raise _explain(exc, section, source, struct, ("plugins", name)) from None
    return settings


def ensure_secret_key(settings: Settings) -> str:
    """The secret key: configured, or generated once and kept in the data directory.

    Self-hosters get a strong key without a setup step; a placeholder is refused.
    """
    if settings.secret_key:
        if len(settings.secret_key) < 32 or "change" in settings.secret_key.lower():
            raise ConfigurationError(
                "setting 'secret_key' is too weak: use at least 32 random characters "
                "(or leave it unset to generate one in the data directory)"
            )
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    settings.secret_key = key
    return key
