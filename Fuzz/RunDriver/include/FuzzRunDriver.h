#ifndef FUZZ_RUN_DRIVER_H
#define FUZZ_RUN_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver (its command line, its loop) with `callback` as the target; returns its exit status,
/// or -1 when the binary was not linked with libFuzzer (-sanitize=fuzzer).
int fuzz_run_driver(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));

#endif
