import FuzzSupport

// libFuzzer runs `fuzzCanonicalJSON` (also exported as LLVMFuzzerTestOneInput) from here. A closure, not the
// function itself: naming a @_cdecl function as a C pointer emits its C symbol a second time.
runLibFuzzer { fuzzCanonicalJSON($0, $1) }
