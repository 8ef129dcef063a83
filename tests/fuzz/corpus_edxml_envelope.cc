// edxml_envelope_fuzz's entry point under a name of its own, for
// corpus_test.cc.
#define LLVMFuzzerTestOneInput EdxmlEnvelopeFuzzInput
#include "tests/fuzz/edxml_envelope_fuzz.cc"
