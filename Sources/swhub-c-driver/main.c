/*
 * swhub-c-driver: runs the C adapter kit (swhub_client.h) from commands on standard input,
 * one per line, and prints one result line per command: "ok ..." or
 * "error CODE NAME: text". The interop tests drive it; it is also a quick way to poke at
 * a hub from a shell.
 *
 *   swhub-c-driver ENDPOINT HUB_KEY_FILE   (ENDPOINT: one hub, or hub nodes A,B,... to fail over)
 *   open KEY_FILE [TIMEOUT_MS]        connect as the party of KEY_FILE (NAME.key_secret)
 *   start [CREDIT]                    open the receiving session
 *   submit ID TYPE [body=TEXT|hex=HEX] [to=A,B] [corr=ID]
 *   recv [TIMEOUT_MS]                 next delivery
 *   ack SEQ
 *   pipeline COUNT TYPE SIZE TO       COUNT submissions of SIZE bytes to TO, pipelined
 *   batching ENTRIES LINGER_US        swhub_set_batching
 *   batchdeliveries N                 swhub_set_batch_deliveries (before start)
 *   send ID TYPE [body=...] ...       swhub_send (as submit, without waiting)
 *   sendmany COUNT PREFIX TYPE TO     swhub_send of PREFIX-0 .. PREFIX-(COUNT-1), body = the id
 *   flush                             swhub_flush
 *   reply [TIMEOUT_MS]                swhub_next_reply
 *   replies COUNT [TIMEOUT_MS]        COUNT swhub_next_reply: "id:code:seq" each
 *   protocol                          swhub_protocol_version
 *   endpoint                          the hub node the client is on (swhub_endpoint)
 *   close                             close the client (open may follow)
 *   misuse                            every call with NULL or invalid arguments (on the
 *                                     current client, or none): prints the return codes
 * End of input closes the client and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swhub_client.h"

#define MAX_RECIPIENTS 16

static void print_error(int rc, const swhub_client *client) {
    printf("error %d %s: %s\n", rc, swhub_strerror(rc), swhub_last_error(client));
}

static size_t parse_hex(const char *hex, unsigned char *out, size_t size) {
    size_t n = 0;
    while (hex[0] && hex[1] && n < size) {
        char byte[3] = {hex[0], hex[1], 0};
        out[n++] = (unsigned char)strtoul(byte, NULL, 16);
        hex += 2;
    }
    return n;
}

/* submit (wait = 1) or send (wait = 0) ID TYPE [body=TEXT|hex=HEX] [to=A,B] [corr=ID] */
static void submit(swhub_client *client, char *rest, int wait) {
    char *id = strtok(rest, " "), *type = strtok(NULL, " "), *word;
    const char *recipients[MAX_RECIPIENTS];
    unsigned char body[4096];
    swhub_message m = {.id = id, .type = type, .body = "", .body_len = 0};
    while ((word = strtok(NULL, " ")) != NULL) {
        if (strncmp(word, "body=", 5) == 0) {
            m.body = word + 5;
            m.body_len = strlen(word + 5);
        } else if (strncmp(word, "hex=", 4) == 0) {
            m.body_len = parse_hex(word + 4, body, sizeof body);
            m.body = body;
        } else if (strncmp(word, "corr=", 5) == 0) {
            m.correlation_id = word + 5;
        } else if (strncmp(word, "to=", 3) == 0) {
            for (char *save = NULL, *r = strtok_r(word + 3, ",", &save); r && m.recipient_count < MAX_RECIPIENTS;
                 r = strtok_r(NULL, ",", &save)) {
                recipients[m.recipient_count++] = r;
            }
            m.recipients = recipients;
        }
    }
    if (!wait) {
        int rc = swhub_send(client, &m);
        if (rc == SWHUB_OK) printf("ok sent id=%s unsent=%zu pending=%zu\n", id, swhub_unsent(client), swhub_pending(client));
        else print_error(rc, client);
        return;
    }
    swhub_reply reply;
    int rc = swhub_submit(client, &m, &reply, 10000);
    if (rc == SWHUB_OK) {
        printf("ok accepted id=%s seq=%llu duplicate=%d recipients=%u\n", reply.id, (unsigned long long)reply.seq,
               reply.duplicate, reply.recipients);
    } else {
        print_error(rc, client);
    }
}

static void pipeline(swhub_client *client, char *rest) {
    char *count_text = strtok(rest, " "), *type = strtok(NULL, " "), *size_text = strtok(NULL, " "), *to = strtok(NULL, " ");
    if (!count_text || !type || !size_text || !to) {
        printf("error -1 SWHUB_ERR_ARGUMENT: pipeline COUNT TYPE SIZE TO\n");
        return;
    }
    long count = atol(count_text), size = atol(size_text), accepted = 0, replies = 0;
    unsigned char *body = calloc(1, (size_t)(size > 0 ? size : 1));
    const char *recipients[1] = {to};
    char id[64];
    int rc = SWHUB_OK;
    for (long sent = 0; rc == SWHUB_OK && replies < count;) {
        while (rc == SWHUB_OK && sent < count && sent - replies < 500) {
            snprintf(id, sizeof id, "pipe-%ld", sent++);
            swhub_message m = {.id = id, .type = type, .recipients = recipients, .recipient_count = 1, .body = body,
                               .body_len = (size_t)size};
            rc = swhub_send(client, &m);
        }
        swhub_reply reply;
        if (rc == SWHUB_OK) rc = swhub_next_reply(client, &reply, 10000);
        if (rc == SWHUB_OK) {
            replies++;
            if (reply.code == 0) accepted++;
        }
    }
    free(body);
    if (rc == SWHUB_OK) printf("ok pipeline accepted=%ld\n", accepted);
    else print_error(rc, client);
}

static void send_many(swhub_client *client, char *rest) {
    char *count_text = strtok(rest, " "), *prefix = strtok(NULL, " "), *type = strtok(NULL, " "), *to = strtok(NULL, " ");
    if (!count_text || !prefix || !type || !to) {
        printf("error -1 SWHUB_ERR_ARGUMENT: sendmany COUNT PREFIX TYPE TO\n");
        return;
    }
    const char *recipients[1] = {to};
    char id[128];
    long count = atol(count_text);
    for (long i = 0; i < count; i++) {
        snprintf(id, sizeof id, "%s-%ld", prefix, i);
        swhub_message m = {.id = id, .type = type, .recipients = recipients, .recipient_count = 1, .body = id, .body_len = strlen(id)};
        int rc = swhub_send(client, &m);
        if (rc != SWHUB_OK) {
            print_error(rc, client);
            return;
        }
    }
    printf("ok sendmany count=%ld unsent=%zu pending=%zu\n", count, swhub_unsent(client), swhub_pending(client));
}

static void print_reply(const swhub_reply *r) {
    printf("ok reply id=%s code=%d seq=%llu duplicate=%d name=%s reason=%s\n", r->id, r->code, (unsigned long long)r->seq,
           r->duplicate, r->name, r->reason);
}

/* COUNT replies on one line: "ok replies id:code:seq,id:code:seq,..." */
static void replies(swhub_client *client, char *rest) {
    char *count_text = strtok(rest, " "), *timeout = strtok(NULL, " ");
    long count = count_text ? atol(count_text) : 0;
    swhub_reply r;
    char *line = malloc((size_t)count * 200 + 1);
    size_t used = 0;
    if (line == NULL) return;
    line[0] = '\0';
    for (long i = 0; i < count; i++) {
        int rc = swhub_next_reply(client, &r, timeout ? atoi(timeout) : 10000);
        if (rc != SWHUB_OK) {
            print_error(rc, client);
            free(line);
            return;
        }
        used += (size_t)snprintf(line + used, 200, "%s%s:%d:%llu", i ? "," : "", r.id, r.code, (unsigned long long)r.seq);
    }
    printf("ok replies %s\n", line);
    free(line);
}

/* Every function with NULL or invalid arguments, on `client` (NULL before any open): the
 * kit must answer each with a return code, never crash or abort. Prints the codes in order. */
static void misuse(swhub_client *client, const char *endpoint) {
    int codes[20];
    int n = 0;
    swhub_reply reply;
    swhub_delivery *delivery = NULL;
    swhub_client *other = NULL;
    const char *recipients[] = {"customs", NULL};
    swhub_message good = {.id = "misuse-1", .type = "demo.Note", .body = "x", .body_len = 1};
    swhub_message no_id = good, no_type = good, no_body = good, no_list = good, null_entry = good, empty_id = good;
    no_id.id = NULL;
    no_type.type = NULL;
    no_body.body = NULL;
    no_body.body_len = 5;
    no_list.recipient_count = 2;
    null_entry.recipients = recipients;
    null_entry.recipient_count = 2;
    empty_id.id = "";
    codes[n++] = swhub_open(NULL, endpoint, "k", "h", 100);
    codes[n++] = swhub_open(&other, NULL, "k", "h", 100);
    codes[n++] = swhub_submit(client, NULL, &reply, 100);
    codes[n++] = swhub_submit(client, &no_id, &reply, 100);
    codes[n++] = swhub_submit(client, &no_type, &reply, 100);
    codes[n++] = swhub_submit(client, &no_body, &reply, 100);
    codes[n++] = swhub_submit(client, &no_list, &reply, 100);
    codes[n++] = swhub_submit(client, &null_entry, &reply, 100);
    codes[n++] = swhub_send(client, &empty_id);
    codes[n++] = swhub_next_reply(client, NULL, 0);
    codes[n++] = swhub_receive(client, NULL, 0);
    codes[n++] = swhub_receive(client, &delivery, 0);
    codes[n++] = swhub_ack(client, 1);
    codes[n++] = swhub_flush(NULL);
    codes[n++] = swhub_set_batching(NULL, 10, 1000);
    codes[n++] = swhub_set_batch_deliveries(NULL, 10);
    swhub_delivery_free(NULL);
    swhub_close(other); /* NULL: nothing */
    int texts = swhub_last_error(NULL) != NULL && swhub_last_error(client) != NULL && swhub_strerror(99999) != NULL &&
                swhub_party(NULL) != NULL && swhub_endpoint(NULL) != NULL && swhub_unsent(NULL) == 0 &&
                swhub_protocol_version(NULL) == 0;
    printf("ok misuse texts=%d codes=", texts);
    for (int i = 0; i < n; i++) printf("%s%d", i ? "," : "", codes[i]);
    printf("\n");
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: swhub-c-driver ENDPOINT[,ENDPOINT...] HUB_KEY_FILE < commands\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    swhub_client *client = NULL;
    char line[8192];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *rest = strchr(line, ' ');
        if (rest != NULL) *rest++ = '\0';
        else rest = line + strlen(line);
        int rc;
        if (strcmp(line, "open") == 0) {
            swhub_close(client);
            char *key = strtok(rest, " "), *timeout = strtok(NULL, " ");
            rc = swhub_open(&client, argv[1], key, argv[2], timeout ? atoi(timeout) : 10000);
            if (rc == SWHUB_OK) printf("ok open party=%s heartbeat_ms=%u\n", swhub_party(client), swhub_heartbeat_ms(client));
            else print_error(rc, NULL);
        } else if (strcmp(line, "misuse") == 0) {
            misuse(client, argv[1]);
        } else if (strcmp(line, "endpoint") == 0) {
            printf("ok endpoint=%s\n", swhub_endpoint(client));
        } else if (strcmp(line, "close") == 0) {
            swhub_close(client);
            client = NULL;
            printf("ok close\n");
        } else if (client == NULL) {
            printf("error -8 SWHUB_ERR_STATE: no client: open first\n");
        } else if (strcmp(line, "start") == 0) {
            rc = swhub_receive_start(client, (uint32_t)atoi(rest), 10000);
            if (rc == SWHUB_OK) printf("ok start\n");
            else print_error(rc, client);
        } else if (strcmp(line, "submit") == 0) {
            submit(client, rest, 1);
        } else if (strcmp(line, "send") == 0) {
            submit(client, rest, 0);
        } else if (strcmp(line, "sendmany") == 0) {
            send_many(client, rest);
        } else if (strcmp(line, "batching") == 0) {
            char *entries = strtok(rest, " "), *linger = strtok(NULL, " ");
            rc = swhub_set_batching(client, entries ? (uint32_t)atol(entries) : 0, linger ? (uint32_t)atol(linger) : 0);
            if (rc == SWHUB_OK) printf("ok batching unsent=%zu\n", swhub_unsent(client));
            else print_error(rc, client);
        } else if (strcmp(line, "batchdeliveries") == 0) {
            rc = swhub_set_batch_deliveries(client, (uint32_t)atol(rest));
            if (rc == SWHUB_OK) printf("ok batchdeliveries\n");
            else print_error(rc, client);
        } else if (strcmp(line, "flush") == 0) {
            rc = swhub_flush(client);
            if (rc == SWHUB_OK) printf("ok flush unsent=%zu pending=%zu\n", swhub_unsent(client), swhub_pending(client));
            else print_error(rc, client);
        } else if (strcmp(line, "reply") == 0) {
            swhub_reply r;
            rc = swhub_next_reply(client, &r, *rest ? atoi(rest) : 10000);
            if (rc == SWHUB_OK) print_reply(&r);
            else print_error(rc, client);
        } else if (strcmp(line, "replies") == 0) {
            replies(client, rest);
        } else if (strcmp(line, "protocol") == 0) {
            printf("ok protocol version=%u\n", swhub_protocol_version(client));
        } else if (strcmp(line, "recv") == 0) {
            swhub_delivery *d = NULL;
            rc = swhub_receive(client, &d, *rest ? atoi(rest) : 10000);
            if (rc == SWHUB_OK) {
                printf("ok deliver seq=%llu id=%s type=%s sender=%s corr=%s body=%.*s\n", (unsigned long long)d->seq, d->id,
                       d->type, d->sender, d->correlation_id, (int)d->body_len, d->body ? (const char *)d->body : "");
            } else {
                print_error(rc, client);
            }
            swhub_delivery_free(d);
        } else if (strcmp(line, "ack") == 0) {
            rc = swhub_ack(client, strtoull(rest, NULL, 10));
            if (rc == SWHUB_OK) printf("ok ack seq=%s\n", rest);
            else print_error(rc, client);
        } else if (strcmp(line, "pipeline") == 0) {
            pipeline(client, rest);
        } else {
            printf("error -1 SWHUB_ERR_ARGUMENT: unknown command '%s'\n", line);
        }
    }
    swhub_close(client);
    return 0;
}
