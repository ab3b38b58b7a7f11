import FuzzSupport

// libFuzzer runs `fuzzIdentifiers` (also exported as LLVMFuzzerTestOneInput) from here. A closure, not the
// function itself: naming a @_cdecl function as a C pointer emits its C symbol a second time.
runLibFuzzer { fuzzIdentifiers($0, $1) }
