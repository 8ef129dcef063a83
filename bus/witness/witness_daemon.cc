#include "bus/witness/witness_daemon.h"

#include <sys/stat.h>

#include "bus/core/files.h"
#include "bus/core/log.h"

namespace docbus::witness {

Result<std::unique_ptr<WitnessDaemon>> WitnessDaemon::Start(
    const WitnessOptions& options, const Clock& clock) {
  struct stat st {};
  if (::stat(options.key_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    return Status(Code::kInvalidArgument,
                  "key file " + options.key_file.string() +
                      " is readable by others (chmod 600 it)");
  }
  DOCBUS_ASSIGN_OR_RETURN(std::string key_text,
                          ReadFileLimited(options.key_file, 4096));
  Result<audit::Cosigner> cosigner = audit::Cosigner::FromKey(key_text);
  if (!cosigner.ok()) {
    return Status(Code::kInvalidArgument,
                  "key file " + options.key_file.string() + ": " +
                      cosigner.status().message());
  }
  std::map<std::string, audit::NoteVerifier> logs;
  for (const std::string& vkey : options.log_keys) {
    DOCBUS_ASSIGN_OR_RETURN(audit::NoteVerifier verifier,
                            audit::NoteVerifier::FromVerifierKey(vkey));
    logs.emplace(verifier.name(), std::move(verifier));
  }
  std::unique_ptr<WitnessDaemon> d(new WitnessDaemon());
  DOCBUS_RETURN_IF_ERROR(MakeDirectory(options.data_dir, 0750));
  DOCBUS_ASSIGN_OR_RETURN(d->store_,
                          OpenSqliteWitnessStore(options.data_dir / "witness.db"));
  d->witness_ = std::make_unique<Witness>(std::move(*cosigner), std::move(logs),
                                          *d->store_, clock, d->metrics_);
  DOCBUS_RETURN_IF_ERROR(d->witness_->Init());
  DOCBUS_ASSIGN_OR_RETURN(
      d->http_, WitnessHttp::Start(options.listen, *d->witness_, d->metrics_));
  ComponentLogger("witness")->info(
      "witness '{}' serving on {} for {} log(s)", d->witness_->cosigner().name(),
      d->http_->url(), options.log_keys.size());
  return d;
}

}  // namespace docbus::witness
