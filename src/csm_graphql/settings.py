"""Runtime settings, read from ``CSM_*`` environment variables.

Reading the environment happens only in :meth:`Settings.from_env`, never at import, so tests and
tools can build settings explicitly.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Self

from csm_graphql.observability.tracing import tracing_requested

DEV_SECRET = "csm-graphql-development-secret-not-for-production"
MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """The environment describes a configuration that must not start."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "csm-graphql"


# Every variable Settings.from_env reads (the README's Configuration table says what each
# does); `csm-graphql --help` lists them. A test keeps this in step with from_env.
ENVIRONMENT_VARIABLES: tuple[str, ...] = (
    "CSM_ENV",
    "CSM_DATABASE_URL",
    "CSM_DATA_DIR",
    "CSM_SECRET_KEY",
    "CSM_TOKEN_TTL_SECONDS",
    "CSM_DB_POOL_SIZE",
    "CSM_DB_MAX_OVERFLOW",
    "CSM_DB_POOL_TIMEOUT_SECONDS",
    "CSM_READINESS_TIMEOUT_SECONDS",
    "CSM_CORS_ORIGINS",
    "CSM_IDEMPOTENCY_TTL_SECONDS",
    "CSM_MAX_DEPTH",
    "CSM_MAX_TOKENS",
    "CSM_MAX_ALIASES",
    "CSM_MAX_FIRST",
    "CSM_DEFAULT_FIRST",
    "CSM_MAX_NODES",
    "CSM_MAX_BODY_BYTES",
    "CSM_REQUEST_TIMEOUT_SECONDS",
    "CSM_STATEMENT_TIMEOUT_MS",
    "CSM_RATE_LIMIT_CAPACITY",
    "CSM_RATE_LIMIT_RESTORE_PER_SECOND",
    "CSM_RATE_LIMIT_REDIS_URL",
    "CSM_LOG_FORMAT",
    "CSM_METRICS",
    "CSM_METRICS_TOKEN",
    "CSM_PERSISTED_QUERIES",
    "CSM_TRUSTED_DOCUMENTS",
    "CSM_COMPILED_READS",
    "CSM_FORWARDED_ALLOW_IPS",
)


def _ip_network(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _switch(env: dict[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value not in {"on", "off"}:
        raise SettingsError(f"{name} must be on or off, not {value!r}")
    return value == "on"


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-request guards. Every number is a setting because deployments differ."""

    max_depth: int = 12
    max_tokens: int = 2_000
    max_aliases: int = 30
    max_first: int = 100
    default_first: int = 20
    # The product of `first` along nested connections, summed over the query (GitHub's rule).
    max_nodes: int = 50_000
    max_body_bytes: int = 64 * 1024
    request_timeout_seconds: float = 10.0
    statement_timeout_ms: int = 8_000


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket per principal, in query cost points (throttle.py).

    The defaults let one principal run a burst of about 80 portal-sized queries (20 x 10 x 5
    nodes, cost 1,221) and then about 1.6 of them a second; a capacity of 0 turns limiting off.
    """

    capacity: int = 100_000
    restore_per_second: float = 2_000.0
    # Unset: buckets live in each process. Set: one bucket per principal across workers.
    redis_url: str | None = None

    @property
    def enabled(self) -> bool:
        return self.capacity > 0 and self.restore_per_second > 0


@dataclass(frozen=True, slots=True)
class Settings:
    environment: str = "development"
    # None means: start (or reuse) the embedded PostgreSQL under ``data_dir``.
    database_url: str | None = None
    data_dir: Path = field(default_factory=_default_data_dir)
    secret_key: str = DEV_SECRET
    token_ttl_seconds: int = 12 * 3600
    # Overflow connections are opened and closed per burst; waiting for a pooled one is
    # cheaper (bench: 2.3x the detail throughput at concurrency 8 with 20 + 0 over 10 + 10).
    db_pool_size: int = 20
    db_max_overflow: int = 0
    # How long a request waits for a pooled connection before it is refused (503 and
    # Retry-After): a saturated pool should shed load at once, not hold every request until
    # the request timeout.
    db_pool_timeout_seconds: float = 2.0
    # /readyz answers within this, whatever the pool or the server does: probes have short
    # deadlines of their own (Kubernetes' default is 1 s).
    readiness_timeout_seconds: float = 1.0
    cors_origins: tuple[str, ...] = ()
    # How long the first answer to an Idempotency-Key is kept for its retries (Stripe: 24 h).
    idempotency_ttl_seconds: int = 24 * 3600
    limits: Limits = field(default_factory=Limits)
    rate_limit: RateLimit = field(default_factory=RateLimit)
    # "json" or "console"; None: JSON lines in production, console lines elsewhere.
    log_format: str | None = None
    # /metrics: "on", "off" or "token" (needs metrics_token); None: off in production, on
    # elsewhere.
    metrics: str | None = None
    metrics_token: str | None = None
    # Apollo's automatic persisted queries: clients send a document's hash, and the document
    # only when the server does not know it yet.
    persisted_queries: bool = True
    # A manifest of id -> document: set, the API runs those documents and refuses any other.
    trusted_documents: Path | None = None
    # OpenTelemetry traces: on when the standard OTEL_* variables ask for them.
    tracing: bool = False
    # Compiled reads (issue 10): compilable queries are answered by one SQL statement (the
    # rest by the resolvers, the reference semantics); off: the resolvers answer everything.
    compiled_reads: bool = True
    # The proxies whose X-Forwarded-For / X-Forwarded-Proto the API believes (addresses or
    # networks; "*" any peer). Empty: none, the peer's address is the client's.
    forwarded_allow_ips: tuple[str, ...] = ()

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def log_format_or_default(self) -> str:
        return self.log_format or ("json" if self.production else "console")

    @property
    def metrics_mode(self) -> str:
        return self.metrics or ("off" if self.production else "on")

    @property
    def graphiql(self) -> bool:
        return not self.production

    @property
    def development(self) -> bool:
        """Development tools that mint tokens (the explorer's persona picker) exist only here:
        not in production, and not in "test", which a staging server might run as."""
        return self.environment == "development"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Self:
        env = dict(os.environ if env is None else env)
        limits, rate_limit = Limits(), RateLimit()
        limit_overrides = {
            name: type(getattr(limits, name))(env[f"CSM_{name.upper()}"])
            for name in Limits.__dataclass_fields__
            if f"CSM_{name.upper()}" in env
        }
        settings = cls(
            environment=env.get("CSM_ENV", "development"),
            database_url=env.get("CSM_DATABASE_URL") or None,
            data_dir=Path(env["CSM_DATA_DIR"]) if env.get("CSM_DATA_DIR") else _default_data_dir(),
            secret_key=env.get("CSM_SECRET_KEY", DEV_SECRET),
            token_ttl_seconds=int(env.get("CSM_TOKEN_TTL_SECONDS", 12 * 3600)),
            db_pool_size=int(env.get("CSM_DB_POOL_SIZE", 20)),
            db_max_overflow=int(env.get("CSM_DB_MAX_OVERFLOW", 0)),
            db_pool_timeout_seconds=float(env.get("CSM_DB_POOL_TIMEOUT_SECONDS", 2.0)),
            readiness_timeout_seconds=float(env.get("CSM_READINESS_TIMEOUT_SECONDS", 1.0)),
            cors_origins=tuple(o for o in env.get("CSM_CORS_ORIGINS", "").split(",") if o),
            idempotency_ttl_seconds=int(env.get("CSM_IDEMPOTENCY_TTL_SECONDS", 24 * 3600)),
            limits=replace(limits, **limit_overrides),
            compiled_reads=_switch(env, "CSM_COMPILED_READS", default=True),
            rate_limit=RateLimit(
                capacity=int(env.get("CSM_RATE_LIMIT_CAPACITY", rate_limit.capacity)),
                restore_per_second=float(
                    env.get("CSM_RATE_LIMIT_RESTORE_PER_SECOND", rate_limit.restore_per_second)
                ),
                redis_url=env.get("CSM_RATE_LIMIT_REDIS_URL") or None,
            ),
            log_format=env.get("CSM_LOG_FORMAT") or None,
            metrics=env.get("CSM_METRICS") or None,
            metrics_token=env.get("CSM_METRICS_TOKEN") or None,
            persisted_queries=_switch(env, "CSM_PERSISTED_QUERIES", default=True),
            trusted_documents=(
                Path(env["CSM_TRUSTED_DOCUMENTS"]) if env.get("CSM_TRUSTED_DOCUMENTS") else None
            ),
            tracing=tracing_requested(env),
            forwarded_allow_ips=tuple(
                item.strip()
                for item in env.get("CSM_FORWARDED_ALLOW_IPS", "").split(",")
                if item.strip()
            ),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse configurations that would be unsafe to serve."""
        for name in ("db_pool_timeout_seconds", "readiness_timeout_seconds"):
            if not getattr(self, name) > 0:
                raise SettingsError(f"CSM_{name.upper()} must be a positive number of seconds")
        if self.environment not in {"development", "test", "production"}:
            raise SettingsError(
                f"CSM_ENV must be development, test or production, not {self.environment!r}"
            )
        if self.log_format not in {None, "json", "console"}:
            raise SettingsError(f"CSM_LOG_FORMAT must be json or console, not {self.log_format!r}")
        if self.metrics not in {None, "on", "off", "token"}:
            raise SettingsError(f"CSM_METRICS must be on, off or token, not {self.metrics!r}")
        if self.metrics_mode == "token" and len(self.metrics_token or "") < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"CSM_METRICS=token needs CSM_METRICS_TOKEN: a random secret of at least "
                f"{MIN_SECRET_LENGTH} characters"
            )
        for proxy in self.forwarded_allow_ips:
            if proxy != "*" and not _ip_network(proxy):
                raise SettingsError(
                    f"CSM_FORWARDED_ALLOW_IPS lists addresses or networks of trusted proxies "
                    f"(e.g. 10.0.0.5,172.18.0.0/16), not {proxy!r}"
                )
        if self.idempotency_ttl_seconds <= 0:
            raise SettingsError("CSM_IDEMPOTENCY_TTL_SECONDS must be a positive number of seconds")
        if self.production:
            if self.secret_key == DEV_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH:
                raise SettingsError(
                    f"production needs CSM_SECRET_KEY: a random secret of at least "
                    f"{MIN_SECRET_LENGTH} characters"
                )
            if self.database_url is None:
                raise SettingsError(
                    "production needs CSM_DATABASE_URL; the embedded database is for development"
                )
