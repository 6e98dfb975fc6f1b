// zlib (zlib1g-dev): the engine checkpoint's compression, through its one-shot compress2 and uncompress2.
#include <zlib.h>
