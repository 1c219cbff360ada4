/*
 * swhub-c-register: an example adapter built on the C adapter kit. A legacy enterprise
 * system writes its registration (备案) as a plain `key = value` file; this program turns it
 * into a swhub.v1.Registration (protobuf-c, Schemas/business.proto), submits it as
 * `reg.Registration` and reports the hub's answer.
 *
 *   swhub-c-register [--wait-feedback SECONDS] ENDPOINT KEY_FILE HUB_KEY_FILE REGISTRATION_FILE [MESSAGE_ID]
 *
 * ENDPOINT is one hub, or the nodes of a hub cluster as a comma-separated list
 * ("tcp://a:5570,tcp://b:5570"): the kit fails over between them.
 *
 * The file (lines `key = value`, `#` comments):
 *   cop_no, app_time (YYYYMMDDhhmmss), social_credit_code, customs_code, name, name_en,
 *   address, note, app_type (new | change | delete, default new),
 *   roles (comma list of platform, ecommerce_enterprise, payment_company,
 *   logistics_company, declaration_agent), contact_name, contact_telephone,
 *   contact_email, and any number of
 *   bank_account = BANK_CODE, BANK_NAME, ACCOUNT_NO, ACCOUNT_NAME, CURRENCY
 * The message id is MESSAGE_ID or "reg-" + cop_no: submitting the same file again is
 * journaled once (the hub answers duplicate=1).
 *
 * Output: "accepted id=... seq=N duplicate=0 recipients=K", exit 0; the hub refused it:
 * "refused CODE NAME: reason", exit 1; anything else: "error: ...", exit 2.
 *
 * With --wait-feedback (a hub with flows on, PROTOCOL.md section 13) it then opens a
 * receiving session and prints each unified feedback (flow.Feedback) about the filing,
 * "feedback state=PENDING final=0 departments=customs:ACCEPTED,... pending=tax,...",
 * acknowledging every delivery, until the final one: exit 0 when it is ACCEPTED or
 * PARTIALLY_ACCEPTED, 1 when REFUSED or EXPIRED, 2 when none came within SECONDS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "business.pb-c.h"
#include "swhub_client.h"

#define MAX_ROLES 8
#define MAX_ACCOUNTS 8
#define MAX_LINE 1024

typedef struct {
    Swhub__V1__Registration registration;
    Swhub__V1__Contact contact;
    Swhub__V1__EnterpriseRole roles[MAX_ROLES];
    Swhub__V1__BankAccount accounts[MAX_ACCOUNTS];
    Swhub__V1__BankAccount *account_pointers[MAX_ACCOUNTS];
    char *strings[64]; /* every value, freed at the end */
    size_t string_count;
} Filing;

static char *trim(char *text) {
    while (*text == ' ' || *text == '\t') text++;
    char *end = text + strlen(text);
    while (end > text && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n')) *--end = '\0';
    return text;
}

static char *keep(Filing *f, const char *value) {
    if (f->string_count == sizeof f->strings / sizeof f->strings[0]) return NULL;
    size_t len = strlen(value);
    char *copy = malloc(len + 1);
    if (copy != NULL) memcpy(copy, value, len + 1);
    if (copy != NULL) f->strings[f->string_count++] = copy;
    return copy;
}

static int parse_role(const char *name, Swhub__V1__EnterpriseRole *role) {
    static const struct { const char *name; Swhub__V1__EnterpriseRole role; } roles[] = {
        {"platform", SWHUB__V1__ENTERPRISE_ROLE__ENTERPRISE_ROLE_PLATFORM},
        {"ecommerce_enterprise", SWHUB__V1__ENTERPRISE_ROLE__ENTERPRISE_ROLE_ECOMMERCE_ENTERPRISE},
        {"payment_company", SWHUB__V1__ENTERPRISE_ROLE__ENTERPRISE_ROLE_PAYMENT_COMPANY},
        {"logistics_company", SWHUB__V1__ENTERPRISE_ROLE__ENTERPRISE_ROLE_LOGISTICS_COMPANY},
        {"declaration_agent", SWHUB__V1__ENTERPRISE_ROLE__ENTERPRISE_ROLE_DECLARATION_AGENT},
    };
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (strcmp(name, roles[i].name) == 0) {
            *role = roles[i].role;
            return 1;
        }
    }
    return 0;
}

/* One `key = value` line; returns an error text or NULL. */
static const char *apply(Filing *f, const char *key, char *value) {
    Swhub__V1__Registration *r = &f->registration;
    char **field = NULL;
    if (strcmp(key, "cop_no") == 0) field = &r->cop_no;
    else if (strcmp(key, "app_time") == 0) field = &r->app_time;
    else if (strcmp(key, "social_credit_code") == 0) field = &r->social_credit_code;
    else if (strcmp(key, "customs_code") == 0) field = &r->customs_code;
    else if (strcmp(key, "name") == 0) field = &r->name;
    else if (strcmp(key, "name_en") == 0) field = &r->name_en;
    else if (strcmp(key, "address") == 0) field = &r->address;
    else if (strcmp(key, "note") == 0) field = &r->note;
    else if (strcmp(key, "contact_name") == 0) field = &f->contact.name;
    else if (strcmp(key, "contact_telephone") == 0) field = &f->contact.telephone;
    else if (strcmp(key, "contact_email") == 0) field = &f->contact.email;
    if (field != NULL) return (*field = keep(f, value)) ? NULL : "too many values";
    if (strcmp(key, "app_type") == 0) {
        if (strcmp(value, "new") == 0) r->app_type = SWHUB__V1__APP_TYPE__APP_TYPE_NEW;
        else if (strcmp(value, "change") == 0) r->app_type = SWHUB__V1__APP_TYPE__APP_TYPE_CHANGE;
        else if (strcmp(value, "delete") == 0) r->app_type = SWHUB__V1__APP_TYPE__APP_TYPE_DELETE;
        else return "app_type is new, change or delete";
        return NULL;
    }
    if (strcmp(key, "roles") == 0) {
        for (char *save = NULL, *role = strtok_r(value, ",", &save); role; role = strtok_r(NULL, ",", &save)) {
            if (r->n_roles == MAX_ROLES || !parse_role(trim(role), &f->roles[r->n_roles])) return "unknown role";
            r->n_roles++;
        }
        return NULL;
    }
    if (strcmp(key, "bank_account") == 0) {
        if (r->n_bank_accounts == MAX_ACCOUNTS) return "too many bank accounts";
        Swhub__V1__BankAccount *account = &f->accounts[r->n_bank_accounts];
        char **parts[] = {&account->bank_code, &account->bank_name, &account->account_no, &account->account_name, &account->currency};
        char *save = NULL, *part = strtok_r(value, ",", &save);
        for (size_t i = 0; i < 5; i++, part = strtok_r(NULL, ",", &save)) {
            if (part == NULL) return "bank_account = BANK_CODE, BANK_NAME, ACCOUNT_NO, ACCOUNT_NAME, CURRENCY";
            if ((*parts[i] = keep(f, trim(part))) == NULL) return "too many values";
        }
        f->account_pointers[r->n_bank_accounts++] = account;
        return NULL;
    }
    return "unknown key";
}

static int read_filing(Filing *f, const char *path) {
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        printf("error: cannot read %s\n", path);
        return 0;
    }
    char line[MAX_LINE];
    int number = 0, ok = 1;
    while (ok && fgets(line, sizeof line, file) != NULL) {
        number++;
        char *text = trim(line);
        if (*text == '\0' || *text == '#') continue;
        char *equals = strchr(text, '=');
        if (equals == NULL) {
            printf("error: %s:%d: expected key = value\n", path, number);
            ok = 0;
            break;
        }
        *equals = '\0';
        const char *problem = apply(f, trim(text), trim(equals + 1));
        if (problem != NULL) {
            printf("error: %s:%d: %s\n", path, number, problem);
            ok = 0;
        }
    }
    fclose(file);
    if (ok && (f->registration.cop_no[0] == '\0' || f->registration.social_credit_code[0] == '\0')) {
        printf("error: %s: cop_no and social_credit_code are required\n", path);
        ok = 0;
    }
    return ok;
}

/* "FEEDBACK_STATE_ACCEPTED" → "ACCEPTED". */
static const char *enum_name(const ProtobufCEnumDescriptor *descriptor, int value, const char *prefix) {
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(descriptor, value);
    if (v == NULL) return "UNKNOWN";
    size_t len = strlen(prefix);
    return strncmp(v->name, prefix, len) == 0 ? v->name + len : v->name;
}

static void print_feedback(const Swhub__V1__Feedback *f) {
    printf("feedback state=%s final=%d departments=", enum_name(&swhub__v1__feedback_state__descriptor, (int)f->state, "FEEDBACK_STATE_"),
           f->final ? 1 : 0);
    for (size_t i = 0; i < f->n_departments; i++) {
        printf("%s%s:%s", i ? "," : "", f->departments[i]->department,
               enum_name(&swhub__v1__decision__descriptor, (int)f->departments[i]->decision, "DECISION_"));
    }
    printf(" pending=");
    for (size_t i = 0; i < f->n_pending_departments; i++) printf("%s%s", i ? "," : "", f->pending_departments[i]);
    for (size_t i = 0; i < f->n_reasons; i++) printf(" reason=\"%s\"", f->reasons[i]);
    printf("\n");
}

static int64_t now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Prints the feedback about filing `id` until the final one; returns the exit status. */
static int await_feedback(swhub_client *client, const char *id, int seconds) {
    int rc = swhub_receive_start(client, 100, 10000);
    if (rc != SWHUB_OK) {
        printf("error: %s (%s)\n", swhub_last_error(client), swhub_strerror(rc));
        return 2;
    }
    int64_t deadline = now_ms() + (int64_t)seconds * 1000;
    for (;;) {
        int64_t remaining = deadline - now_ms();
        if (remaining <= 0) {
            printf("error: no final feedback about %s within %d s\n", id, seconds);
            return 2;
        }
        swhub_delivery *d = NULL;
        rc = swhub_receive(client, &d, remaining < 1000 ? (int)remaining : 1000);
        if (rc == SWHUB_ERR_TIMEOUT) continue;
        if (rc != SWHUB_OK) {
            printf("error: %s (%s)\n", swhub_last_error(client), swhub_strerror(rc));
            return 2;
        }
        int status = -1;
        if (strcmp(d->type, "flow.Feedback") == 0) {
            Swhub__V1__Feedback *f = swhub__v1__feedback__unpack(NULL, d->body_len, d->body);
            if (f != NULL && strcmp(f->subject_id, id) == 0) {
                print_feedback(f);
                if (f->final) {
                    status = f->state == SWHUB__V1__FEEDBACK_STATE__FEEDBACK_STATE_ACCEPTED ||
                                     f->state == SWHUB__V1__FEEDBACK_STATE__FEEDBACK_STATE_PARTIALLY_ACCEPTED
                                 ? 0
                                 : 1;
                }
            }
            if (f != NULL) swhub__v1__feedback__free_unpacked(f, NULL);
        }
        swhub_ack(client, d->seq); /* processed (printed): the hub need not send it again */
        swhub_delivery_free(d);
        if (status >= 0) return status;
    }
}

int main(int argc, char **argv) {
    int wait_seconds = 0;
    if (argc > 2 && strcmp(argv[1], "--wait-feedback") == 0) {
        wait_seconds = atoi(argv[2]);
        argc -= 2;
        argv += 2;
    }
    if ((argc != 5 && argc != 6) || wait_seconds < 0) {
        fprintf(stderr, "usage: swhub-c-register [--wait-feedback SECONDS] ENDPOINT KEY_FILE HUB_KEY_FILE REGISTRATION_FILE [MESSAGE_ID]\n"
                        "  ENDPOINT: a hub's endpoint, or several hub nodes' separated by commas\n");
        return 2;
    }
    Filing f;
    memset(&f, 0, sizeof f);
    swhub__v1__registration__init(&f.registration);
    swhub__v1__contact__init(&f.contact);
    for (size_t i = 0; i < MAX_ACCOUNTS; i++) swhub__v1__bank_account__init(&f.accounts[i]);
    f.registration.app_type = SWHUB__V1__APP_TYPE__APP_TYPE_NEW;
    f.registration.roles = f.roles;
    f.registration.bank_accounts = f.account_pointers;
    f.registration.contact = &f.contact;
    int status = 2;
    uint8_t *body = NULL;
    swhub_client *client = NULL;
    char id[SWHUB_MAX_ID_BYTES + 1];
    if (!read_filing(&f, argv[4])) goto done;
    snprintf(id, sizeof id, "%s", argc == 6 ? argv[5] : "");
    if (argc == 5) snprintf(id, sizeof id, "reg-%s", f.registration.cop_no);

    size_t len = swhub__v1__registration__get_packed_size(&f.registration);
    body = malloc(len > 0 ? len : 1);
    if (body == NULL) goto done;
    swhub__v1__registration__pack(&f.registration, body);

    int rc = swhub_open(&client, argv[1], argv[2], argv[3], 10000);
    if (rc != SWHUB_OK) {
        printf("error: %s (%s)\n", swhub_last_error(NULL), swhub_strerror(rc));
        goto done;
    }
    swhub_message message = {.id = id, .type = "reg.Registration", .body = body, .body_len = len};
    swhub_reply reply;
    rc = swhub_submit(client, &message, &reply, 10000);
    if (rc == SWHUB_OK) {
        printf("accepted id=%s seq=%llu duplicate=%d recipients=%u\n", reply.id, (unsigned long long)reply.seq, reply.duplicate,
               reply.recipients);
        status = wait_seconds > 0 ? await_feedback(client, id, wait_seconds) : 0;
    } else if (rc > 0) {
        printf("refused %d %s: %s\n", rc, reply.name, reply.reason);
        status = 1;
    } else {
        printf("error: %s (%s)\n", swhub_last_error(client), swhub_strerror(rc));
    }
done:
    swhub_close(client);
    free(body);
    for (size_t i = 0; i < f.string_count; i++) free(f.strings[i]);
    return status;
}
