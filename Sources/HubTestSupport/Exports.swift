/// The real servers the tests start (PostgreSQL, Patroni, etcd), from ``LocalServers``.
@_exported import LocalServers
