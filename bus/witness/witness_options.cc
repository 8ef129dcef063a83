#include "bus/witness/witness_options.h"

#include <set>

#include "bus/audit/note_verifier.h"
#include "bus/core/http_listener.h"

namespace docbus::witness {

WitnessOptions ReadWitnessOptions(Config& config) {
  WitnessOptions o;
  o.listen = config.String("witness.listen", o.listen);
  o.data_dir = config.RequiredPath("witness.data_dir");
  o.key_file = config.RequiredPath("witness.key_file");
  o.log_level = config.String("witness.log_level", o.log_level);
  o.log_format = config.String("witness.log_format", o.log_format);
  const int64_t logs = config.TableCount("log");
  for (int64_t i = 0; i < logs; ++i) {
    o.log_keys.push_back(config.RequiredString(
        "log[" + std::to_string(i) + "].verifier_key"));
  }
  return o;
}

Status ValidateWitnessOptions(const WitnessOptions& options) {
  DOCBUS_RETURN_IF_ERROR(
      ParseHttpListen(options.listen, "witness.listen").status());
  if (options.log_level != "trace" && options.log_level != "debug" &&
      options.log_level != "info" && options.log_level != "warn" &&
      options.log_level != "error" && options.log_level != "off") {
    return Status(Code::kInvalidArgument, "key 'witness.log_level': unknown level");
  }
  if (options.log_format != "text" && options.log_format != "json") {
    return Status(Code::kInvalidArgument,
                  "key 'witness.log_format': must be text or json");
  }
  if (options.log_keys.empty()) {
    return Status(Code::kInvalidArgument,
                  "key 'log': at least one [[log]] with its verifier_key");
  }
  std::set<std::string> origins;
  for (size_t i = 0; i < options.log_keys.size(); ++i) {
    const std::string key = "key 'log[" + std::to_string(i) + "].verifier_key'";
    auto verifier = audit::NoteVerifier::FromVerifierKey(options.log_keys[i]);
    if (!verifier.ok()) {
      return Status(Code::kInvalidArgument,
                    key + ": " + verifier.status().message());
    }
    if (!origins.insert(verifier->name()).second) {
      return Status(Code::kInvalidArgument,
                    key + ": a second log of origin '" + verifier->name() + "'");
    }
  }
  return Status::Ok();
}

}  // namespace docbus::witness
