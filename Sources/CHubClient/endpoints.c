/*
 * The hub endpoints (and the hub's public keys, below): one hub, or the nodes of a hub cluster given as a comma-separated list
 * (all with the same hub key), tried round robin when a connection is lost (PROTOCOL.md,
 * "Several hub nodes").
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int is_space(char ch) { return ch == ' ' || ch == '\t'; }

/* Copies `list`, splits it at commas and trims each entry; an empty entry is an error. */
int swhub_parse_endpoints(swhub_client *c, const char *list) {
    size_t len = strlen(list), count = 1;
    for (size_t i = 0; i < len; i++) count += list[i] == ',';
    c->endpoint_list = malloc(len + 1);
    c->endpoints = calloc(count, sizeof *c->endpoints);
    if (c->endpoint_list == NULL || c->endpoints == NULL) return swhub_fail(c, SWHUB_ERR_NO_MEMORY, "out of memory");
    memcpy(c->endpoint_list, list, len + 1);
    char *start = c->endpoint_list;
    for (size_t n = 0; n < count; n++) {
        char *comma = strchr(start, ',');
        if (comma != NULL) *comma = '\0';
        while (is_space(*start)) start++;
        char *end = start + strlen(start);
        while (end > start && is_space(end[-1])) *--end = '\0';
        if (*start == '\0') {
            return swhub_fail(c, SWHUB_ERR_ARGUMENT, "endpoint %zu of \"%s\" is empty (a comma-separated list of hub endpoints)",
                              n + 1, list);
        }
        c->endpoints[n] = start;
        if (comma != NULL) start = comma + 1;
    }
    c->endpoint_count = count;
    c->endpoint_index = 0;
    c->endpoint = c->endpoints[0];
    return SWHUB_OK;
}

/* Moves on to the next hub node (round robin); a single endpoint stays as it is. */
void swhub_next_endpoint(swhub_client *c) {
    if (c->endpoint_count < 2) return;
    c->endpoint_index = (c->endpoint_index + 1) % c->endpoint_count;
    c->endpoint = c->endpoints[c->endpoint_index];
}

/* The hub's public key files: one, or a comma-separated list of two (its current and next
 * key, while it is rotated; README "Rotating keys"), tried in turn when a handshake fails. */
int swhub_read_server_keys(swhub_client *c, const char *list) {
    char copy[4096];
    size_t len = strlen(list);
    if (len >= sizeof copy) return swhub_fail(c, SWHUB_ERR_ARGUMENT, "hub key file list is too long");
    memcpy(copy, list, len + 1);
    size_t count = 0;
    char *start = copy;
    for (;;) {
        char *comma = strchr(start, ',');
        if (comma != NULL) *comma = '\0';
        while (is_space(*start)) start++;
        char *end = start + strlen(start);
        while (end > start && is_space(end[-1])) *--end = '\0';
        if (count == 2) return swhub_fail(c, SWHUB_ERR_ARGUMENT, "\"%s\" names more than two hub key files", list);
        if (*start == '\0') return swhub_fail(c, SWHUB_ERR_ARGUMENT, "hub key file %zu of \"%s\" is empty", count + 1, list);
        int rc = swhub_read_key(start, "public_key", c->server_keys[count], c->error, sizeof c->error);
        if (rc != SWHUB_OK) return rc;
        count++;
        if (comma == NULL) break;
        start = comma + 1;
    }
    c->server_key_count = count;
    c->server_key_index = 0;
    memcpy(c->server_key, c->server_keys[0], sizeof c->server_key);
    return SWHUB_OK;
}

/* Moves on to the hub's next public key (round robin); a single key stays as it is. */
void swhub_next_server_key(swhub_client *c) {
    if (c->server_key_count < 2) return;
    c->server_key_index = (c->server_key_index + 1) % c->server_key_count;
    memcpy(c->server_key, c->server_keys[c->server_key_index], sizeof c->server_key);
}
