// audit_formats_fuzz's entry points under names of their own, for
// corpus_test.cc.
#define LLVMFuzzerInitialize AuditFormatsFuzzInit
#define LLVMFuzzerTestOneInput AuditFormatsFuzzInput
#include "tests/fuzz/audit_formats_fuzz.cc"
