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
#endif
