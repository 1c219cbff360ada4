/*
 * Key files as `swhub keygen` writes them (PROTOCOL.md section 1): small YAML files with
 * `public_key: "<Z85>"` and, in NAME.key_secret, `secret_key: "<Z85>"`. This reads the
 * top-level `field: value` lines (value double- or single-quoted, or bare), ignores
 * comments and other lines, and checks the value is 40 characters of Z85.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* A key file is a few lines; anything larger is not one. */
#define KEY_FILE_MAX_BYTES 4096

static const char z85_alphabet[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

static int is_z85_key(const char *text, size_t len) {
    if (len != SWHUB_Z85_KEY_LEN) return 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\0' || strchr(z85_alphabet, text[i]) == NULL) return 0;
    }
    return 1;
}

/* The value of `field` on one line, or NULL; *len is its length. */
static const char *value_on_line(const char *line, size_t line_len, const char *field, size_t *len) {
    size_t field_len = strlen(field);
    if (line_len <= field_len || strncmp(line, field, field_len) != 0 || line[field_len] != ':') return NULL;
    const char *p = line + field_len + 1, *end = line + line_len;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if (p < end && (*p == '"' || *p == '\'')) {
        const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));
        if (close == NULL) return NULL;
        *len = (size_t)(close - p - 1);
        return p + 1;
    }
    const char *q = p;
    while (q < end && *q != ' ' && *q != '\t' && *q != '\r' && *q != '#') q++;
    *len = (size_t)(q - p);
    return p;
}

int swhub_read_key(const char *path, const char *field, char out[SWHUB_Z85_KEY_LEN + 1], char *error, size_t error_len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        snprintf(error, error_len, "cannot read key file %s: %s", path, strerror(errno));
        return SWHUB_ERR_KEY_FILE;
    }
    char text[KEY_FILE_MAX_BYTES + 1];
    size_t size = fread(text, 1, sizeof text, file);
    int read_error = ferror(file);
    fclose(file);
    if (read_error) {
        snprintf(error, error_len, "cannot read key file %s", path);
        return SWHUB_ERR_KEY_FILE;
    }
    if (size > KEY_FILE_MAX_BYTES) {
        snprintf(error, error_len, "%s is not a key file (larger than %d bytes)", path, KEY_FILE_MAX_BYTES);
        return SWHUB_ERR_KEY_FILE;
    }
    text[size] = '\0';
    const char *line = text, *end = text + size;
    while (line < end) {
        const char *newline = memchr(line, '\n', (size_t)(end - line));
        size_t line_len = newline ? (size_t)(newline - line) : (size_t)(end - line);
        size_t len = 0;
        const char *value = value_on_line(line, line_len, field, &len);
        if (value != NULL) {
            if (!is_z85_key(value, len)) {
                snprintf(error, error_len, "%s: %s is not 40 characters of Z85", path, field);
                return SWHUB_ERR_KEY_FILE;
            }
            memcpy(out, value, SWHUB_Z85_KEY_LEN);
            out[SWHUB_Z85_KEY_LEN] = '\0';
            return SWHUB_OK;
        }
        line += line_len + 1;
    }
    snprintf(error, error_len, "%s is not a key file with %s", path, field);
    return SWHUB_ERR_KEY_FILE;
}
