// Whole-file reads with a size bound, and crash-safe whole-file writes, for
// small files: PKI material, keys, tiles, configs written by tools.
// A write goes to a temporary file in the same folder, is fsync'ed, renamed
// over the target, and the folder is fsync'ed: a reader sees the old file or
// the new one, never a torn one. Stateless; safe from any thread (two writers
// of the same path race, last rename wins).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "bus/core/status.h"

namespace docbus {

// kIoError "<what> <file>: <errno text>", e.g. IoError("cannot open", f,
// errno).
Status IoError(std::string_view what, const std::filesystem::path& file,
               int err);

// The file's bytes. kNotFound when it does not exist, kTooLarge when it is
// over `max_bytes`, kIoError on any other failure; messages name the file.
Result<std::string> ReadFileLimited(const std::filesystem::path& file,
                                    uint64_t max_bytes);

// Replaces `file` with `data`, created with permission bits `mode` (0600 for
// private keys). On failure the old file, if any, is left as it was and the
// temporary file is removed; kIoError names the file and errno text.
Status WriteFileAtomically(const std::filesystem::path& file,
                           std::string_view data, mode_t mode = 0644);

// Creates `dir` (and parents) if missing and sets its mode. kIoError on
// failure.
Status MakeDirectory(const std::filesystem::path& dir, mode_t mode = 0755);

}  // namespace docbus
