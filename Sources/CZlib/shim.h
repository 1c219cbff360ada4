#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
/* zlib's crc32, for the journal's per-record checksum (HubStore's RecordChecksum). */
#include <zlib.h>
#endif
