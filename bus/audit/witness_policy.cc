#include "bus/audit/witness_policy.h"

#include <toml++/toml.h>

#include <set>
#include <utility>

#include "bus/audit/note_util.h"
#include "bus/core/files.h"

namespace docbus::audit {
namespace {

// A policy names a handful of witnesses; anything larger is not a policy.
constexpr uint64_t kMaxPolicyBytes = 1 << 20;
constexpr size_t kMaxWitnesses = 64;

Status Bad(const std::string& what) {
  return Status(Code::kInvalidArgument, "witness policy: " + what);
}

}  // namespace

std::string_view WitnessStateName(WitnessCosignature::State state) {
  switch (state) {
    case WitnessCosignature::State::kCosigned:
      return "cosigned";
    case WitnessCosignature::State::kMissing:
      return "missing";
    case WitnessCosignature::State::kForged:
      return "forged";
  }
  return "missing";
}

Result<WitnessPolicy> WitnessPolicy::Create(std::vector<WitnessKey> witnesses,
                                            int quorum) {
  if (witnesses.empty()) return Bad("no witnesses");
  if (witnesses.size() > kMaxWitnesses) {
    return Bad("more than " + std::to_string(kMaxWitnesses) + " witnesses");
  }
  if (quorum < 1 || static_cast<size_t>(quorum) > witnesses.size()) {
    return Bad("quorum " + std::to_string(quorum) + " is not in 1.." +
               std::to_string(witnesses.size()));
  }
  std::set<std::pair<std::string, uint32_t>> keys;
  for (const WitnessKey& w : witnesses) {
    if (!keys.emplace(w.verifier.name(), w.verifier.key_id()).second) {
      return Bad("witness '" + w.label + "': the key of '" +
                 w.verifier.name() + "' is listed twice");
    }
  }
  return WitnessPolicy(std::move(witnesses), quorum);
}

Result<WitnessPolicy> WitnessPolicy::Parse(std::string_view toml_text) {
  toml::table table;
  try {
    table = toml::parse(toml_text, std::string_view("witness policy"));
  } catch (const toml::parse_error& e) {
    return Bad(std::string(e.description()) + " at line " +
               std::to_string(e.source().begin.line));
  }
  const toml::table* section = table["witnesses"].as_table();
  if (section == nullptr) return Bad("no [witnesses] table");
  std::optional<int64_t> quorum = (*section)["quorum"].value<int64_t>();
  if (!quorum) return Bad("key 'witnesses.quorum': missing or not an integer");
  const toml::array* list = (*section)["witness"].as_array();
  if (list == nullptr) return Bad("no [[witnesses.witness]] entries");
  std::vector<WitnessKey> witnesses;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string where = "witnesses.witness[" + std::to_string(i) + "]";
    const toml::table* entry = list->get(i)->as_table();
    if (entry == nullptr) return Bad(where + " is not a table");
    std::optional<std::string> name = (*entry)["name"].value<std::string>();
    std::optional<std::string> vkey = (*entry)["vkey"].value<std::string>();
    if (!name || name->empty()) return Bad("key '" + where + ".name': missing");
    if (!vkey) return Bad("key '" + where + ".vkey': missing");
    for (const auto& [k, v] : *entry) {
      if (k != "name" && k != "vkey") {
        return Bad("key '" + where + "." + std::string(k.str()) +
                   "': unknown");
      }
    }
    Result<CosignatureVerifier> verifier =
        CosignatureVerifier::FromVerifierKey(TrimKeyText(*vkey));
    if (!verifier.ok()) {
      return Bad("key '" + where + ".vkey' (" + *name +
                 "): " + verifier.status().message());
    }
    witnesses.push_back(WitnessKey{*name, std::move(verifier).value()});
  }
  if (*quorum < 1 || *quorum > static_cast<int64_t>(witnesses.size())) {
    return Bad("key 'witnesses.quorum': " + std::to_string(*quorum) +
               " is not in 1.." + std::to_string(witnesses.size()));
  }
  return Create(std::move(witnesses), static_cast<int>(*quorum));
}

Result<WitnessPolicy> WitnessPolicy::Load(const std::filesystem::path& file) {
  Result<std::string> text = ReadFileLimited(file, kMaxPolicyBytes);
  if (!text.ok()) {
    return Bad(file.string() + ": " + text.status().message());
  }
  return Parse(*text);
}

WitnessCheck WitnessPolicy::Check(std::string_view signed_note) const {
  WitnessCheck check;
  check.quorum = quorum_;
  Result<SplitNote> split = SplitSignedNote(signed_note);
  for (const WitnessKey& w : witnesses_) {
    WitnessCosignature c;
    c.label = w.label;
    c.key_name = w.verifier.name();
    if (!split.ok()) {
      c.why = split.status().ToString();
      check.witnesses.push_back(std::move(c));
      continue;
    }
    bool present = false;
    for (const NoteSignatureLine& line : split->signatures) {
      present |= line.name == w.verifier.name() &&
                 line.key_id == w.verifier.key_id();
    }
    if (present) {
      Result<uint64_t> time_s = w.verifier.Verify(signed_note);
      if (time_s.ok()) {
        c.state = WitnessCosignature::State::kCosigned;
        c.time_s = *time_s;
        ++check.cosigned;
      } else {
        c.state = WitnessCosignature::State::kForged;
        c.why = time_s.status().message();
      }
    }
    check.witnesses.push_back(std::move(c));
  }
  return check;
}

}  // namespace docbus::audit
