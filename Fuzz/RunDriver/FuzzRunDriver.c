#include "FuzzRunDriver.h"

// SwiftPM links an executable target with main aliased to its module's own entry point, so libFuzzer's main is
// never used; the fuzz build's entry point calls libFuzzer's driver through this instead. Weak, so the plain
// build (no libFuzzer) links too.
extern int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size))
    __attribute__((weak));

int fuzz_run_driver(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size)) {
    if (!LLVMFuzzerRunDriver) return -1;
    return LLVMFuzzerRunDriver(&argc, &argv, callback);
}
