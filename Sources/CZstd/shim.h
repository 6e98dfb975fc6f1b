// zstd (libzstd-dev): the engine checkpoint's compression. libzstd1 is already on every machine that has
// libsystemd0, which links it.
#include <zstd.h>
