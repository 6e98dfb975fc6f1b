// zlib (zlib1g-dev): the engine checkpoint's first compressed form (format 1), still read; compress2 writes it for tests.
#include <zlib.h>
