#ifndef SHAREBUS_CLIBFUZZER_H
#define SHAREBUS_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt FuzzerDriver.cpp), linked in by -sanitize=fuzzer. The fuzz
/// executables call it from their own main, because SwiftPM gives every Swift executable a main
/// of its own and libFuzzer's would then never be linked.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
