/* The public API of the C adapter kit (include/swhub_client.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "internal.h"

/* Waits until WELCOME answers the latest HELLO, the hub refuses it, or the deadline. */
static int await_welcome(swhub_client *c, int64_t deadline) {
    for (;;) {
        if (c->welcomed) return SWHUB_OK;
        if (c->hello_error > 0) return c->hello_error;
        if (c->auth_failed) return swhub_fail(c, SWHUB_ERR_AUTH, "the hub at %s refused this client's CURVE key", c->endpoint);
        if (swhub_now_ms() >= deadline) {
            return swhub_fail(c, SWHUB_ERR_TIMEOUT, "no WELCOME from %s (hub down, or it refused this key)", c->endpoint);
        }
        int rc = swhub_pump(c, deadline);
        if (rc < 0) return rc;
    }
}

static int64_t deadline_after(int timeout_ms) { return swhub_now_ms() + (timeout_ms > 0 ? timeout_ms : 0); }

int swhub_open(swhub_client **client, const char *endpoint, const char *key_file, const char *hub_key_file, int timeout_ms) {
    if (client == NULL) {
        swhub_fail_open("swhub_open: client is NULL");
        return SWHUB_ERR_ARGUMENT;
    }
    *client = NULL;
    if (endpoint == NULL || key_file == NULL || hub_key_file == NULL) {
        swhub_fail_open("swhub_open: endpoint, key_file and hub_key_file are required");
        return SWHUB_ERR_ARGUMENT;
    }
    swhub_client *c = calloc(1, sizeof *c);
    if (c == NULL) {
        swhub_fail_open("swhub_open: out of memory");
        return SWHUB_ERR_NO_MEMORY;
    }
    c->heartbeat_ms = SWHUB_DEFAULT_HEARTBEAT_MS;
    c->batch_entries = SWHUB_DEFAULT_BATCH_ENTRIES;
    c->batch_linger_us = SWHUB_DEFAULT_BATCH_LINGER_US;
    c->batch_deliveries = SWHUB_DEFAULT_BATCH_DELIVERIES;
    c->next_batch = 1;
    int rc = swhub_parse_endpoints(c, endpoint);
    if (rc == SWHUB_OK) rc = swhub_read_key(key_file, "public_key", c->public_key, c->error, sizeof c->error);
    if (rc == SWHUB_OK) rc = swhub_read_key(key_file, "secret_key", c->secret_key, c->error, sizeof c->error);
    if (rc == SWHUB_OK) rc = swhub_read_server_keys(c, hub_key_file);
    if (rc == SWHUB_OK && (c->context = zmq_ctx_new()) == NULL) rc = swhub_fail(c, SWHUB_ERR_ZMQ, "zmq_ctx_new failed");
    if (rc == SWHUB_OK) rc = swhub_connect(c);
    if (rc == SWHUB_OK) rc = swhub_send_hello(c);
    if (rc == SWHUB_OK) rc = await_welcome(c, deadline_after(timeout_ms));
    if (rc != SWHUB_OK) {
        if (rc > 0) swhub_fail(c, rc, "the hub refused HELLO: %s", c->error);
        swhub_fail_open(c->error);
        swhub_close(c);
        return rc;
    }
    *client = c;
    return SWHUB_OK;
}

void swhub_close(swhub_client *client) {
    if (client == NULL) return;
    if (client->dealer != NULL) {
        swhub_outbox_send(client, 1); /* what lingers for a batch goes now, unanswered */
        swhub_flush_ack(client);
    }
    swhub_disconnect(client, 500);
    if (client->context != NULL) zmq_ctx_term(client->context);
    swhub_pending_clear(client);
    swhub_batches_clear(client);
    swhub_replies_clear(client);
    swhub_deliveries_clear(client);
    memset(client->secret_key, 0, sizeof client->secret_key);
    free(client->endpoints);
    free(client->endpoint_list);
    free(client);
}

const char *swhub_endpoint(const swhub_client *client) { return client != NULL && client->endpoint != NULL ? client->endpoint : ""; }

const char *swhub_party(const swhub_client *client) { return client != NULL ? client->party : ""; }

uint32_t swhub_heartbeat_ms(const swhub_client *client) { return client != NULL ? client->heartbeat_ms : 0; }

uint32_t swhub_max_body_bytes(const swhub_client *client) { return client != NULL ? client->max_body_bytes : 0; }

size_t swhub_pending(const swhub_client *client) { return client != NULL ? client->pending_count : 0; }

size_t swhub_unsent(const swhub_client *client) { return client != NULL ? client->outbox_count : 0; }

uint32_t swhub_protocol_version(const swhub_client *client) {
    if (client == NULL) return 0;
    return client->protocol_version > 0 ? client->protocol_version : SWHUB_PROTOCOL_VERSION;
}

int swhub_set_batching(swhub_client *c, uint32_t max_entries, uint32_t linger_us) {
    if (c == NULL) return SWHUB_ERR_ARGUMENT;
    c->batch_entries = max_entries > 1 ? max_entries : 1;
    c->batch_linger_us = linger_us;
    return swhub_outbox_send(c, 0); /* what the new limits make due goes now */
}

int swhub_set_batch_deliveries(swhub_client *c, uint32_t max_deliveries) {
    if (c == NULL) return SWHUB_ERR_ARGUMENT;
    c->batch_deliveries = max_deliveries;
    return SWHUB_OK;
}

int swhub_flush(swhub_client *c) {
    if (c == NULL) return SWHUB_ERR_ARGUMENT;
    if (c->outbox_head == NULL) return SWHUB_OK;
    if (c->dealer == NULL) {
        int rc = swhub_reconnect(c, "no connection");
        if (rc != SWHUB_OK) return rc;
    }
    return swhub_outbox_send(c, 1);
}

/* Sends the outbox (`force`: all of it); when `p` could not be sent, it is forgotten (the
 * caller may send it again, same id) and the failure returned. */
static int send_or_forget(swhub_client *c, swhub_unanswered *p, int force) {
    int rc = swhub_outbox_send(c, force);
    if (rc != SWHUB_OK && !p->sent) swhub_pending_free(swhub_pending_take(c, p->id));
    return rc;
}

int swhub_send(swhub_client *c, const swhub_message *m) {
    if (c == NULL) return SWHUB_ERR_ARGUMENT;
    if (m == NULL || m->id == NULL || m->type == NULL) return swhub_fail(c, SWHUB_ERR_ARGUMENT, "a message needs an id and a type");
    size_t id_len = strlen(m->id);
    if (id_len == 0 || id_len > SWHUB_MAX_ID_BYTES) {
        return swhub_fail(c, SWHUB_ERR_ARGUMENT, "a message id is 1 to %d bytes, not %zu", SWHUB_MAX_ID_BYTES, id_len);
    }
    if (m->body == NULL && m->body_len > 0) return swhub_fail(c, SWHUB_ERR_ARGUMENT, "body is NULL with body_len %zu", m->body_len);
    if (m->recipients == NULL && m->recipient_count > 0) return swhub_fail(c, SWHUB_ERR_ARGUMENT, "recipients is NULL");
    for (size_t i = 0; i < m->recipient_count; i++) {
        if (m->recipients[i] == NULL) return swhub_fail(c, SWHUB_ERR_ARGUMENT, "recipient %zu is NULL", i);
    }
    if (swhub_pending_find(c, m->id) != NULL) {
        return swhub_fail(c, SWHUB_ERR_STATE, "message id %s is already awaiting its reply", m->id);
    }
    if (c->dealer == NULL) {
        int rc = swhub_reconnect(c, "no connection");
        if (rc != SWHUB_OK) return rc;
    }
    /* Kept until answered, to be sent again after a reconnect; gathered into the outbox
     * first, which sends it at once unless it may wait for a batch to fill. */
    swhub_unanswered *p = swhub_pending_new(m);
    if (p == NULL) return swhub_fail(c, SWHUB_ERR_NO_MEMORY, "out of memory");
    p->queued_us = swhub_now_us();
    swhub_pending_insert(c, p);
    if (c->outbox_tail != NULL) c->outbox_tail->out_next = p;
    else c->outbox_head = p;
    c->outbox_tail = p;
    c->outbox_count++;
    c->outbox_bytes += p->body_len;
    return send_or_forget(c, p, 0);
}

static int reply_result(swhub_client *c, const swhub_reply *reply) {
    if (reply->code == 0) return SWHUB_OK;
    return swhub_fail(c, reply->code, "hub error %d %s: %s", reply->code, reply->name, reply->reason);
}

int swhub_submit(swhub_client *c, const swhub_message *m, swhub_reply *out, int timeout_ms) {
    int rc = swhub_send(c, m);
    if (rc != SWHUB_OK) return rc;
    /* It goes now, with whatever lingered before it (a lone one as a SUBMIT). */
    swhub_unanswered *p = swhub_pending_find(c, m->id);
    if (p != NULL && !p->sent && (rc = send_or_forget(c, p, 1)) != SWHUB_OK) return rc;
    int64_t deadline = deadline_after(timeout_ms);
    swhub_reply reply;
    for (;;) {
        if (swhub_reply_take(c, m->id, &reply)) {
            if (out != NULL) *out = reply;
            return reply_result(c, &reply);
        }
        if (swhub_now_ms() >= deadline) {
            swhub_pending_free(swhub_pending_take(c, m->id)); /* a late answer is dropped */
            return swhub_fail(c, SWHUB_ERR_TIMEOUT, "no reply to %s within %d ms: submit it again (same id)", m->id, timeout_ms);
        }
        rc = swhub_pump(c, deadline);
        if (rc < 0) return rc;
    }
}

int swhub_next_reply(swhub_client *c, swhub_reply *reply, int timeout_ms) {
    if (c == NULL || reply == NULL) return swhub_fail(c, SWHUB_ERR_ARGUMENT, "client and reply are required");
    int64_t deadline = deadline_after(timeout_ms);
    for (;;) {
        if (swhub_reply_pop(c, reply)) return SWHUB_OK;
        if (swhub_now_ms() >= deadline) return swhub_fail(c, SWHUB_ERR_TIMEOUT, "no reply within %d ms", timeout_ms);
        /* Nothing on the way: no reply can come before what lingers is sent. */
        if (c->outbox_count > 0 && c->outbox_count == c->pending_count && c->dealer != NULL) {
            int rc = swhub_outbox_send(c, 1);
            if (rc < 0) return rc;
        }
        int rc = swhub_pump(c, deadline);
        if (rc < 0) return rc;
    }
}

int swhub_receive_start(swhub_client *c, uint32_t credit, int timeout_ms) {
    if (c == NULL) return SWHUB_ERR_ARGUMENT;
    c->receiving = 1;
    c->credit = credit;
    if (c->dealer == NULL) {
        int rc = swhub_reconnect(c, "no connection");
        if (rc != SWHUB_OK) return rc;
    } else {
        int rc = swhub_send_hello(c);
        if (rc != SWHUB_OK) return rc;
    }
    int rc = await_welcome(c, deadline_after(timeout_ms));
    if (rc > 0) swhub_fail(c, rc, "the hub refused HELLO: %s", c->error);
    return rc;
}

int swhub_receive(swhub_client *c, swhub_delivery **delivery, int timeout_ms) {
    if (delivery != NULL) *delivery = NULL;
    if (c == NULL || delivery == NULL) return swhub_fail(c, SWHUB_ERR_ARGUMENT, "client and delivery are required");
    if (!c->receiving) return swhub_fail(c, SWHUB_ERR_STATE, "no receiving session: call swhub_receive_start first");
    int64_t deadline = deadline_after(timeout_ms);
    int rc = c->dealer != NULL ? swhub_outbox_send(c, 0) : SWHUB_OK; /* a batch may be due */
    if (rc < 0) return rc;
    for (;;) {
        if ((*delivery = swhub_delivery_pop(c)) != NULL) return SWHUB_OK;
        rc = swhub_pump(c, deadline);
        if (rc < 0) return rc;
        if ((*delivery = swhub_delivery_pop(c)) != NULL) return SWHUB_OK;
        if (swhub_now_ms() >= deadline) return swhub_fail(c, SWHUB_ERR_TIMEOUT, "no delivery within %d ms", timeout_ms);
    }
}

int swhub_ack(swhub_client *c, uint64_t seq) {
    if (c == NULL) return SWHUB_ERR_ARGUMENT;
    if (!c->receiving) return swhub_fail(c, SWHUB_ERR_STATE, "no receiving session: nothing to acknowledge");
    if (seq > c->delivered_seq) return swhub_fail(c, SWHUB_ERR_ARGUMENT, "seq %llu was not delivered", (unsigned long long)seq);
    if (seq > c->ack_wanted) c->ack_wanted = seq;
    int rc = swhub_flush_ack(c);
    return rc == SWHUB_OK ? swhub_outbox_send(c, 0) : rc;
}
