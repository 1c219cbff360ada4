/*
 * The client's three collections: unanswered submissions (a hash table by id, kept to send
 * again after a reconnect), replies not yet claimed, and deliveries not yet received.
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

/* Takes ownership of `frame` (also when it fails); copies the body. */
int swhub_pending_add(swhub_client *c, const char *id, uint8_t *frame, size_t frame_len, const void *body, size_t body_len) {
    swhub_unanswered *p = calloc(1, sizeof *p);
    if (p == NULL) {
        free(frame);
        return SWHUB_ERR_NO_MEMORY;
    }
    p->id = copy_string(id);
    p->frame = frame;
    p->frame_len = frame_len;
    p->body_len = body_len;
    p->body = body_len > 0 ? malloc(body_len) : NULL;
    if (p->id == NULL || (body_len > 0 && p->body == NULL)) {
        swhub_pending_free(p);
        return SWHUB_ERR_NO_MEMORY;
    }
    if (body_len > 0) memcpy(p->body, body, body_len);
    size_t bucket = bucket_of(id);
    p->next = c->pending[bucket];
    c->pending[bucket] = p;
    c->pending_count++;
    return SWHUB_OK;
}

swhub_unanswered *swhub_pending_take(swhub_client *c, const char *id) {
    for (swhub_unanswered **link = &c->pending[bucket_of(id)]; *link != NULL; link = &(*link)->next) {
        if (strcmp((*link)->id, id) == 0) {
            swhub_unanswered *p = *link;
            *link = p->next;
            p->next = NULL;
            c->pending_count--;
            return p;
        }
    }
    return NULL;
}

void swhub_pending_free(swhub_unanswered *p) {
    if (p == NULL) return;
    free(p->id);
    free(p->frame);
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
