// Base64Stream: decodes standard base64 (RFC 4648 §4) that arrives in
// pieces, appending the bytes to a string as it goes, so that a large
// attachment's text is never held whole. Whitespace (space, tab, CR, LF)
// between characters is skipped, as MIME-style encoders wrap lines; padding
// is optional but, when present, ends the data. Anything else is an error.
// One instance per element; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace docbus::edxml {

class Base64Stream {
 public:
  explicit Base64Stream(std::string* out) : out_(out) {}

  // False (and stays false) once the input is not base64.
  bool Feed(std::string_view chunk);
  // False when the data ends in the middle of a byte (one leftover
  // character) or an earlier Feed failed.
  bool Finish();

 private:
  std::string* out_;
  uint32_t bits_ = 0;
  int count_ = 0;    // characters in bits_ (0-3)
  int padding_ = 0;  // '=' seen
  bool failed_ = false;
};

}  // namespace docbus::edxml
