// Certificate validity for the PKIs tests build. A production certificate
// starts minutes before it is issued (pki::kClockSkewSeconds), so a clock
// set earlier than the real date finds it not yet valid. Tests that check
// certificates on a FakeClock, whose default date lies before the real one,
// ask for certificates that are already valid at that date with these calls,
// which say so where the test builds its PKI.
#pragma once

#include <algorithm>
#include <cstdint>

#include "bus/core/clock.h"
#include "certs/authority.h"

namespace docbus::testing {

// From a day before FakeClock's default time (or kClockSkewSeconds before
// now, if that is earlier) to `days` after now: valid on a fresh FakeClock
// and on the system clock.
inline pki::Validity ValidFromFakeClockStart(
    int64_t days = pki::kAgencyValidityDays) {
  constexpr int64_t kDay = 86400;
  const int64_t now_s = RealClock().NowUnixMillis() / 1000;
  const int64_t fake_s = FakeClock().NowUnixMillis() / 1000;
  return pki::Validity::Between(
      std::min(fake_s - kDay, now_s - pki::kClockSkewSeconds),
      now_s + days * kDay);
}

// A root CA valid from the same time (see ValidFromFakeClockStart).
inline pki::AuthorityOptions AuthorityValidFromFakeClockStart() {
  pki::AuthorityOptions options;
  options.validity = ValidFromFakeClockStart(pki::kRootValidityDays);
  return options;
}

}  // namespace docbus::testing
