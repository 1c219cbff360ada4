/*
 * swhub_client.h — the C adapter kit of SingleWindowHub: a small client for the hub's wire
 * protocol (Schemas/PROTOCOL.md, versions 1 and 2) over libzmq (DEALER + CURVE) and protobuf-c.
 *
 * The five-minute version:
 *
 *     swhub_client *c;
 *     if (swhub_open(&c, "tcp://127.0.0.1:5570", "keys/customs.key_secret", "keys/hub.key", 5000) != SWHUB_OK) {
 *         fprintf(stderr, "%s\n", swhub_last_error(NULL));            // why open failed
 *         return 1;
 *     }
 *     swhub_message m = { .id = "note-1", .type = "demo.Note", .body = "hi", .body_len = 2 };
 *     swhub_reply r;
 *     int rc = swhub_submit(c, &m, &r, 5000);    // 0: ACCEPTED (r.seq); > 0: the hub's error code
 *     if (rc != SWHUB_OK) fprintf(stderr, "%s\n", swhub_last_error(c));
 *
 *     swhub_receive_start(c, 100, 5000);          // HELLO receive=true: a receiving session
 *     swhub_delivery *d;
 *     while (swhub_receive(c, &d, 1000) == SWHUB_OK) {              // SWHUB_ERR_TIMEOUT: nothing yet
 *         process(d->type, d->body, d->body_len);
 *         swhub_ack(c, d->seq);                   // cumulative; after processing
 *         swhub_delivery_free(d);
 *     }
 *     swhub_close(c);
 *
 * Return codes: every function that can fail returns an int: SWHUB_OK (0), a negative
 * SWHUB_ERR_* for a local failure, or, from the submit functions and swhub_open /
 * swhub_receive_start, a positive code: the hub's stable error code (PROTOCOL.md section 8,
 * SWHUB_HUB_* below; 3xx retry the same message later, 4xx fix it, 5xx hub failure).
 * swhub_last_error() gives the text. Bad input (NULL pointers, bad key files, oversized ids)
 * is an error code, never an abort.
 *
 * What the library does for the caller (PROTOCOL.md section 10): CURVE keys from swhub key
 * files; HELLO/WELCOME; PING every heartbeat interval while the caller is inside a call
 * that waits; a connection without traffic for 3 intervals, a dropped TCP connection or a
 * PONG saying the session is gone is reopened with HELLO (resuming after the last ACK),
 * and every submission sent and still unanswered is sent again under its id, as a SUBMIT
 * (the hub journals it once); deliveries are passed on once per seq (duplicates after a
 * reconnect are dropped).
 *
 * Batches (PROTOCOL.md section 16): to a hub whose WELCOME says protocol version 2,
 * swhub_send() gathers messages into SUBMIT_BATCHes of up to 100 (swhub_set_batching()),
 * sent when full, when the oldest has waited 1 ms (checked in every call of the library:
 * swhub_send, swhub_next_reply, swhub_receive, swhub_ack, ...), or on swhub_flush();
 * swhub_next_reply() still returns one reply per message. To an older hub every message
 * goes as a SUBMIT of its own. A receiving session asks for DELIVER_BATCHes of up to 100
 * (swhub_set_batch_deliveries()); swhub_receive() hands them out one delivery at a time.
 *
 * Several hub nodes (a hub cluster; PROTOCOL.md "Several hub nodes"): give swhub_open's
 * `endpoint` as a comma-separated list, e.g. "tcp://10.0.0.1:5570,tcp://10.0.0.2:5570"
 * (spaces around the commas are ignored), all nodes with the same hub key. The client
 * connects to the first; every reopened connection goes to the next node, round robin:
 * at once when a node closed the connection (its process died), after 3 silent heartbeat
 * intervals when it stopped answering, and after a backoff (100 ms doubling to 5 s,
 * reset by a completed handshake) when a node refused the connection. It resumes there as
 * on any reconnect. swhub_endpoint() says which node is current. A HELLO the hub refuses
 * (410/416) is returned to the caller as today, never retried on another node.
 *
 * Threads: a client belongs to one thread at a time (libzmq sockets are not thread-safe).
 * Heartbeats run only inside calls: a receiving client that is idle should call
 * swhub_receive (a timeout of 0 is fine) at least once per heartbeat interval
 * (swhub_heartbeat_ms()), or the hub drops its session after 3 intervals; it is then
 * reopened, and the unacknowledged deliveries come again, on the next call.
 */
#ifndef SWHUB_CLIENT_H
#define SWHUB_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The wire protocol version of this library's commands other than batches. */
#define SWHUB_PROTOCOL_VERSION 1
/** The wire protocol version of SUBMIT_BATCH, sent only to a hub whose WELCOME names it. */
#define SWHUB_PROTOCOL_VERSION_BATCHES 2
/** Defaults of swhub_set_batching() and swhub_set_batch_deliveries(). */
#define SWHUB_DEFAULT_BATCH_ENTRIES 100
#define SWHUB_DEFAULT_BATCH_LINGER_US 1000
#define SWHUB_DEFAULT_BATCH_DELIVERIES 100
/** The longest message id, in bytes (PROTOCOL.md section 5). */
#define SWHUB_MAX_ID_BYTES 128
/** The length of an id from swhub_new_id(), without its NUL. */
#define SWHUB_NEW_ID_BYTES 36

/** Local result codes (negative) and success. */
enum swhub_status {
    SWHUB_OK = 0,
    SWHUB_ERR_ARGUMENT = -1,  /**< a NULL or invalid argument (e.g. an empty or 129-byte id) */
    SWHUB_ERR_KEY_FILE = -2,  /**< a key file cannot be read or is not a swhub key file */
    SWHUB_ERR_ZMQ = -3,       /**< libzmq failed (socket, option, connect, send) */
    SWHUB_ERR_TIMEOUT = -4,   /**< nothing arrived within the timeout */
    SWHUB_ERR_AUTH = -5,      /**< the hub refused this client's CURVE key at the handshake */
    SWHUB_ERR_PROTOCOL = -6,  /**< the hub sent a frame set this client cannot decode */
    SWHUB_ERR_NO_MEMORY = -7, /**< an allocation failed */
    SWHUB_ERR_STATE = -8      /**< not valid now: the id is already awaiting its reply */
};

/** The hub's stable error codes (PROTOCOL.md section 8), returned as positive values. */
enum swhub_hub_error {
    SWHUB_HUB_BUSY = 301,
    SWHUB_HUB_SHUTTING_DOWN = 302,
    SWHUB_HUB_JOURNAL_UNAVAILABLE = 303,
    SWHUB_HUB_MALFORMED_FRAME = 400,
    SWHUB_HUB_WRONG_FRAME_COUNT = 401,
    SWHUB_HUB_UNSUPPORTED_VERSION = 402,
    SWHUB_HUB_SENDER_MISMATCH = 403,
    SWHUB_HUB_UNKNOWN_TYPE = 404,
    SWHUB_HUB_MISSING_ID = 405,
    SWHUB_HUB_BODY_TOO_LARGE = 406,
    SWHUB_HUB_UNKNOWN_RECIPIENT = 407,
    SWHUB_HUB_UNEXPECTED_COMMAND = 408,
    SWHUB_HUB_NO_SESSION = 409,
    SWHUB_HUB_BAD_ACK = 410,
    SWHUB_HUB_NOT_AUTHENTICATED = 411,
    SWHUB_HUB_MALFORMED_BODY = 412,
    SWHUB_HUB_NOT_REGISTERED = 413,
    SWHUB_HUB_BLACKLISTED = 414,
    SWHUB_HUB_NOT_ENTITLED = 415,
    SWHUB_HUB_BAD_REPLAY = 416,
    SWHUB_HUB_HEADER_TOO_LARGE = 417,
    SWHUB_HUB_ROUTING_ID_SET = 418,
    SWHUB_HUB_BAD_BATCH = 419,
    SWHUB_HUB_KEY_REVOKED = 430, /* a reload of the hub's config revoked this client's key */
    SWHUB_HUB_INTERNAL = 500,
    SWHUB_HUB_JOURNAL_FAILURE = 501,
    SWHUB_HUB_JOURNAL_DAMAGED = 502,
    SWHUB_HUB_READ_ONLY = 503
};

/** An opaque client: one DEALER connection to the hub. */
typedef struct swhub_client swhub_client;

/** A message to submit. Only id, type and the body are required; the library copies
 *  what it needs, so the caller's buffers may be reused as soon as the call returns. */
typedef struct swhub_message {
    const char *id;                 /**< 1..128 bytes of UTF-8, unique per sender */
    const char *type;               /**< declared in the hub's `types`, e.g. "reg.Registration" */
    const char *const *recipients;  /**< explicit recipients (party ids), or NULL */
    size_t recipient_count;         /**< number of entries in recipients */
    const char *correlation_id;     /**< the message this one answers, or NULL */
    int64_t created_at_us;          /**< sender's clock, µs since the Unix epoch; 0 = unset */
    const void *body;               /**< the body, opaque to the hub; NULL only if body_len is 0 */
    size_t body_len;
} swhub_message;

/** The hub's reply to one SUBMIT: ACCEPTED (code 0) or ERROR (code = the hub's code). */
typedef struct swhub_reply {
    char id[SWHUB_MAX_ID_BYTES + 1]; /**< the message id the reply is for */
    int code;                        /**< 0 = ACCEPTED, else the hub's error code (>= 300) */
    uint64_t seq;                    /**< ACCEPTED: the journal sequence number */
    int duplicate;                   /**< ACCEPTED: 1 if the id had been journaled before */
    uint32_t recipients;             /**< ACCEPTED: number of recipients */
    char name[32];                   /**< ERROR: stable name, e.g. "UNKNOWN_TYPE" */
    char reason[256];                /**< ERROR: human-readable reason (truncated) */
} swhub_reply;

/** One delivery, owned by the caller until swhub_delivery_free(). Strings are never NULL. */
typedef struct swhub_delivery {
    uint64_t seq;            /**< journal sequence number: ACK it with swhub_ack() */
    char *id;                /**< message id, as the sender chose it */
    char *type;              /**< message type */
    char *sender;            /**< the authenticated sending party (set by the hub) */
    char *correlation_id;    /**< "" when unset */
    int64_t created_at_us;   /**< sender's clock, 0 when unset */
    int64_t journaled_at_us; /**< hub's clock when journaled */
    unsigned char *body;     /**< body bytes (NULL when body_len is 0) */
    size_t body_len;
} swhub_delivery;

/**
 * Opens a client: reads the party's key pair from `key_file` (NAME.key_secret as
 * `swhub keygen` writes it: `public_key: "<Z85>"` and `secret_key: "<Z85>"`) and the hub's
 * public key from `hub_key_file` (hub.key; while the hub's key is rotated, two files
 * separated by a comma, "hub.key,hub.next.key": a handshake that fails makes the client
 * try the other), connects a CURVE DEALER to `endpoint` (one
 * hub, or a comma-separated list of hub nodes: see "Several hub nodes" above), says
 * HELLO (receive = false) and waits up to `timeout_ms` for WELCOME.
 * On success *client is the new client; on failure it is NULL and swhub_last_error(NULL)
 * says why (SWHUB_ERR_KEY_FILE, SWHUB_ERR_AUTH for a key the hub refused,
 * SWHUB_ERR_TIMEOUT when no hub answered, or the hub's code).
 */
int swhub_open(swhub_client **client, const char *endpoint, const char *key_file, const char *hub_key_file,
               int timeout_ms);

/** Closes the connection (sending what lingers for a batch and a last pending ACK) and frees
 *  the client; NULL is a no-op. Unanswered submissions are abandoned: resubmit them (same
 *  id) with the next client. */
void swhub_close(swhub_client *client);

/** The hub endpoint the client is connected or connecting to: with a list of hub nodes,
 *  the current one (it changes when the client fails over). Never NULL. */
const char *swhub_endpoint(const swhub_client *client);

/** The party the hub authenticated (from WELCOME), e.g. "customs". */
const char *swhub_party(const swhub_client *client);

/** The heartbeat interval the hub asked for in WELCOME, ms. */
uint32_t swhub_heartbeat_ms(const swhub_client *client);

/** The largest body the hub accepts, bytes (WELCOME). */
uint32_t swhub_max_body_bytes(const swhub_client *client);

/** The highest protocol version the hub speaks, from its latest WELCOME: 2 when it takes
 *  batches, 1 for an older hub. */
uint32_t swhub_protocol_version(const swhub_client *client);

/**
 * Sets how swhub_send() gathers messages into SUBMIT_BATCHes (protocol version 2): at most
 * `max_entries` per batch (default 100; the hub's WELCOME caps it, 1000; 0 or 1 = one SUBMIT
 * per message, as in version 1), and at most the bodies the hub takes in one batch. A batch
 * that is not full is sent once its oldest message has waited `linger_us` microseconds
 * (default 1000; 0 = at once), checked whenever the library runs, or by swhub_flush().
 * Takes effect at once, for what is already gathered too. Returns SWHUB_OK or a negative
 * code (a batch made due by the change could not be sent).
 */
int swhub_set_batching(swhub_client *client, uint32_t max_entries, uint32_t linger_us);

/**
 * Sets how many deliveries the receiving session asks for in one DELIVER_BATCH (protocol
 * version 2; default 100, 0 = one DELIVER per message). Sent with HELLO: call it before
 * swhub_receive_start() (a session already open gets it when it is reopened). Deliveries are
 * handed out one at a time by swhub_receive() either way.
 */
int swhub_set_batch_deliveries(swhub_client *client, uint32_t max_deliveries);

/**
 * Sends at once the messages swhub_send() gathered for a batch that is not full yet (as one
 * SUBMIT_BATCH, or a SUBMIT for a lone message). Returns SWHUB_OK (also when nothing was
 * waiting) or a negative code.
 */
int swhub_flush(swhub_client *client);

/** The number of messages from swhub_send() gathered for a batch and not sent yet. */
size_t swhub_unsent(const swhub_client *client);

/**
 * Submits one message and waits up to `timeout_ms` for its reply. Returns SWHUB_OK when
 * the hub ACCEPTED it (durably journaled; `reply`, if not NULL, has seq, duplicate and
 * recipients), the hub's error code (> 0) when it was refused (`reply` has name and
 * reason), or a negative code. On SWHUB_ERR_TIMEOUT submit the same message (same id)
 * again later: the hub journals it once. Replies to swhub_send() messages that arrive
 * meanwhile are kept for swhub_next_reply(); deliveries for swhub_receive(). The message is
 * sent at once, after (and in one batch with) any swhub_send() messages still gathered; a
 * lone one as a SUBMIT.
 */
int swhub_submit(swhub_client *client, const swhub_message *message, swhub_reply *reply, int timeout_ms);

/**
 * Sends one message without waiting (pipelining); its reply comes from swhub_next_reply().
 * To a hub that speaks batches the message is gathered into a SUBMIT_BATCH, sent when it is
 * full, when its oldest message has lingered, or on swhub_flush() (see swhub_set_batching);
 * otherwise it goes as a SUBMIT at once. Returns SWHUB_OK once it is queued (gathered or on
 * the socket), SWHUB_ERR_STATE if a message with the same id is still awaiting its reply, or
 * another negative code (the message was not queued: send it again, same id).
 */
int swhub_send(swhub_client *client, const swhub_message *message);

/**
 * Waits up to `timeout_ms` for the next reply to a message sent with swhub_send() and
 * fills `reply` (reply->code: 0 = ACCEPTED, else the hub's error code). A batch answers
 * each of its messages on its own: one reply per message, an entry the hub refused with its
 * own error, and every message of a batch the hub refused as a whole with that error. When
 * no message is on its way, what lingers for a batch is sent at once. Returns SWHUB_OK
 * when `reply` was filled, SWHUB_ERR_TIMEOUT, or another negative code.
 */
int swhub_next_reply(swhub_client *client, swhub_reply *reply, int timeout_ms);

/** The number of submissions sent and not yet answered (nor returned by swhub_next_reply),
 *  those still gathered for a batch (swhub_unsent) included. */
size_t swhub_pending(const swhub_client *client);

/**
 * Opens the receiving session of this connection (HELLO receive = true) with at most
 * `credit` unacknowledged deliveries (0 = the hub's default) and waits up to `timeout_ms`
 * for WELCOME. Deliveries resume right after the party's last acknowledged seq; this
 * replaces the party's previous receiving connection.
 */
int swhub_receive_start(swhub_client *client, uint32_t credit, int timeout_ms);

/**
 * Waits up to `timeout_ms` (0 = only what has arrived) for the next delivery, in seq order.
 * On SWHUB_OK *delivery is set; free it with swhub_delivery_free(). Returns
 * SWHUB_ERR_TIMEOUT when none came. Keeps the heartbeat and the session alive meanwhile.
 */
int swhub_receive(swhub_client *client, swhub_delivery **delivery, int timeout_ms);

/** Frees a delivery from swhub_receive(); NULL is a no-op. */
void swhub_delivery_free(swhub_delivery *delivery);

/**
 * Acknowledges every delivery with seq <= `seq` (cumulative; PROTOCOL.md 6.3). Call it
 * after the message is processed. The ACK is sent at once when the hub has delivered that
 * seq on the current session, else as soon as it has (after a reconnect), and with HELLO.
 */
int swhub_ack(swhub_client *client, uint64_t seq);

/**
 * Writes a new message id and its NUL to `out`: a UUID version 7 (RFC 9562) in lowercase,
 * e.g. "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", whose first 48 bits are the Unix time in
 * milliseconds. The ids one process makes are strictly increasing, from any thread.
 * Prefer them to random ids (PROTOCOL.md section 5, "Idempotency"): the hub's journal
 * indexes (sender, id), and ids that sort by time are added at the index's end. Keep the
 * id with the message to submit it again under the same id. Thread-safe; SWHUB_OK, or
 * SWHUB_ERR_ARGUMENT when `out` is NULL or the kernel gives no random bytes.
 */
int swhub_new_id(char out[SWHUB_NEW_ID_BYTES + 1]);

/** The text of the last failure of `client`, or of the last failed swhub_open() in this
 *  thread when `client` is NULL. Never NULL; valid until the next call on that client. */
const char *swhub_last_error(const swhub_client *client);

/** The symbolic name of a return code: "OK", "SWHUB_ERR_TIMEOUT", "UNKNOWN_TYPE", ...
 *  ("HUB_ERROR" for a hub code this library does not know). Never NULL, static storage. */
const char *swhub_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* SWHUB_CLIENT_H */
