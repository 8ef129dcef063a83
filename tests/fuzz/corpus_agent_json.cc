// agent_json_fuzz's entry point under a name of its own, for corpus_test.cc.
#define LLVMFuzzerTestOneInput AgentJsonFuzzInput
#include "tests/fuzz/agent_json_fuzz.cc"
