#include "bus/audit/lifecycle_tables.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>

#include "bus/core/ids.h"

namespace docbus::audit::internal {
namespace {

uint64_t RandomSeed() {
  std::string bytes = RandomBytes16();
  uint64_t seed;
  std::memcpy(&seed, bytes.data(), sizeof(seed));
  return seed;
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

size_t SlotsFor(size_t expected) {
  size_t slots = 1024;
  while (slots < expected * 2 && slots < (size_t{1} << 40)) slots *= 2;
  return slots;
}

}  // namespace

std::string_view StringPool::Add(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() > kChunk / 4) {
    // Large strings get their own chunk, before the current one.
    auto big = std::make_unique<char[]>(s.size());
    std::memcpy(big.get(), s.data(), s.size());
    std::string_view view(big.get(), s.size());
    chunks_.insert(chunks_.end() - (chunks_.empty() ? 0 : 1), std::move(big));
    return view;
  }
  if (used_ + s.size() > kChunk) {
    chunks_.push_back(std::make_unique<char[]>(kChunk));
    used_ = 0;
  }
  char* at = chunks_.back().get() + used_;
  std::memcpy(at, s.data(), s.size());
  used_ += s.size();
  return std::string_view(at, s.size());
}

ViewSet::ViewSet(size_t expected) : seed_(RandomSeed()), expected_(expected) {}

uint64_t ViewSet::HashOf(std::string_view key) const {
  return Mix(std::hash<std::string_view>()(key) ^ seed_);
}

bool ViewSet::Insert(std::string_view key, StringPool& pool) {
  if (slots_.empty()) slots_.resize(SlotsFor(expected_));
  if ((count_ + 1) * 2 > slots_.size()) Grow();
  const uint64_t h = HashOf(key);
  const uint32_t tag = static_cast<uint32_t>(h >> 32);
  size_t i = static_cast<size_t>(h) & (slots_.size() - 1);
  while (slots_[i].data != nullptr) {
    const Slot& s = slots_[i];
    if (s.tag == tag && s.size == key.size() &&
        std::memcmp(s.data, key.data(), key.size()) == 0) {
      return false;
    }
    i = (i + 1) & (slots_.size() - 1);
  }
  std::string_view stored = pool.Add(key);
  // Empty strings still need a non-null marker.
  slots_[i] = Slot{stored.empty() ? "" : stored.data(),
                   static_cast<uint32_t>(key.size()), tag};
  ++count_;
  return true;
}

void ViewSet::Grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  for (const Slot& s : old) {
    if (s.data == nullptr) continue;
    const uint64_t h = HashOf(std::string_view(s.data, s.size));
    size_t i = static_cast<size_t>(h) & (slots_.size() - 1);
    while (slots_[i].data != nullptr) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = s;
  }
}

void EventIdLog::Add(std::string_view id, int64_t index) {
  auto half = [&](size_t at) {
    uint64_t v = 0;
    for (size_t i = 0; i < 8; ++i) {
      v = (v << 8) | static_cast<uint8_t>(id[at + i]);
    }
    return v;
  };
  ids_.push_back(Entry{half(0), half(8), index});
}

int64_t EventIdLog::FirstRepeat(std::string* id) {
  std::sort(ids_.begin(), ids_.end(), [](const Entry& x, const Entry& y) {
    if (x.hi != y.hi) return x.hi < y.hi;
    if (x.lo != y.lo) return x.lo < y.lo;
    return x.index < y.index;
  });
  int64_t first = -1;
  for (size_t i = 1; i < ids_.size(); ++i) {
    const Entry& e = ids_[i];
    if (e.hi == ids_[i - 1].hi && e.lo == ids_[i - 1].lo &&
        (first < 0 || e.index < first)) {
      first = e.index;
      id->clear();
      for (uint64_t half : {e.hi, e.lo}) {
        for (int k = 7; k >= 0; --k) {
          id->push_back(static_cast<char>((half >> (8 * k)) & 0xff));
        }
      }
    }
  }
  return first;
}

}  // namespace docbus::audit::internal
