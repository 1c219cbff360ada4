/*
 * nats-peer: the NATS JetStream side of `swhub bench --peer nats` (issue 18).
 *
 * The same case as the hub's route_1to1: one sender, one recipient, `count` messages
 * of `size` bytes. The sender publishes asynchronously to a file-storage stream with at
 * most `window` publishes unacknowledged and waits for every publish ack; the recipient,
 * on its own connection and thread, fetches from a durable pull consumer (explicit ack)
 * and acknowledges each message. Timed from the first publish until the sender has every
 * publish ack and the recipient has every message. After the timing it checks that the
 * server holds no unacknowledged message for the consumer, then deletes the stream.
 *
 * Built from Debian's libnats-dev (libnats 3.4) by the bench:
 *   cc -O2 -o nats-peer nats-peer.c -lnats -lpthread
 *
 * Usage: nats-peer --url URL --count N --size BYTES [--window N] [--batch N]
 *                  [--ack-pending N] [--ca FILE --hostname NAME] [--name STREAM]
 *                  [--msg-id PREFIX]
 * With --ca the connection is TLS and the server's certificate is verified against FILE
 * for NAME. With --msg-id each message carries the header Nats-Msg-Id PREFIX<index>, so
 * JetStream checks it against the ids of its deduplication window (2 minutes by default),
 * as the hub checks every (sender, id); the output counts the publishes it answered as
 * duplicates. Prints one JSON object on standard output (with the window, fetch size and
 * MaxAckPending it ran with); errors go to standard error and the exit status is 1.
 */
#include <nats/nats.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct settings {
    const char *url;
    const char *ca;
    const char *hostname;
    const char *name;
    long count;
    long size;
    long window;
    long batch;
    long ack_pending;
    const char *msg_id;
};

struct consumer {
    const struct settings *settings;
    char subject[128];
    pthread_mutex_t lock;
    pthread_cond_t ready_cond;
    int ready;
    long received;
    uint64_t done_ns;
    char error[512];
};

static atomic_long publish_acks;
static atomic_long publish_errors;
static atomic_long publish_duplicates;
static long publish_expected;
static pthread_mutex_t publish_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t publish_done = PTHREAD_COND_INITIALIZER;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fail(const char *what, natsStatus status) {
    fprintf(stderr, "nats-peer: %s: %s\n", what, natsStatus_GetText(status));
    const char *detail = nats_GetLastError(NULL);
    if (detail != NULL && detail[0] != '\0') fprintf(stderr, "nats-peer: %s\n", detail);
    exit(1);
}

static void usage(void) {
    fprintf(stderr, "usage: nats-peer --url URL --count N --size BYTES [--window N] [--batch N] [--ack-pending N] "
                    "[--ca FILE --hostname NAME] [--name STREAM] [--msg-id PREFIX]\n");
    exit(2);
}

static long number(const char *text) {
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (end == text || *end != '\0' || value <= 0) usage();
    return value;
}

static void parse(int argc, char **argv, struct settings *s) {
    memset(s, 0, sizeof(*s));
    s->name = "BENCH";
    /* The defaults of `swhub bench --peer nats` (it passes them): fetches of twice the
     * publish window, ten times that unacknowledged, the fastest of the settings measured
     * (BENCHMARKS.md, "The NATS client's recipient tuned"). */
    s->window = 2000;
    s->batch = 4000;
    s->ack_pending = 40000;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc) usage();
        const char *key = argv[i], *value = argv[i + 1];
        if (strcmp(key, "--url") == 0) s->url = value;
        else if (strcmp(key, "--ca") == 0) s->ca = value;
        else if (strcmp(key, "--hostname") == 0) s->hostname = value;
        else if (strcmp(key, "--name") == 0) s->name = value;
        else if (strcmp(key, "--count") == 0) s->count = number(value);
        else if (strcmp(key, "--size") == 0) s->size = number(value);
        else if (strcmp(key, "--window") == 0) s->window = number(value);
        else if (strcmp(key, "--batch") == 0) s->batch = number(value);
        else if (strcmp(key, "--ack-pending") == 0) s->ack_pending = number(value);
        else if (strcmp(key, "--msg-id") == 0) s->msg_id = value;
        else usage();
    }
    if (s->url == NULL || s->count == 0 || s->size == 0) usage();
    /* A fetch larger than the consumer's unacknowledged limit waits for its whole timeout. */
    if (s->batch > s->ack_pending) s->batch = s->ack_pending;
}

static natsConnection *connect_to(const struct settings *s) {
    natsOptions *options = NULL;
    natsConnection *connection = NULL;
    natsStatus status = natsOptions_Create(&options);
    if (status == NATS_OK) status = natsOptions_SetURL(options, s->url);
    if (status == NATS_OK) status = natsOptions_SetTimeout(options, 10000);
    if (status == NATS_OK && s->ca != NULL) {
        status = natsOptions_SetSecure(options, true);
        if (status == NATS_OK) status = natsOptions_LoadCATrustedCertificates(options, s->ca);
        if (status == NATS_OK && s->hostname != NULL) status = natsOptions_SetExpectedHostname(options, s->hostname);
    }
    if (status != NATS_OK) fail("options", status);
    status = natsConnection_Connect(&connection, options);
    natsOptions_Destroy(options);
    if (status != NATS_OK) fail("connect", status);
    return connection;
}

static void on_publish_ack(jsCtx *js, natsMsg *msg, jsPubAck *ack, jsPubAckErr *error, void *closure) {
    (void)js;
    (void)closure;
    long answered;
    if (ack != NULL && error == NULL && ack->Duplicate) atomic_fetch_add(&publish_duplicates, 1);
    if (ack != NULL && error == NULL) answered = atomic_fetch_add(&publish_acks, 1) + 1 + atomic_load(&publish_errors);
    else answered = atomic_fetch_add(&publish_errors, 1) + 1 + atomic_load(&publish_acks);
    natsMsg_Destroy(msg);
    if (answered >= publish_expected) {
        pthread_mutex_lock(&publish_lock);
        pthread_cond_broadcast(&publish_done);
        pthread_mutex_unlock(&publish_lock);
    }
}

/* Waits until the ack handler has seen an answer to every publish (at most 60 s). */
static void wait_for_publish_answers(void) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    pthread_mutex_lock(&publish_lock);
    while (atomic_load(&publish_acks) + atomic_load(&publish_errors) < publish_expected) {
        if (pthread_cond_timedwait(&publish_done, &publish_lock, &deadline) != 0) break;
    }
    pthread_mutex_unlock(&publish_lock);
}

static void *consume(void *argument) {
    struct consumer *c = argument;
    const struct settings *s = c->settings;
    natsConnection *connection = connect_to(s);
    jsCtx *js = NULL;
    natsSubscription *sub = NULL;
    jsSubOptions sub_options;
    jsErrCode jerr = 0;
    natsStatus status = natsConnection_JetStream(&js, connection, NULL);
    if (status != NATS_OK) fail("consumer: JetStream context", status);
    jsSubOptions_Init(&sub_options);
    sub_options.Stream = s->name;
    sub_options.Consumer = "recipient";
    status = js_PullSubscribe(&sub, js, c->subject, "recipient", NULL, &sub_options, &jerr);
    if (status != NATS_OK) fail("consumer: pull subscribe", status);

    pthread_mutex_lock(&c->lock);
    c->ready = 1;
    pthread_cond_signal(&c->ready_cond);
    pthread_mutex_unlock(&c->lock);

    long received = 0;
    int idle = 0;
    while (received < s->count) {
        natsMsgList list = {0};
        long wanted = s->count - received;
        status = natsSubscription_Fetch(&list, sub, (int)(wanted < s->batch ? wanted : s->batch), 5000, &jerr);
        if (status == NATS_TIMEOUT) {
            if (++idle >= 6) {
                snprintf(c->error, sizeof(c->error), "no message for 30 s after %ld of %ld", received, s->count);
                break;
            }
            continue;
        }
        if (status != NATS_OK) fail("consumer: fetch", status);
        idle = 0;
        for (int i = 0; i < list.Count; i++) {
            if (natsMsg_GetDataLength(list.Msgs[i]) != (int)s->size) {
                snprintf(c->error, sizeof(c->error), "a message of %d bytes, not %ld", natsMsg_GetDataLength(list.Msgs[i]),
                         s->size);
            }
            status = natsMsg_Ack(list.Msgs[i], NULL);
            if (status != NATS_OK) fail("consumer: ack", status);
            received++;
        }
        natsMsgList_Destroy(&list);
    }
    c->done_ns = now_ns();
    c->received = received;
    natsConnection_Flush(connection);
    natsSubscription_Destroy(sub);
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
    return NULL;
}

int main(int argc, char **argv) {
    struct settings s;
    parse(argc, argv, &s);
    natsStatus status = nats_Open(-1);
    if (status != NATS_OK) fail("nats_Open", status);
    publish_expected = s.count;

    natsConnection *connection = connect_to(&s);
    jsOptions js_options;
    jsOptions_Init(&js_options);
    js_options.Wait = 30000;
    js_options.PublishAsync.MaxPending = s.window;
    js_options.PublishAsync.AckHandler = on_publish_ack;
    js_options.PublishAsync.StallWait = 30000;
    jsCtx *js = NULL;
    status = natsConnection_JetStream(&js, connection, &js_options);
    if (status != NATS_OK) fail("JetStream context", status);

    struct consumer c;
    memset(&c, 0, sizeof(c));
    c.settings = &s;
    snprintf(c.subject, sizeof(c.subject), "bench.%s", s.name);
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.ready_cond, NULL);

    const char *subjects[] = {c.subject};
    jsStreamConfig stream;
    jsStreamConfig_Init(&stream);
    stream.Name = s.name;
    stream.Subjects = subjects;
    stream.SubjectsLen = 1;
    stream.Storage = js_FileStorage;
    stream.Retention = js_LimitsPolicy;
    stream.Replicas = 1;
    jsErrCode jerr = 0;
    jsStreamInfo *stream_info = NULL;
    status = js_AddStream(&stream_info, js, &stream, NULL, &jerr);
    if (status != NATS_OK) fail("add stream", status);
    jsStreamInfo_Destroy(stream_info);

    jsConsumerConfig consumer;
    jsConsumerConfig_Init(&consumer);
    consumer.Durable = "recipient";
    consumer.AckPolicy = js_AckExplicit;
    consumer.DeliverPolicy = js_DeliverAll;
    consumer.MaxAckPending = s.ack_pending;
    jsConsumerInfo *consumer_info = NULL;
    status = js_AddConsumer(&consumer_info, js, s.name, &consumer, NULL, &jerr);
    if (status != NATS_OK) fail("add consumer", status);
    jsConsumerInfo_Destroy(consumer_info);

    pthread_t thread;
    if (pthread_create(&thread, NULL, consume, &c) != 0) {
        fprintf(stderr, "nats-peer: no consumer thread\n");
        return 1;
    }
    pthread_mutex_lock(&c.lock);
    while (!c.ready) pthread_cond_wait(&c.ready_cond, &c.lock);
    pthread_mutex_unlock(&c.lock);

    char *body = malloc((size_t)s.size);
    if (body == NULL) return 1;
    memset(body, 'a', (size_t)s.size);
    uint64_t start = now_ns();
    char id[160];
    jsPubOptions with_id;
    jsPubOptions_Init(&with_id);
    with_id.MsgId = id;
    for (long i = 0; i < s.count; i++) {
        if (s.msg_id != NULL) snprintf(id, sizeof id, "%.100s%ld", s.msg_id, i);
        status = js_PublishAsync(js, c.subject, body, (int)s.size, s.msg_id != NULL ? &with_id : NULL);
        if (status != NATS_OK) fail("publish", status);
    }
    jsPubOptions complete;
    jsPubOptions_Init(&complete);
    complete.MaxWait = 60000;
    status = js_PublishAsyncComplete(js, &complete);
    if (status != NATS_OK) fail("waiting for the publish acks", status);
    wait_for_publish_answers();
    uint64_t published = now_ns();
    pthread_join(thread, NULL);
    if (c.error[0] != '\0') {
        fprintf(stderr, "nats-peer: consumer: %s\n", c.error);
        return 1;
    }
    long acks = atomic_load(&publish_acks), errors = atomic_load(&publish_errors);
    if (acks != s.count || errors != 0) {
        fprintf(stderr, "nats-peer: %ld publish acks and %ld publish errors for %ld messages\n", acks, errors, s.count);
        return 1;
    }
    uint64_t end = published > c.done_ns ? published : c.done_ns;
    double seconds = (double)(end - start) / 1e9;

    /* Every acknowledgement of the recipient reached the server. */
    int64_t pending = -1;
    for (int attempt = 0; attempt < 100 && pending != 0; attempt++) {
        consumer_info = NULL;
        status = js_GetConsumerInfo(&consumer_info, js, s.name, "recipient", NULL, &jerr);
        if (status != NATS_OK) fail("consumer info", status);
        pending = consumer_info->NumAckPending + (int64_t)consumer_info->NumPending;
        jsConsumerInfo_Destroy(consumer_info);
        if (pending != 0) nats_Sleep(100);
    }
    if (pending != 0) {
        fprintf(stderr, "nats-peer: %lld messages still unacknowledged on the server\n", (long long)pending);
        return 1;
    }
    js_DeleteStream(js, s.name, NULL, &jerr);

    printf("{\"count\": %ld, \"size\": %ld, \"seconds\": %.6f, \"msgs_per_s\": %.1f, \"publish_acks\": %ld, \"received\": %ld, "
           "\"duplicates\": %ld, \"window\": %ld, \"batch\": %ld, \"ack_pending\": %ld}\n",
           s.count, s.size, seconds, (double)s.count / seconds, acks, c.received, atomic_load(&publish_duplicates), s.window,
           s.batch, s.ack_pending);
    free(body);
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
    nats_Close();
    return 0;
}
