#ifndef CSQLITESETTINGS_H
#define CSQLITESETTINGS_H
/*
 * SQLite's process-wide settings (sqlite3_config), which Swift cannot call: the function is
 * variadic. Each returns SQLite's result code; they take effect only before SQLite is first
 * initialized (the first connection opened), else SQLITE_MISUSE (21) and nothing changes.
 */

/* SQLITE_CONFIG_MULTITHREAD: connections opened without a flag of their own take no mutex
 * of their own; each must be used by one thread at a time, as GRDB's serialized accesses do. */
int swhub_sqlite_config_multithread(void);

/* SQLITE_CONFIG_MEMSTATUS off: no allocation statistics, so no global lock on every
 * allocation (sqlite3_memory_used and sqlite3_soft_heap_limit64 stop counting). */
int swhub_sqlite_config_no_memstatus(void);

#endif
