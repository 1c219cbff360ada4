#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
/* zlib, for the journal's gzip archive segments (HubStore's Gzip). */
#include <zlib.h>
#endif
