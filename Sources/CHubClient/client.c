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
    int rc = swhub_parse_endpoints(c, endpoint);
    if (rc == SWHUB_OK) rc = swhub_read_key(key_file, "public_key", c->public_key, c->error, sizeof c->error);
    if (rc == SWHUB_OK) rc = swhub_read_key(key_file, "secret_key", c->secret_key, c->error, sizeof c->error);
    if (rc == SWHUB_OK) rc = swhub_read_key(hub_key_file, "public_key", c->server_key, c->error, sizeof c->error);
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
    if (client->dealer != NULL) swhub_flush_ack(client);
    swhub_disconnect(client, 500);
    if (client->context != NULL) zmq_ctx_term(client->context);
    swhub_pending_clear(client);
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
    Swhub__V1__Header header = SWHUB__V1__HEADER__INIT;
    header.id = (char *)m->id;
    header.type = (char *)m->type;
    header.n_recipients = m->recipient_count;
    header.recipients = (char **)m->recipients;
    if (m->correlation_id != NULL) header.correlation_id = (char *)m->correlation_id;
    header.created_at_us = m->created_at_us;
    Swhub__V1__Submit submit = SWHUB__V1__SUBMIT__INIT;
    submit.header = &header;
    Swhub__V1__Command command = SWHUB__V1__COMMAND__INIT;
    command.version = SWHUB_PROTOCOL_VERSION;
    command.kind_case = SWHUB__V1__COMMAND__KIND_SUBMIT;
    command.submit = &submit;
    size_t len = swhub__v1__command__get_packed_size(&command);
    uint8_t *frame = malloc(len > 0 ? len : 1);
    if (frame == NULL) return swhub_fail(c, SWHUB_ERR_NO_MEMORY, "out of memory");
    swhub__v1__command__pack(&command, frame);
    if (c->dealer == NULL) {
        int rc = swhub_reconnect(c, "no connection");
        if (rc != SWHUB_OK) {
            free(frame);
            return rc;
        }
    }
    int rc = swhub_send_frames(c, frame, len, m->body_len > 0 ? m->body : "", m->body_len);
    if (rc != SWHUB_OK) {
        free(frame);
        return rc;
    }
    /* Kept until answered, to be sent again after a reconnect. */
    rc = swhub_pending_add(c, m->id, frame, len, m->body, m->body_len);
    return rc == SWHUB_OK ? SWHUB_OK : swhub_fail(c, rc, "out of memory");
}

static int reply_result(swhub_client *c, const swhub_reply *reply) {
    if (reply->code == 0) return SWHUB_OK;
    return swhub_fail(c, reply->code, "hub error %d %s: %s", reply->code, reply->name, reply->reason);
}

int swhub_submit(swhub_client *c, const swhub_message *m, swhub_reply *out, int timeout_ms) {
    int rc = swhub_send(c, m);
    if (rc != SWHUB_OK) return rc;
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
    for (;;) {
        if ((*delivery = swhub_delivery_pop(c)) != NULL) return SWHUB_OK;
        int rc = swhub_pump(c, deadline);
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
    return swhub_flush_ack(c);
}
