/* Return codes, their names, and the text of the last failure. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

/* The text of the last failed swhub_open() of this thread (it has no client to keep it). */
static _Thread_local char open_error[512];

int swhub_fail(swhub_client *c, int code, const char *format, ...) {
    if (c != NULL) {
        va_list args;
        va_start(args, format);
        vsnprintf(c->error, sizeof c->error, format, args);
        va_end(args);
    }
    return code;
}

void swhub_fail_open(const char *text) { snprintf(open_error, sizeof open_error, "%s", text); }

int64_t swhub_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

int64_t swhub_now_us(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

const char *swhub_last_error(const swhub_client *client) {
    if (client == NULL) return open_error;
    return client->error;
}

const char *swhub_strerror(int code) {
    switch (code) {
    case SWHUB_OK: return "OK";
    case SWHUB_ERR_ARGUMENT: return "SWHUB_ERR_ARGUMENT";
    case SWHUB_ERR_KEY_FILE: return "SWHUB_ERR_KEY_FILE";
    case SWHUB_ERR_ZMQ: return "SWHUB_ERR_ZMQ";
    case SWHUB_ERR_TIMEOUT: return "SWHUB_ERR_TIMEOUT";
    case SWHUB_ERR_AUTH: return "SWHUB_ERR_AUTH";
    case SWHUB_ERR_PROTOCOL: return "SWHUB_ERR_PROTOCOL";
    case SWHUB_ERR_NO_MEMORY: return "SWHUB_ERR_NO_MEMORY";
    case SWHUB_ERR_STATE: return "SWHUB_ERR_STATE";
    case SWHUB_HUB_BUSY: return "HUB_BUSY";
    case SWHUB_HUB_SHUTTING_DOWN: return "SHUTTING_DOWN";
    case SWHUB_HUB_JOURNAL_UNAVAILABLE: return "JOURNAL_UNAVAILABLE";
    case SWHUB_HUB_MALFORMED_FRAME: return "MALFORMED_FRAME";
    case SWHUB_HUB_WRONG_FRAME_COUNT: return "WRONG_FRAME_COUNT";
    case SWHUB_HUB_UNSUPPORTED_VERSION: return "UNSUPPORTED_VERSION";
    case SWHUB_HUB_SENDER_MISMATCH: return "SENDER_MISMATCH";
    case SWHUB_HUB_UNKNOWN_TYPE: return "UNKNOWN_TYPE";
    case SWHUB_HUB_MISSING_ID: return "MISSING_ID";
    case SWHUB_HUB_BODY_TOO_LARGE: return "BODY_TOO_LARGE";
    case SWHUB_HUB_UNKNOWN_RECIPIENT: return "UNKNOWN_RECIPIENT";
    case SWHUB_HUB_UNEXPECTED_COMMAND: return "UNEXPECTED_COMMAND";
    case SWHUB_HUB_NO_SESSION: return "NO_SESSION";
    case SWHUB_HUB_BAD_ACK: return "BAD_ACK";
    case SWHUB_HUB_NOT_AUTHENTICATED: return "NOT_AUTHENTICATED";
    case SWHUB_HUB_MALFORMED_BODY: return "MALFORMED_BODY";
    case SWHUB_HUB_NOT_REGISTERED: return "NOT_REGISTERED";
    case SWHUB_HUB_BLACKLISTED: return "BLACKLISTED";
    case SWHUB_HUB_NOT_ENTITLED: return "NOT_ENTITLED";
    case SWHUB_HUB_BAD_REPLAY: return "BAD_REPLAY";
    case SWHUB_HUB_HEADER_TOO_LARGE: return "HEADER_TOO_LARGE";
    case SWHUB_HUB_ROUTING_ID_SET: return "ROUTING_ID_SET";
    case SWHUB_HUB_BAD_BATCH: return "BAD_BATCH";
    case SWHUB_HUB_KEY_REVOKED: return "KEY_REVOKED";
    case SWHUB_HUB_INTERNAL: return "INTERNAL";
    case SWHUB_HUB_JOURNAL_FAILURE: return "JOURNAL_FAILURE";
    case SWHUB_HUB_JOURNAL_DAMAGED: return "JOURNAL_DAMAGED";
    case SWHUB_HUB_READ_ONLY: return "READ_ONLY";
    default: return code > 0 ? "HUB_ERROR" : "SWHUB_ERR_UNKNOWN";
    }
}
