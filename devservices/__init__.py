"""Private, throw-away Redis and PostgreSQL servers for tests, the demo and benchmarks."""

from devservices.ports import free_port
from devservices.postgres_server import PostgresServer
from devservices.redis_server import RedisServer

__all__ = ["PostgresServer", "RedisServer", "free_port"]
