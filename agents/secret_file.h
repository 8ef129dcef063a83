// Small files the agent keeps in its data folder: secrets written with mode
// 0600 (the own log key, the API token) and small text files read whole
// (keys named in the config, checkpoints). Free functions; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus::agent {

// Writes `contents` to `path` with mode 0600 through a temporary file,
// fsync and rename, then fsyncs the folder. kIoError naming the file.
Status WriteSecretFile(const std::filesystem::path& path,
                       std::string_view contents);

// The whole file (at most 1 MiB). kNotFound if missing, kTooLarge above the
// limit, kIoError otherwise; the message names the file.
Result<std::string> ReadSmallFile(const std::filesystem::path& path);

}  // namespace docbus::agent
