/*
 * The client's three collections: unanswered submissions (a hash table by id, kept to send
 * again after a reconnect; the unsent ones also in the outbox, see batches.c), replies not
 * yet claimed, and deliveries not yet received.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* FNV-1a. */
static size_t bucket_of(const char *id) {
    uint64_t hash = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        hash ^= *p;
        hash *= 1099511628211ULL;
    }
    return (size_t)(hash % SWHUB_PENDING_BUCKETS);
}

static char *copy_string(const char *text) {
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    if (copy != NULL) memcpy(copy, text, len + 1);
    return copy;
}

swhub_unanswered *swhub_pending_find(swhub_client *c, const char *id) {
    for (swhub_unanswered *p = c->pending[bucket_of(id)]; p != NULL; p = p->next) {
        if (strcmp(p->id, id) == 0) return p;
    }
    return NULL;
}

/* A new entry holding copies of the message's header fields and body; NULL when out of memory. */
swhub_unanswered *swhub_pending_new(const swhub_message *m) {
    swhub_unanswered *p = calloc(1, sizeof *p);
    if (p == NULL) return NULL;
    Swhub__V1__Header init = SWHUB__V1__HEADER__INIT;
    p->header = init;
    int ok = (p->id = copy_string(m->id)) != NULL && (p->header.type = copy_string(m->type)) != NULL;
    p->header.id = p->id;
    if (ok && m->correlation_id != NULL) ok = (p->header.correlation_id = copy_string(m->correlation_id)) != NULL;
    p->header.created_at_us = m->created_at_us;
    if (ok && m->recipient_count > 0) {
        ok = (p->header.recipients = calloc(m->recipient_count, sizeof(char *))) != NULL;
        for (size_t i = 0; ok && i < m->recipient_count; i++) {
            ok = (p->header.recipients[i] = copy_string(m->recipients[i])) != NULL;
            p->header.n_recipients = i + 1;
        }
    }
    p->body_len = m->body_len;
    if (ok && m->body_len > 0) {
        ok = (p->body = malloc(m->body_len)) != NULL;
        if (ok) memcpy(p->body, m->body, m->body_len);
    }
    if (!ok) {
        swhub_pending_free(p);
        return NULL;
    }
    return p;
}

/* Adds an entry to the table by id (the caller checked that its id is not there). */
void swhub_pending_insert(swhub_client *c, swhub_unanswered *p) {
    size_t bucket = bucket_of(p->id);
    p->order = c->next_order++;
    p->next = c->pending[bucket];
    c->pending[bucket] = p;
    c->pending_count++;
}

/* Removes the entry for `id` from the table, and from the outbox while it is unsent. */
swhub_unanswered *swhub_pending_take(swhub_client *c, const char *id) {
    for (swhub_unanswered **link = &c->pending[bucket_of(id)]; *link != NULL; link = &(*link)->next) {
        if (strcmp((*link)->id, id) == 0) {
            swhub_unanswered *p = *link;
            *link = p->next;
            p->next = NULL;
            c->pending_count--;
            if (!p->sent) {
                swhub_unanswered *previous = NULL;
                for (swhub_unanswered *o = c->outbox_head; o != NULL; previous = o, o = o->out_next) {
                    if (o != p) continue;
                    if (previous != NULL) previous->out_next = o->out_next;
                    else c->outbox_head = o->out_next;
                    if (c->outbox_tail == o) c->outbox_tail = previous;
                    c->outbox_count--;
                    c->outbox_bytes -= o->body_len;
                    break;
                }
                p->out_next = NULL;
            }
            return p;
        }
    }
    return NULL;
}

void swhub_pending_free(swhub_unanswered *p) {
    if (p == NULL) return;
    free(p->id);
    /* Fields never set keep protobuf-c's static empty string. */
    if (p->header.type != protobuf_c_empty_string) free(p->header.type);
    if (p->header.correlation_id != protobuf_c_empty_string) free(p->header.correlation_id);
    for (size_t i = 0; i < p->header.n_recipients; i++) free(p->header.recipients[i]);
    free(p->header.recipients);
    free(p->body);
    free(p);
}

void swhub_pending_clear(swhub_client *c) {
    for (size_t i = 0; i < SWHUB_PENDING_BUCKETS; i++) {
        while (c->pending[i] != NULL) {
            swhub_unanswered *p = c->pending[i];
            c->pending[i] = p->next;
            swhub_pending_free(p);
        }
    }
    c->pending_count = 0;
    c->outbox_head = c->outbox_tail = NULL;
    c->outbox_count = 0;
    c->outbox_bytes = 0;
}

int swhub_reply_push(swhub_client *c, const swhub_reply *reply) {
    swhub_reply_node *node = malloc(sizeof *node);
    if (node == NULL) return SWHUB_ERR_NO_MEMORY;
    node->reply = *reply;
    node->next = NULL;
    if (c->replies_tail != NULL) c->replies_tail->next = node;
    else c->replies_head = node;
    c->replies_tail = node;
    return SWHUB_OK;
}

int swhub_reply_pop(swhub_client *c, swhub_reply *out) {
    swhub_reply_node *node = c->replies_head;
    if (node == NULL) return 0;
    c->replies_head = node->next;
    if (c->replies_head == NULL) c->replies_tail = NULL;
    *out = node->reply;
    free(node);
    return 1;
}

/* Removes the reply for `id` from the queue, if it is there. */
int swhub_reply_take(swhub_client *c, const char *id, swhub_reply *out) {
    swhub_reply_node *previous = NULL;
    for (swhub_reply_node *node = c->replies_head; node != NULL; previous = node, node = node->next) {
        if (strcmp(node->reply.id, id) != 0) continue;
        if (previous != NULL) previous->next = node->next;
        else c->replies_head = node->next;
        if (c->replies_tail == node) c->replies_tail = previous;
        *out = node->reply;
        free(node);
        return 1;
    }
    return 0;
}

void swhub_replies_clear(swhub_client *c) {
    swhub_reply ignored;
    while (swhub_reply_pop(c, &ignored)) {}
}

int swhub_delivery_push(swhub_client *c, swhub_delivery *d) {
    swhub_delivery_node *node = malloc(sizeof *node);
    if (node == NULL) return SWHUB_ERR_NO_MEMORY;
    node->delivery = d;
    node->next = NULL;
    if (c->deliveries_tail != NULL) c->deliveries_tail->next = node;
    else c->deliveries_head = node;
    c->deliveries_tail = node;
    return SWHUB_OK;
}

swhub_delivery *swhub_delivery_pop(swhub_client *c) {
    swhub_delivery_node *node = c->deliveries_head;
    if (node == NULL) return NULL;
    c->deliveries_head = node->next;
    if (c->deliveries_head == NULL) c->deliveries_tail = NULL;
    swhub_delivery *d = node->delivery;
    free(node);
    return d;
}

void swhub_deliveries_clear(swhub_client *c) {
    swhub_delivery *d;
    while ((d = swhub_delivery_pop(c)) != NULL) swhub_delivery_free(d);
}

swhub_delivery *swhub_delivery_from(const Swhub__V1__Header *header, const void *body, size_t body_len) {
    swhub_delivery *d = calloc(1, sizeof *d);
    if (d == NULL) return NULL;
    d->seq = header->seq;
    d->created_at_us = header->created_at_us;
    d->journaled_at_us = header->journaled_at_us;
    d->id = copy_string(header->id ? header->id : "");
    d->type = copy_string(header->type ? header->type : "");
    d->sender = copy_string(header->sender ? header->sender : "");
    d->correlation_id = copy_string(header->correlation_id ? header->correlation_id : "");
    d->body_len = body_len;
    d->body = body_len > 0 ? malloc(body_len) : NULL;
    if (d->id == NULL || d->type == NULL || d->sender == NULL || d->correlation_id == NULL || (body_len > 0 && d->body == NULL)) {
        swhub_delivery_free(d);
        return NULL;
    }
    if (body_len > 0) memcpy(d->body, body, body_len);
    return d;
}

void swhub_delivery_free(swhub_delivery *delivery) {
    if (delivery == NULL) return;
    free(delivery->id);
    free(delivery->type);
    free(delivery->sender);
    free(delivery->correlation_id);
    free(delivery->body);
    free(delivery);
}
