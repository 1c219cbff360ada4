#ifndef CXXHASH_SHIM_H
#define CXXHASH_SHIM_H
/* xxHash's XXH3, for the journal's per-record checksum (HubStore's RecordChecksum). */
#include <xxhash.h>
#endif
