#ifndef CGCRYPT_SHIM_H
#define CGCRYPT_SHIM_H
/* libgcrypt, for the national algorithms (SM3, SM4-GCM) of `crypto: sm` (HubCrypto).
 * Debian 12's OpenSSL 3.0 has SM3 and SM4 but no SM4-GCM; libgcrypt 1.10 has both. */
#include <gcrypt.h>

/* gcry_control is variadic, which Swift cannot call: the one-time initialisation as a
 * plain function. Returns the library's version, or NULL when it is older than 1.9
 * (the first with SM4). Secure memory is not used: keys are held in ordinary pages,
 * and `swhub serve` disables core dumps instead. */
static inline const char *swhub_gcry_initialize(void) {
    const char *version = gcry_check_version("1.9.0");
    if (version == NULL) {
        return NULL;
    }
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    return version;
}

/* gcry_cipher_reset is a macro over the variadic-free gcry_cipher_ctl: as a function. It
 * sets a handle back to the state after its last setkey (the key and GCM's tables kept). */
static inline gcry_error_t swhub_gcry_cipher_reset(gcry_cipher_hd_t handle) {
    return gcry_cipher_ctl(handle, GCRYCTL_RESET, NULL, 0);
}

/* SM3 of up to three buffers in one call (gcry_md_hash_buffers: no handle opened). */
static inline gcry_error_t swhub_gcry_sm3_buffers(
    unsigned char *digest, const void *a, size_t a_len, const void *b, size_t b_len, const void *c, size_t c_len) {
    gcry_buffer_t parts[3] = {
        {0, 0, a_len, (void *)a},
        {0, 0, b_len, (void *)b},
        {0, 0, c_len, (void *)c},
    };
    return gcry_md_hash_buffers(GCRY_MD_SM3, 0, digest, parts, 3);
}
#endif
