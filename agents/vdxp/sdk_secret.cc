#include "agents/vdxp/sdk_secret.h"

#include <sys/stat.h>

#include <cstdio>

#include "bus/core/files.h"

namespace docbus::agent::vdxp {

Result<std::string> ReadSdkSecret(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return Status(Code::kInvalidArgument,
                  file.string() + ": cannot be read (missing?)");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o",
                  static_cast<unsigned>(st.st_mode & 07777));
    return Status(Code::kInvalidArgument,
                  file.string() + " has mode " + mode +
                      ": the secret must be readable by its owner only "
                      "(chmod 600)");
  }
  Result<std::string> text = ReadFileLimited(file, kMaxSecretBytes + 2);
  if (!text.ok()) {
    return Status(Code::kInvalidArgument,
                  file.string() + ": " + text.status().message());
  }
  std::string secret = std::move(text).value();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
    secret.pop_back();
  }
  if (secret.empty()) {
    return Status(Code::kInvalidArgument, file.string() + " is empty");
  }
  if (secret.size() > kMaxSecretBytes) {
    return Status(Code::kInvalidArgument, file.string() + ": longer than " +
                                              std::to_string(kMaxSecretBytes) +
                                              " bytes");
  }
  return secret;
}

}  // namespace docbus::agent::vdxp
