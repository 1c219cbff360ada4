/*
 * The C adapter kit's internals: the client's state and the functions its parts share.
 * Not installed; the public API is include/swhub_client.h.
 */
#ifndef SWHUB_INTERNAL_H
#define SWHUB_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "swhub_client.h"
#include "hub.pb-c.h"

/** Z85 text of a CURVE key, 40 characters, NUL-terminated. */
#define SWHUB_Z85_KEY_LEN 40
/** The heartbeat used until the hub's WELCOME names one (PROTOCOL.md section 7). */
#define SWHUB_DEFAULT_HEARTBEAT_MS 2000
/** The first and the longest wait before trying the next hub node after a refusal. */
#define SWHUB_REFUSAL_BACKOFF_MIN_MS 100
#define SWHUB_REFUSAL_BACKOFF_MAX_MS 5000
/** Buckets of the table of unanswered submissions. */
#define SWHUB_PENDING_BUCKETS 4096

/** A submission awaiting its reply: its header and body, kept to send again after a
 *  reconnect. Until it is sent it also waits in the outbox, gathered into a batch. */
typedef struct swhub_unanswered {
    char *id;
    Swhub__V1__Header header;         /* owned copies of the message's header fields */
    uint8_t *body;
    size_t body_len;
    int sent;                         /* on the socket (in a SUBMIT or a SUBMIT_BATCH) */
    int64_t queued_us;                /* monotonic µs it entered the outbox */
    uint64_t order;                   /* submission order: a reconnect resends in it */
    struct swhub_unanswered *next;    /* bucket chain of the table by id */
    struct swhub_unanswered *out_next; /* the outbox, oldest first (while unsent) */
} swhub_unanswered;

/** A SUBMIT_BATCH sent and not answered: its number and its entries' ids, in order (one
 *  allocation: the ids back to back, each NUL-terminated). */
typedef struct swhub_batch {
    uint64_t number;
    size_t count;
    char **ids;
    struct swhub_batch *next;
} swhub_batch;

typedef struct swhub_reply_node {
    swhub_reply reply;
    struct swhub_reply_node *next;
} swhub_reply_node;

typedef struct swhub_delivery_node {
    swhub_delivery *delivery;
    struct swhub_delivery_node *next;
} swhub_delivery_node;

struct swhub_client {
    void *context;
    void *dealer;                 /* NULL between a failed reconnect and the next */
    void *monitor;                /* PAIR socket reading the dealer's monitor events */
    unsigned generation;          /* counts connections, names the monitor endpoint */
    char *endpoint;               /* the current one of endpoints[] */
    char *endpoint_list;          /* the caller's list, copied; endpoints[] point into it */
    char **endpoints;             /* the hub nodes, in the order they are tried */
    size_t endpoint_count;
    size_t endpoint_index;        /* which one the client is connected or connecting to */
    int64_t connect_started;      /* monotonic ms of the current connection attempt */
    int refusals;                 /* node refusals in a row, for the backoff (several nodes) */
    char public_key[SWHUB_Z85_KEY_LEN + 1];
    char secret_key[SWHUB_Z85_KEY_LEN + 1];
    char server_key[SWHUB_Z85_KEY_LEN + 1];         /* the one of server_keys[] expected now */
    char server_keys[2][SWHUB_Z85_KEY_LEN + 1];     /* the hub's key, and its next while rotated */
    size_t server_key_count;
    size_t server_key_index;
    int handshaken;               /* the current connection completed its CURVE handshake */

    /* From WELCOME. */
    char party[SWHUB_MAX_ID_BYTES + 1];
    uint32_t heartbeat_ms;
    uint32_t max_body_bytes;
    int welcomed;                 /* a WELCOME answered the latest HELLO */
    int hello_error;              /* an ERROR without id (e.g. 302 to HELLO) while waiting */
    int auth_failed;              /* the monitor saw ZMQ_EVENT_HANDSHAKE_FAILED_AUTH */
    uint32_t protocol_version;    /* the highest the hub speaks: 2 with batches (0 = 1 only) */
    uint32_t max_batch_entries;
    uint32_t max_batch_bytes;

    /* Batches (PROTOCOL.md section 16), as configured. */
    uint32_t batch_entries;       /* most messages per SUBMIT_BATCH; 1 = one SUBMIT each */
    uint32_t batch_linger_us;     /* how long the oldest gathered message may wait */
    uint32_t batch_deliveries;    /* Hello.batch_deliveries */

    /* The receiving session. */
    int receiving;                /* swhub_receive_start() was called */
    uint32_t credit;
    uint64_t delivered_seq;       /* highest seq queued for the caller */
    uint64_t session_seq;         /* highest seq the hub delivered on this connection */
    uint64_t ack_wanted;          /* highest seq the caller acknowledged */
    uint64_t ack_sent;            /* highest seq sent in an ACK or HELLO */

    /* Heartbeat, monotonic ms. */
    int64_t last_heard;
    int64_t last_ping;
    int64_t last_hello;
    uint64_t nonce;

    swhub_unanswered *pending[SWHUB_PENDING_BUCKETS];
    size_t pending_count;
    uint64_t next_order;                         /* the next submission's order */
    swhub_unanswered *outbox_head, *outbox_tail; /* sent with swhub_send, not yet on the socket */
    size_t outbox_count;
    size_t outbox_bytes;                         /* their bodies */
    swhub_batch *batches_head, *batches_tail;    /* SUBMIT_BATCHes awaiting their answer */
    uint64_t next_batch;
    swhub_reply_node *replies_head, *replies_tail;
    swhub_delivery_node *deliveries_head, *deliveries_tail;

    char error[512];
};

/* errors.c */
int swhub_fail(swhub_client *c, int code, const char *format, ...) __attribute__((format(printf, 3, 4)));
void swhub_fail_open(const char *text);
int64_t swhub_now_ms(void);
int64_t swhub_now_us(void);

/* keyfile.c: reads `field` ("public_key", "secret_key") of a swhub key file into out. */
int swhub_read_key(const char *path, const char *field, char out[SWHUB_Z85_KEY_LEN + 1], char *error, size_t error_len);
int swhub_read_server_keys(swhub_client *c, const char *list);
void swhub_next_server_key(swhub_client *c);

/* queues.c */
swhub_unanswered *swhub_pending_find(swhub_client *c, const char *id);
swhub_unanswered *swhub_pending_new(const swhub_message *m);
void swhub_pending_insert(swhub_client *c, swhub_unanswered *p);
swhub_unanswered *swhub_pending_take(swhub_client *c, const char *id);
void swhub_pending_free(swhub_unanswered *p);
void swhub_pending_clear(swhub_client *c);
int swhub_reply_push(swhub_client *c, const swhub_reply *reply);
int swhub_reply_pop(swhub_client *c, swhub_reply *out);
int swhub_reply_take(swhub_client *c, const char *id, swhub_reply *out);
void swhub_replies_clear(swhub_client *c);
int swhub_delivery_push(swhub_client *c, swhub_delivery *d);
swhub_delivery *swhub_delivery_pop(swhub_client *c);
void swhub_deliveries_clear(swhub_client *c);
swhub_delivery *swhub_delivery_from(const Swhub__V1__Header *header, const void *body, size_t body_len);

/* batches.c */
int swhub_outbox_send(swhub_client *c, int force);
int64_t swhub_outbox_wait_ms(const swhub_client *c);
int swhub_send_submit(swhub_client *c, swhub_unanswered *p);
void swhub_batches_clear(swhub_client *c);
int swhub_handle_accepted_batch(swhub_client *c, const Swhub__V1__AcceptedBatch *batch);
int swhub_handle_batch_error(swhub_client *c, const Swhub__V1__Error *error);
int swhub_handle_deliver_batch(swhub_client *c, const Swhub__V1__DeliverBatch *batch, const uint8_t *bodies, size_t size);
int swhub_handle_reply(swhub_client *c, const char *id, const swhub_reply *reply);
int swhub_accept_delivery(swhub_client *c, const Swhub__V1__Header *header, const void *body, size_t body_len);

/* endpoints.c */
int swhub_parse_endpoints(swhub_client *c, const char *list);
void swhub_next_endpoint(swhub_client *c);

/* connection.c */
int swhub_connect(swhub_client *c);
void swhub_disconnect(swhub_client *c, int linger_ms);
int swhub_reconnect(swhub_client *c, const char *why);
int swhub_send_command(swhub_client *c, Swhub__V1__Command *command, const void *body, size_t body_len, int has_body);
int swhub_send_frames(swhub_client *c, const uint8_t *frame, size_t frame_len, const void *body, size_t body_len);
int swhub_send_hello(swhub_client *c);
int swhub_flush_ack(swhub_client *c);
int swhub_pump(swhub_client *c, int64_t deadline);

#endif /* SWHUB_INTERNAL_H */
