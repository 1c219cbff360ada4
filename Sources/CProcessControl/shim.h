#ifndef CPROCESSCONTROL_SHIM_H
#define CPROCESSCONTROL_SHIM_H
/* Process hardening for `swhub serve` (CoreDumps.swift): prctl is variadic, which Swift
 * cannot call, so the calls are plain functions here. */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>

/* No core file (RLIMIT_CORE soft and hard 0) and not dumpable (PR_SET_DUMPABLE 0: no core,
 * no ptrace attach by other processes of the same user, /proc/PID files owned by root).
 * Returns 0, or the errno of the call that failed (negated for prctl). */
static inline int swhub_disable_core_dumps(void) {
    struct rlimit none = {0, 0};
    if (setrlimit(RLIMIT_CORE, &none) != 0) {
        return errno;
    }
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        return -errno;
    }
    return 0;
}

/* Whether the process is dumpable (prctl PR_GET_DUMPABLE): 1 yes, 0 no, -1 error. */
static inline int swhub_is_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}
#endif
