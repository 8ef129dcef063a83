// docbus-bench --verify-floor: what a signature costs on this machine, and
// how close docbus's own signing and verification come to it. In one run,
// single-threaded, for about `each` each (in interleaved 50 ms turns, so
// that a load elsewhere on a shared machine weighs on all alike), on a
// throwaway PKI (root and one agency, made the way the tests make theirs):
// raw ECDSA P-256 sign and
// verify with a key parsed once (EVP_DigestSign / EVP_DigestVerify over
// 4 KiB), then crypto::Signer::Sign and crypto::Verifier::Verify over a
// 4 KiB document header. Costs are this thread's CPU time per operation
// (wall time is printed too: on a shared machine it also counts whatever
// else runs). Not thread-safe; prints to stdout.
#pragma once

#include <chrono>

#include "bus/core/status.h"

namespace docbus::bench {

struct SignatureFloor {
  // CPU µs per operation.
  double raw_sign_us = 0, raw_verify_us = 0;
  double docbus_sign_us = 0, docbus_verify_us = 0;
  unsigned cores = 1;

  // Documents/s the machine's cores could carry if each document cost only
  // its intrinsic signature work: the sender signs the header, the broker and
  // the recipient verify it, the recipient signs the receipt, the broker and
  // the sender verify that: 2 raw signs + 4 raw verifies.
  double LimitDocumentsPerSecond() const;
};

// Measures and prints the figures above. kInternal (with OpenSSL's text)
// or the PKI's error when the throwaway PKI cannot be made or used.
Result<SignatureFloor> MeasureSignatureFloor(
    std::chrono::milliseconds each = std::chrono::seconds(2));

// Prints a bus run's documents/s as a fraction of floor's limit, with the
// formula.
void PrintShareOfSignatureLimit(const SignatureFloor& floor,
                                double documents_per_second);

}  // namespace docbus::bench
