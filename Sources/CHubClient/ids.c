/*
 * New message ids that sort in the order they were made: UUID version 7 (RFC 9562), as
 * the Swift SDK's default ids (TimeOrderedId). The hub finds a repeated submission by
 * (sender, id) in an index; ids that sort by time are added at its end, random ones
 * anywhere in it, where each group commit then rewrites about one page per message.
 *
 * The 48-bit millisecond and the 12-bit counter after it are kept as one 60-bit number
 * (millisecond << 12 | counter), advanced by compare-and-swap: a new millisecond starts
 * the counter at a random value below 2,048; otherwise the number goes up by one, which
 * carries into the millisecond after 4,095 ids in one. So the ids of one process are
 * strictly increasing, from any thread, also when the clock steps back.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

#include "internal.h"

static _Atomic uint64_t last_stamp;

/* `len` random bytes from the kernel (getrandom without flags blocks only before the pool
 * is first seeded at boot). */
static int random_bytes(void *buffer, size_t len) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom((uint8_t *)buffer + got, len - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        got += (size_t)n;
    }
    return 0;
}

int swhub_new_id(char out[SWHUB_NEW_ID_BYTES + 1]) {
    if (out == NULL) return SWHUB_ERR_ARGUMENT;
    uint64_t random[2]; /* the counter's seed, the 62 random bits */
    if (random_bytes(random, sizeof random) != 0) return SWHUB_ERR_ARGUMENT;
    uint64_t counter_seed = random[0], tail = random[1];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t millisecond = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
    uint64_t fresh = (millisecond & 0xFFFFFFFFFFFFull) << 12 | (counter_seed & 0x7FF);
    uint64_t previous = atomic_load(&last_stamp);
    uint64_t stamp;
    do {
        stamp = fresh >> 12 > previous >> 12 ? fresh : previous + 1;
    } while (!atomic_compare_exchange_weak(&last_stamp, &previous, stamp));
    uint64_t high = (stamp >> 12) << 16 | 0x7000 | (stamp & 0xFFF);
    uint64_t low = 0x8000000000000000ull | (tail & 0x3FFFFFFFFFFFFFFFull);
    snprintf(out, SWHUB_NEW_ID_BYTES + 1, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(high >> 32),
             (unsigned)(high >> 16 & 0xFFFF), (unsigned)(high & 0xFFFF), (unsigned)(low >> 48),
             (unsigned long long)(low & 0xFFFFFFFFFFFFull));
    return SWHUB_OK;
}
