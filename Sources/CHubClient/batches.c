/*
 * Batches (PROTOCOL.md section 16): the outbox where swhub_send() gathers submissions into
 * SUBMIT_BATCHes, the answers to them (ACCEPTED_BATCH, a whole batch's ERROR), and the
 * DELIVER_BATCHes of a receiving session. To a hub whose WELCOME did not say version 2
 * (or with batches of 1) every submission goes as a SUBMIT of its own, as in version 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* How many submissions one frame set may carry now: 1 (one SUBMIT each) until this
 * connection's WELCOME said the hub speaks batches. */
static size_t batch_limit(const swhub_client *c) {
    if (!c->welcomed || c->protocol_version < SWHUB_PROTOCOL_VERSION_BATCHES) return 1;
    uint32_t limit = c->batch_entries < c->max_batch_entries ? c->batch_entries : c->max_batch_entries;
    return limit > 1 ? limit : 1;
}

/* Takes the sent head of the outbox off it. */
static void outbox_pop(swhub_client *c) {
    swhub_unanswered *p = c->outbox_head;
    c->outbox_head = p->out_next;
    if (c->outbox_head == NULL) c->outbox_tail = NULL;
    p->out_next = NULL;
    p->sent = 1;
    c->outbox_count--;
    c->outbox_bytes -= p->body_len;
}

int swhub_send_submit(swhub_client *c, swhub_unanswered *p) {
    Swhub__V1__Submit submit = SWHUB__V1__SUBMIT__INIT;
    submit.header = &p->header;
    Swhub__V1__Command command = SWHUB__V1__COMMAND__INIT;
    command.kind_case = SWHUB__V1__COMMAND__KIND_SUBMIT;
    command.submit = &submit;
    int rc = swhub_send_command(c, &command, p->body, p->body_len, 1);
    if (rc == SWHUB_OK) p->sent = 1;
    return rc;
}

/* Sends the first `count` submissions of the outbox (`bytes` of bodies) as one SUBMIT_BATCH
 * and remembers its entries' ids until it is answered. */
static int send_batch(swhub_client *c, size_t count, size_t bytes) {
    size_t ids_len = 0, i = 0;
    for (swhub_unanswered *p = c->outbox_head; i < count; p = p->out_next, i++) ids_len += strlen(p->id) + 1;
    /* The record, its array of ids and the ids themselves in one allocation. */
    swhub_batch *record = malloc(sizeof *record + count * sizeof(char *) + ids_len);
    Swhub__V1__Header **headers = malloc(count * sizeof *headers);
    uint32_t *sizes = malloc(count * sizeof *sizes);
    uint8_t *bodies = malloc(bytes > 0 ? bytes : 1);
    uint8_t *frame = NULL;
    int rc = SWHUB_OK;
    if (record == NULL || headers == NULL || sizes == NULL || bodies == NULL) {
        rc = swhub_fail(c, SWHUB_ERR_NO_MEMORY, "out of memory for a batch of %zu", count);
        goto done;
    }
    record->number = c->next_batch;
    record->count = count;
    record->ids = (char **)(record + 1);
    record->next = NULL;
    char *text = (char *)(record->ids + count);
    size_t offset = 0;
    i = 0;
    for (swhub_unanswered *p = c->outbox_head; i < count; p = p->out_next, i++) {
        size_t len = strlen(p->id) + 1;
        memcpy(text, p->id, len);
        record->ids[i] = text;
        text += len;
        headers[i] = &p->header;
        sizes[i] = (uint32_t)p->body_len;
        if (p->body_len > 0) memcpy(bodies + offset, p->body, p->body_len);
        offset += p->body_len;
    }
    Swhub__V1__SubmitBatch batch = SWHUB__V1__SUBMIT_BATCH__INIT;
    batch.batch = record->number;
    batch.n_headers = count;
    batch.headers = headers;
    batch.n_body_sizes = count;
    batch.body_sizes = sizes;
    Swhub__V1__Command command = SWHUB__V1__COMMAND__INIT;
    command.version = SWHUB_PROTOCOL_VERSION_BATCHES;
    command.kind_case = SWHUB__V1__COMMAND__KIND_SUBMIT_BATCH;
    command.submit_batch = &batch;
    size_t len = swhub__v1__command__get_packed_size(&command);
    if ((frame = malloc(len)) == NULL) {
        rc = swhub_fail(c, SWHUB_ERR_NO_MEMORY, "out of memory for a batch of %zu", count);
        goto done;
    }
    swhub__v1__command__pack(&command, frame);
    rc = swhub_send_frames(c, frame, len, bodies, bytes);
    if (rc != SWHUB_OK) goto done;
    for (i = 0; i < count; i++) outbox_pop(c);
    if (c->batches_tail != NULL) c->batches_tail->next = record;
    else c->batches_head = record;
    c->batches_tail = record;
    record = NULL;
    c->next_batch++;
done:
    free(record);
    free(headers);
    free(sizes);
    free(bodies);
    free(frame);
    return rc;
}

/* Sends what the outbox holds: every full batch, and a partly filled one once its oldest
 * submission has lingered batch_linger_us or when `force`d. */
int swhub_outbox_send(swhub_client *c, int force) {
    if (c->outbox_head == NULL || c->dealer == NULL) return SWHUB_OK;
    size_t limit = batch_limit(c);
    size_t max_bytes = c->max_batch_bytes > 0 ? c->max_batch_bytes : SIZE_MAX;
    int64_t now = swhub_now_us();
    /* The common case, without walking the outbox: a batch still filling. */
    if (!force && c->outbox_count < limit && c->outbox_bytes <= max_bytes &&
        now - c->outbox_head->queued_us < (int64_t)c->batch_linger_us) {
        return SWHUB_OK;
    }
    while (c->outbox_head != NULL) {
        size_t count = 0, bytes = 0;
        swhub_unanswered *p = c->outbox_head;
        for (; p != NULL && count < limit; p = p->out_next, count++) {
            if (count > 0 && bytes + p->body_len > max_bytes) break;
            bytes += p->body_len;
        }
        int full = count == limit || p != NULL;
        if (!full && !force && now - c->outbox_head->queued_us < (int64_t)c->batch_linger_us) return SWHUB_OK;
        int rc;
        if (count == 1) {
            rc = swhub_send_submit(c, c->outbox_head);
            if (rc == SWHUB_OK) outbox_pop(c);
        } else {
            rc = send_batch(c, count, bytes);
        }
        if (rc != SWHUB_OK) return rc;
    }
    return SWHUB_OK;
}

int64_t swhub_outbox_wait_ms(const swhub_client *c) {
    if (c->outbox_head == NULL) return -1;
    int64_t left = c->outbox_head->queued_us + (int64_t)c->batch_linger_us - swhub_now_us();
    return left <= 0 ? 0 : (left + 999) / 1000;
}

void swhub_batches_clear(swhub_client *c) {
    while (c->batches_head != NULL) {
        swhub_batch *b = c->batches_head;
        c->batches_head = b->next;
        free(b);
    }
    c->batches_tail = NULL;
}

/* Takes the record of batch `number` off the list of batches in flight; NULL if unknown. */
static swhub_batch *batch_take(swhub_client *c, uint64_t number) {
    swhub_batch *previous = NULL;
    for (swhub_batch *b = c->batches_head; b != NULL; previous = b, b = b->next) {
        if (b->number != number) continue;
        if (previous != NULL) previous->next = b->next;
        else c->batches_head = b->next;
        if (c->batches_tail == b) c->batches_tail = previous;
        b->next = NULL;
        return b;
    }
    return NULL;
}

static void copy_text(char *out, size_t size, const char *text) { snprintf(out, size, "%s", text ? text : ""); }

int swhub_handle_reply(swhub_client *c, const char *id, const swhub_reply *reply) {
    swhub_unanswered *p = swhub_pending_take(c, id);
    if (p == NULL) return SWHUB_OK; /* a late answer to a submission given up on, or a resend */
    swhub_pending_free(p);
    return swhub_reply_push(c, reply);
}

static void error_reply(swhub_reply *reply, const Swhub__V1__Error *error) {
    reply->code = error->code > 0 ? (int)error->code : SWHUB_HUB_INTERNAL;
    copy_text(reply->name, sizeof reply->name, error->name);
    copy_text(reply->reason, sizeof reply->reason, error->reason);
}

/* One reply per entry, in entry order; an entry is matched by its place in the batch (its
 * id as the hub echoes it when the batch is unknown). */
int swhub_handle_accepted_batch(swhub_client *c, const Swhub__V1__AcceptedBatch *batch) {
    swhub_batch *record = batch_take(c, batch->batch);
    int by_place = record != NULL && record->count == batch->n_results;
    int rc = SWHUB_OK;
    for (size_t i = 0; i < batch->n_results && rc == SWHUB_OK; i++) {
        const Swhub__V1__BatchResult *result = batch->results[i];
        swhub_reply reply;
        memset(&reply, 0, sizeof reply);
        const char *id = NULL;
        if (result->result_case == SWHUB__V1__BATCH_RESULT__RESULT_ACCEPTED && result->accepted != NULL) {
            id = result->accepted->id;
            reply.seq = result->accepted->seq;
            reply.duplicate = result->accepted->duplicate;
            reply.recipients = result->accepted->recipients;
        } else if (result->result_case == SWHUB__V1__BATCH_RESULT__RESULT_ERROR && result->error != NULL) {
            id = result->error->id;
            error_reply(&reply, result->error);
        } else {
            continue;
        }
        if (by_place) id = record->ids[i];
        if (id == NULL || id[0] == '\0') continue;
        copy_text(reply.id, sizeof reply.id, id);
        rc = swhub_handle_reply(c, id, &reply);
    }
    free(record);
    return rc;
}

/* A SUBMIT_BATCH refused as a whole: each of its submissions gets the error. */
int swhub_handle_batch_error(swhub_client *c, const Swhub__V1__Error *error) {
    swhub_batch *record = batch_take(c, error->batch);
    if (record == NULL) return SWHUB_OK;
    int rc = SWHUB_OK;
    for (size_t i = 0; i < record->count && rc == SWHUB_OK; i++) {
        swhub_reply reply;
        memset(&reply, 0, sizeof reply);
        copy_text(reply.id, sizeof reply.id, record->ids[i]);
        error_reply(&reply, error);
        rc = swhub_handle_reply(c, record->ids[i], &reply);
    }
    free(record);
    return rc;
}

int swhub_accept_delivery(swhub_client *c, const Swhub__V1__Header *header, const void *body, size_t body_len) {
    uint64_t seq = header->seq;
    if (seq > c->session_seq) c->session_seq = seq;
    if (seq <= c->delivered_seq) return SWHUB_OK; /* a redelivery of what the caller already has */
    swhub_delivery *d = swhub_delivery_from(header, body, body_len);
    if (d == NULL || swhub_delivery_push(c, d) != SWHUB_OK) {
        swhub_delivery_free(d);
        return swhub_fail(c, SWHUB_ERR_NO_MEMORY, "out of memory for a delivery");
    }
    c->delivered_seq = seq;
    return SWHUB_OK;
}

/* The deliveries of a DELIVER_BATCH, one by one, as DELIVERs would bring them. */
int swhub_handle_deliver_batch(swhub_client *c, const Swhub__V1__DeliverBatch *batch, const uint8_t *bodies, size_t size) {
    uint64_t total = 0;
    for (size_t i = 0; i < batch->n_body_sizes; i++) total += batch->body_sizes[i];
    if (batch->n_headers != batch->n_body_sizes || total != size) {
        return swhub_fail(c, SWHUB_OK, "a DELIVER_BATCH whose body sizes do not match its bodies frame was ignored");
    }
    size_t offset = 0;
    for (size_t i = 0; i < batch->n_headers; i++) {
        size_t len = batch->body_sizes[i];
        if (batch->headers[i] != NULL) {
            int rc = swhub_accept_delivery(c, batch->headers[i], bodies != NULL ? bodies + offset : NULL, len);
            if (rc != SWHUB_OK) return rc;
        }
        offset += len;
    }
    return SWHUB_OK;
}
