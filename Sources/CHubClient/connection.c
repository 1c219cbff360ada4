/*
 * The connection: the CURVE DEALER and its monitor, sending frame sets, and the pump that
 * reads what the hub sends, keeps the heartbeat and reopens the connection when it died
 * (PROTOCOL.md sections 1, 2, 6 and 7).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "internal.h"

/* The longest a frame set from the hub may be: a command and a body. */
#define MAX_FRAMES 2

static int zmq_failure(swhub_client *c, const char *what) {
    return swhub_fail(c, SWHUB_ERR_ZMQ, "%s: %s", what, zmq_strerror(zmq_errno()));
}

int swhub_connect(swhub_client *c) {
    void *dealer = zmq_socket(c->context, ZMQ_DEALER);
    if (dealer == NULL) return zmq_failure(c, "zmq_socket(DEALER)");
    int zero = 0, linger = 500;
    if (zmq_setsockopt(dealer, ZMQ_CURVE_SERVERKEY, c->server_key, SWHUB_Z85_KEY_LEN) != 0 ||
        zmq_setsockopt(dealer, ZMQ_CURVE_PUBLICKEY, c->public_key, SWHUB_Z85_KEY_LEN) != 0 ||
        zmq_setsockopt(dealer, ZMQ_CURVE_SECRETKEY, c->secret_key, SWHUB_Z85_KEY_LEN) != 0 ||
        zmq_setsockopt(dealer, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_setsockopt(dealer, ZMQ_SNDHWM, &zero, sizeof zero) != 0 ||
        zmq_setsockopt(dealer, ZMQ_RCVHWM, &zero, sizeof zero) != 0) {
        int rc = zmq_failure(c, "setting the DEALER's CURVE keys and options");
        zmq_close(dealer);
        return rc;
    }
    char monitor_endpoint[64];
    snprintf(monitor_endpoint, sizeof monitor_endpoint, "inproc://swhub-monitor-%p-%u", (void *)c, ++c->generation);
    int events = ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_CONNECT_RETRIED;
    void *monitor = NULL;
    if (zmq_socket_monitor(dealer, monitor_endpoint, events) != 0 || (monitor = zmq_socket(c->context, ZMQ_PAIR)) == NULL ||
        zmq_setsockopt(monitor, ZMQ_LINGER, &zero, sizeof zero) != 0 || zmq_connect(monitor, monitor_endpoint) != 0) {
        int rc = zmq_failure(c, "monitoring the DEALER");
        if (monitor != NULL) zmq_close(monitor);
        zmq_close(dealer);
        return rc;
    }
    if (zmq_connect(dealer, c->endpoint) != 0) {
        int rc = swhub_fail(c, SWHUB_ERR_ZMQ, "cannot connect to %s: %s", c->endpoint, zmq_strerror(zmq_errno()));
        zmq_close(monitor);
        zmq_close(dealer);
        return rc;
    }
    c->dealer = dealer;
    c->monitor = monitor;
    c->handshaken = 0;
    c->welcomed = 0;
    c->hello_error = 0;
    c->session_seq = 0;
    c->last_heard = c->last_ping = c->connect_started = swhub_now_ms();
    return SWHUB_OK;
}

void swhub_disconnect(swhub_client *c, int linger_ms) {
    if (c->dealer != NULL) {
        zmq_setsockopt(c->dealer, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
        zmq_socket_monitor(c->dealer, NULL, 0);
        zmq_close(c->dealer);
        c->dealer = NULL;
    }
    if (c->monitor != NULL) {
        zmq_close(c->monitor);
        c->monitor = NULL;
    }
}

/* qsort order of unanswered submissions: first submitted first. */
static int by_order(const void *a, const void *b) {
    uint64_t x = (*(swhub_unanswered *const *)a)->order, y = (*(swhub_unanswered *const *)b)->order;
    return x < y ? -1 : x > y;
}

/* A new socket, to the next hub node when there are several, HELLO again (resuming after
 * the last ACK), and every unanswered submission that was sent (in a SUBMIT or a
 * SUBMIT_BATCH) again under its id, as a SUBMIT: the new connection's WELCOME has not said
 * yet whether this hub speaks batches. What still waits in the outbox goes later. */
int swhub_reconnect(swhub_client *c, const char *why) {
    (void)why;
    swhub_disconnect(c, 0);
    swhub_next_endpoint(c);
    int rc = swhub_connect(c);
    if (rc != SWHUB_OK) return rc;
    rc = swhub_send_hello(c);
    swhub_batches_clear(c); /* their answers would have come on the old connection */
    if (rc != SWHUB_OK || c->pending_count == 0) return rc;
    /* In the order they were first submitted, never the table's: the hub journals a
     * sender's messages in the order they arrive. */
    swhub_unanswered **sent = malloc(c->pending_count * sizeof *sent);
    if (sent == NULL) return swhub_fail(c, SWHUB_ERR_NO_MEMORY, "out of memory resending %zu submissions", c->pending_count);
    size_t count = 0;
    for (size_t i = 0; i < SWHUB_PENDING_BUCKETS; i++) {
        for (swhub_unanswered *p = c->pending[i]; p != NULL; p = p->next) {
            if (p->sent && count < c->pending_count) sent[count++] = p;
        }
    }
    qsort(sent, count, sizeof *sent, by_order);
    for (size_t i = 0; rc == SWHUB_OK && i < count; i++) rc = swhub_send_submit(c, sent[i]);
    free(sent);
    return rc;
}

int swhub_send_frames(swhub_client *c, const uint8_t *frame, size_t frame_len, const void *body, size_t body_len) {
    if (c->dealer == NULL) return swhub_fail(c, SWHUB_ERR_ZMQ, "not connected to %s", c->endpoint);
    int flags = body != NULL || body_len > 0 ? ZMQ_SNDMORE : 0;
    while (zmq_send(c->dealer, frame, frame_len, flags) < 0) {
        if (zmq_errno() != EINTR) return zmq_failure(c, "zmq_send");
    }
    if (flags == 0) return SWHUB_OK;
    while (zmq_send(c->dealer, body_len > 0 ? body : "", body_len, 0) < 0) {
        if (zmq_errno() != EINTR) return zmq_failure(c, "zmq_send (body)");
    }
    return SWHUB_OK;
}

int swhub_send_command(swhub_client *c, Swhub__V1__Command *command, const void *body, size_t body_len, int has_body) {
    command->version = SWHUB_PROTOCOL_VERSION;
    uint8_t stack[256];
    size_t len = swhub__v1__command__get_packed_size(command);
    uint8_t *frame = len <= sizeof stack ? stack : malloc(len);
    if (frame == NULL) return swhub_fail(c, SWHUB_ERR_NO_MEMORY, "out of memory");
    swhub__v1__command__pack(command, frame);
    int rc = swhub_send_frames(c, frame, len, has_body ? (body != NULL ? body : "") : NULL, body_len);
    if (frame != stack) free(frame);
    return rc;
}

int swhub_send_hello(swhub_client *c) {
    Swhub__V1__Hello hello = SWHUB__V1__HELLO__INIT;
    hello.client = (char *)"swhub-c/1";
    hello.credit = c->credit;
    hello.receive = c->receiving;
    if (c->receiving && c->ack_wanted > c->ack_sent) c->ack_sent = c->ack_wanted;
    hello.acked_seq = c->receiving ? c->ack_sent : 0;
    hello.batch_deliveries = c->batch_deliveries;
    Swhub__V1__Command command = SWHUB__V1__COMMAND__INIT;
    command.kind_case = SWHUB__V1__COMMAND__KIND_HELLO;
    command.hello = &hello;
    c->welcomed = 0;
    c->hello_error = 0;
    c->last_hello = swhub_now_ms();
    return swhub_send_command(c, &command, NULL, 0, 0);
}

/* ACKs what the caller acknowledged, as far as the hub delivered it on this connection (an
 * ACK beyond that would be 410 BAD_ACK). */
int swhub_flush_ack(swhub_client *c) {
    uint64_t seq = c->ack_wanted < c->session_seq ? c->ack_wanted : c->session_seq;
    if (!c->receiving || seq <= c->ack_sent || c->dealer == NULL) return SWHUB_OK;
    Swhub__V1__Ack ack = SWHUB__V1__ACK__INIT;
    ack.seq = seq;
    Swhub__V1__Command command = SWHUB__V1__COMMAND__INIT;
    command.kind_case = SWHUB__V1__COMMAND__KIND_ACK;
    command.ack = &ack;
    int rc = swhub_send_command(c, &command, NULL, 0, 0);
    if (rc == SWHUB_OK) c->ack_sent = seq;
    return rc;
}

/* The session is gone while the connection lives (PONG receiving = false, 409): HELLO
 * again, at most every 2 heartbeats. */
static int reopen_session(swhub_client *c) {
    if (!c->receiving || swhub_now_ms() - c->last_hello < 2 * (int64_t)c->heartbeat_ms) return SWHUB_OK;
    return swhub_send_hello(c);
}

static void copy_text(char *out, size_t size, const char *text) { snprintf(out, size, "%s", text ? text : ""); }

/* One frame set from the hub. */
static int handle(swhub_client *c, zmq_msg_t *frames, int count) {
    Swhub__V1__Command *command =
        swhub__v1__command__unpack(NULL, zmq_msg_size(&frames[0]), (const uint8_t *)zmq_msg_data(&frames[0]));
    if (command == NULL) return swhub_fail(c, SWHUB_OK, "an undecodable frame from the hub was ignored");
    int rc = SWHUB_OK;
    swhub_reply reply;
    memset(&reply, 0, sizeof reply);
    switch (command->kind_case) {
    case SWHUB__V1__COMMAND__KIND_WELCOME:
        copy_text(c->party, sizeof c->party, command->welcome->party);
        c->heartbeat_ms = command->welcome->heartbeat_ms > 0 ? command->welcome->heartbeat_ms : SWHUB_DEFAULT_HEARTBEAT_MS;
        c->max_body_bytes = command->welcome->max_body_bytes;
        c->protocol_version = command->welcome->protocol_version;
        c->max_batch_entries = command->welcome->max_batch_entries;
        c->max_batch_bytes = command->welcome->max_batch_bytes;
        c->welcomed = 1;
        c->auth_failed = 0;
        break;
    case SWHUB__V1__COMMAND__KIND_ACCEPTED:
        copy_text(reply.id, sizeof reply.id, command->accepted->id);
        reply.seq = command->accepted->seq;
        reply.duplicate = command->accepted->duplicate;
        reply.recipients = command->accepted->recipients;
        rc = swhub_handle_reply(c, reply.id, &reply);
        break;
    case SWHUB__V1__COMMAND__KIND_ACCEPTED_BATCH:
        rc = swhub_handle_accepted_batch(c, command->accepted_batch);
        break;
    case SWHUB__V1__COMMAND__KIND_ERROR: {
        Swhub__V1__Error *error = command->error;
        if (error->batch != 0) {
            rc = swhub_handle_batch_error(c, error);
            break;
        }
        if (error->id != NULL && error->id[0] != '\0') {
            copy_text(reply.id, sizeof reply.id, error->id);
            reply.code = error->code > 0 ? (int)error->code : SWHUB_HUB_INTERNAL;
            copy_text(reply.name, sizeof reply.name, error->name);
            copy_text(reply.reason, sizeof reply.reason, error->reason);
            rc = swhub_handle_reply(c, reply.id, &reply);
            break;
        }
        swhub_fail(c, SWHUB_OK, "hub error %u %s: %s", error->code, error->name ? error->name : "", error->reason ? error->reason : "");
        if (!c->welcomed) c->hello_error = error->code > 0 ? (int)error->code : SWHUB_HUB_INTERNAL;
        if (error->code == SWHUB_HUB_NO_SESSION) rc = reopen_session(c);
        break;
    }
    case SWHUB__V1__COMMAND__KIND_DELIVER:
        if (count != 2 || command->deliver->header == NULL) break;
        rc = swhub_accept_delivery(c, command->deliver->header, zmq_msg_data(&frames[1]), zmq_msg_size(&frames[1]));
        break;
    case SWHUB__V1__COMMAND__KIND_DELIVER_BATCH:
        if (count != 2) break;
        rc = swhub_handle_deliver_batch(c, command->deliver_batch, zmq_msg_data(&frames[1]), zmq_msg_size(&frames[1]));
        break;
    case SWHUB__V1__COMMAND__KIND_PONG:
        if (!command->pong->receiving && c->receiving && c->welcomed) rc = reopen_session(c);
        break;
    default:
        break;
    }
    swhub__v1__command__free_unpacked(command, NULL);
    return rc;
}

/* Reads one frame set; 0 when none is waiting, 1 when handled, negative on failure. */
static int read_one(swhub_client *c) {
    zmq_msg_t frames[MAX_FRAMES + 1];
    int count = 0, more = 1, rc = 1;
    while (more) {
        zmq_msg_t *frame = &frames[count < MAX_FRAMES ? count : MAX_FRAMES];
        zmq_msg_init(frame);
        if (zmq_msg_recv(frame, c->dealer, count == 0 ? ZMQ_DONTWAIT : 0) < 0) {
            int error = zmq_errno();
            zmq_msg_close(frame);
            if (count == 0 && error == EAGAIN) return 0;
            if (error == EINTR && count > 0) continue;
            rc = count == 0 && error == EINTR ? 0 : zmq_failure(c, "zmq_msg_recv");
            break;
        }
        more = zmq_msg_more(frame);
        if (count >= MAX_FRAMES) zmq_msg_close(frame); /* a third frame: never sent by the hub */
        count++;
    }
    int kept = count < MAX_FRAMES ? count : MAX_FRAMES;
    if (rc == 1 && count <= MAX_FRAMES) {
        c->last_heard = swhub_now_ms();
        int handled = handle(c, frames, count);
        if (handled < 0) rc = handled;
    }
    for (int i = 0; i < kept; i++) zmq_msg_close(&frames[i]);
    return rc;
}

/* Reads the monitor's events: a dropped connection is reopened, a refused key noted. */
static int read_monitor(swhub_client *c) {
    for (;;) {
        zmq_msg_t event, address;
        zmq_msg_init(&event);
        if (zmq_msg_recv(&event, c->monitor, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&event);
            return SWHUB_OK;
        }
        uint16_t kind = 0;
        if (zmq_msg_size(&event) >= 2) memcpy(&kind, zmq_msg_data(&event), 2);
        int more = zmq_msg_more(&event);
        zmq_msg_close(&event);
        if (more) {
            zmq_msg_init(&address);
            zmq_msg_recv(&address, c->monitor, 0);
            zmq_msg_close(&address);
        }
        if (kind == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            c->auth_failed = 1;
            swhub_fail(c, SWHUB_ERR_AUTH, "the hub at %s refused this client's CURVE key", c->endpoint);
        } else if (kind == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            c->handshaken = 1;
            c->auth_failed = 0;
            c->refusals = 0;
        } else if (kind == ZMQ_EVENT_CONNECT_RETRIED && c->endpoint_count > 1) {
            /* This node refused the connection: libzmq retries it alone every 100 ms; with
             * other nodes to try, go on to the next one once the backoff has passed. */
            int shift = c->refusals < 6 ? c->refusals : 6;
            int64_t backoff = (int64_t)SWHUB_REFUSAL_BACKOFF_MIN_MS << shift;
            if (backoff > SWHUB_REFUSAL_BACKOFF_MAX_MS) backoff = SWHUB_REFUSAL_BACKOFF_MAX_MS;
            if (swhub_now_ms() - c->connect_started >= backoff) {
                c->refusals++;
                return swhub_reconnect(c, "refused");
            }
        } else if (kind == ZMQ_EVENT_DISCONNECTED && !c->auth_failed) {
            /* The hub on the other side may be a new process that knows nothing of us. A
             * connection closed before its handshake completed: the hub presents another key
             * (while it is rotated, the next one of the list). */
            if (!c->handshaken) swhub_next_server_key(c);
            return swhub_reconnect(c, "disconnected");
        }
    }
}

int swhub_pump(swhub_client *c, int64_t deadline) {
    if (c->dealer == NULL) {
        int rc = swhub_reconnect(c, "no connection");
        if (rc != SWHUB_OK) return rc;
    }
    int64_t now = swhub_now_ms();
    int64_t interval = c->heartbeat_ms > 0 ? c->heartbeat_ms : SWHUB_DEFAULT_HEARTBEAT_MS;
    if (now - c->last_ping >= interval) {
        Swhub__V1__Ping ping = SWHUB__V1__PING__INIT;
        ping.nonce = ++c->nonce;
        Swhub__V1__Command command = SWHUB__V1__COMMAND__INIT;
        command.kind_case = SWHUB__V1__COMMAND__KIND_PING;
        command.ping = &ping;
        c->last_ping = now;
        int rc = swhub_send_command(c, &command, NULL, 0, 0);
        if (rc != SWHUB_OK) return rc;
    }
    if (now - c->last_heard > 3 * interval && !c->auth_failed) return swhub_reconnect(c, "the hub is silent");
    int rc = swhub_outbox_send(c, 0);
    if (rc != SWHUB_OK) return rc;
    int64_t wait = c->last_ping + interval - now;
    /* Wake up when the oldest submission gathered into a batch has lingered long enough. */
    int64_t linger = swhub_outbox_wait_ms(c);
    if (linger >= 0 && linger < wait) wait = linger;
    /* Wake up when the hub has been silent for 3 intervals, not at the next PING after it. */
    int64_t silent_in = c->last_heard + 3 * interval + 1 - now;
    if (!c->auth_failed && silent_in < wait) wait = silent_in;
    if (deadline - now < wait) wait = deadline - now;
    if (wait < 0) wait = 0;
    zmq_pollitem_t items[2] = {{c->dealer, 0, ZMQ_POLLIN, 0}, {c->monitor, 0, ZMQ_POLLIN, 0}};
    if (zmq_poll(items, 2, (long)wait) < 0 && zmq_errno() != EINTR) return zmq_failure(c, "zmq_poll");
    for (int i = 0; i < 10000; i++) {
        rc = read_one(c);
        if (rc < 0) return rc;
        if (rc == 0) break;
    }
    rc = read_monitor(c);
    if (rc == SWHUB_OK) rc = swhub_outbox_send(c, 0);
    if (rc != SWHUB_OK) return rc;
    return swhub_flush_ack(c);
}
