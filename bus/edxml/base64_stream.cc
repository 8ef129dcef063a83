#include "bus/edxml/base64_stream.h"

namespace docbus::edxml {
namespace {

int Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool IsSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

bool Base64Stream::Feed(std::string_view chunk) {
  if (failed_) return false;
  for (unsigned char c : chunk) {
    if (IsSpace(c)) continue;
    if (c == '=') {
      // Padding only completes a group of 2 or 3 characters.
      if (padding_ == 0 && count_ < 2) return failed_ = true, false;
      if (++padding_ + count_ > 4) return failed_ = true, false;
      continue;
    }
    const int v = Value(c);
    if (v < 0 || padding_ > 0) return failed_ = true, false;
    bits_ = (bits_ << 6) | static_cast<uint32_t>(v);
    if (++count_ == 4) {
      out_->push_back(static_cast<char>(bits_ >> 16));
      out_->push_back(static_cast<char>(bits_ >> 8));
      out_->push_back(static_cast<char>(bits_));
      bits_ = 0;
      count_ = 0;
    }
  }
  return true;
}

bool Base64Stream::Finish() {
  if (failed_ || count_ == 1) return false;
  if (padding_ > 0 && padding_ + count_ != 4) return false;
  if (count_ == 2) {
    if ((bits_ & 0xf) != 0) return false;  // non-zero trailing bits
    out_->push_back(static_cast<char>(bits_ >> 4));
  } else if (count_ == 3) {
    if ((bits_ & 0x3) != 0) return false;
    out_->push_back(static_cast<char>(bits_ >> 10));
    out_->push_back(static_cast<char>(bits_ >> 2));
  }
  count_ = 0;
  return true;
}

}  // namespace docbus::edxml
