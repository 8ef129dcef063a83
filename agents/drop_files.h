// Durable file operations for the agent's file-based front end (the drop
// folder and the attachment files it reads): whole-file writes that are
// fsynced, directory fsyncs, renames that never replace, and bounded reads
// that refuse anything but a regular file; and where a submission's attachment
// files go (DropFolderFiles). POSIX errors become kIoError with the path and
// strerror text. Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "agents/agent_service.h"
#include "agents/json_codec.h"
#include "bus/core/status.h"

namespace docbus::agent {

// Creates or truncates `path`, writes `data`, fsyncs, closes.
Status WriteFileSynced(const std::filesystem::path& path,
                       std::string_view data);

// Copies `from` (a regular file, not a symlink) into a new or truncated
// `to`, 1 MiB at a time, and fsyncs it.
Status CopyFileSynced(const std::filesystem::path& from,
                      const std::filesystem::path& to);

// fsyncs a directory, so the names created or renamed in it are durable.
Status SyncDir(const std::filesystem::path& dir);

// rename(2); kAlreadyExists when `to` is a non-empty directory.
Status RenameInto(const std::filesystem::path& from,
                  const std::filesystem::path& to);

// The bytes of a regular file of at most max_bytes. kNotFound "<name>:
// missing"; kInvalidField "<name>: is a symbolic link" / "is not a regular
// file" (a FIFO would block the reader); kTooLarge over max_bytes.
Result<std::string> ReadRegularFile(const std::filesystem::path& path,
                                    size_t max_bytes);

// Where a drop-folder submission's "file" attachments are read from: its
// folder `dir`. Up to kChunkedAbove a file is read into memory; a larger one
// is streamed into the agent's outbox files (AgentService::BeginAttachment),
// never held whole. For json_codec's DocumentRequestFromJson.
AttachmentFiles DropFolderFiles(AgentService& service,
                                const std::filesystem::path& dir);

// lstat-based: a symlink counts as existing and is not a directory.
bool PathExists(const std::filesystem::path& path);
bool IsDirectory(const std::filesystem::path& path);

}  // namespace docbus::agent
