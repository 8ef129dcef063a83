// What the edXML tests share: the committed samples (tests/edxml/testdata,
// written from the structure in the QCVN 102 reference notes), and the peak
// resident memory a call adds.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace docbus::edxml::testing {

// The bytes of tests/edxml/testdata/<name>; a missing file fails the test.
std::string Sample(const std::string& name);

// How much the process's peak resident set (getrusage ru_maxrss) grew while
// `run` ran, in bytes. The peak is reset to the current size first
// (/proc/self/clear_refs), so earlier tests' peaks do not hide it.
size_t PeakRssGrowth(const std::function<void()>& run);

// The classic entity expansion ("billion laughs"): ten levels of ten
// references each, under a DOCTYPE.
std::string BillionLaughs();

// `text` with `from` replaced by `to` (the first occurrence; the test fails
// when there is none).
std::string Replaced(std::string text, const std::string& from,
                     const std::string& to);

}  // namespace docbus::edxml::testing
