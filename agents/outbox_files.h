// OutboxFiles: the sending agent's attachment bytes kept as files while
// their documents travel, under <data_dir>/outbox-files/, named by the
// lowercase hex SHA-256 of their bytes (one name is one content; a
// committed file never changes). An attachment uploaded by a caller
// (POST /v1/attachments, a multipart part, a large drop-folder file) is
// streamed into "<random>.upload" through a Writer, hashed as it is
// written; Commit fsyncs it, renames it to its digest and fsyncs the folder,
// so a document that refers to it in the outbox finds it after any crash.
// The outbox's chunked uploads to the broker read it a chunk at a time
// (AttachmentUpload). Files are removed once no pending document needs them
// and they are older than an upload's lifetime (Sweep), or at once when the
// broker has answered their last document. Layout: agents/README.md
// ("Outbox files").
//
// Thread-safety: the object is immutable and thread-safe; one Writer per
// thread. Errors: kIoError with the path and strerror text; kTooLarge from
// Write past the limit, naming it; kNotFound for a missing file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "bus/core/status.h"
#include "bus/crypto/sha256.h"

namespace docbus::agent {

// An attachment held in the outbox files.
struct StoredAttachment {
  std::string sha256;  // 32 raw bytes: the file's name, in hex
  uint64_t size = 0;
};

class OutboxFiles {
 public:
  explicit OutboxFiles(const std::filesystem::path& data_dir)
      : dir_(data_dir / "outbox-files") {}

  // The bytes of one new attachment, written in order, at most max_bytes.
  class Writer {
   public:
    ~Writer();  // removes the file unless committed
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    uint64_t size() const { return size_; }
    // kTooLarge "<limit_name> is <max_bytes> bytes" past the limit (the
    // bytes are then abandoned).
    Status Write(std::string_view data);
    // Streams the regular file `path` (not a symlink, not a FIFO) in.
    Status WriteFile(const std::filesystem::path& path);
    // Makes the bytes durable under their digest's name.
    Result<StoredAttachment> Commit();

   private:
    friend class OutboxFiles;
    Writer(const OutboxFiles& files, std::filesystem::path path, int fd,
           uint64_t max_bytes, std::string limit_name)
        : files_(files),
          path_(std::move(path)),
          fd_(fd),
          max_bytes_(max_bytes),
          limit_name_(std::move(limit_name)) {}
    const OutboxFiles& files_;
    const std::filesystem::path path_;
    int fd_;
    const uint64_t max_bytes_;
    const std::string limit_name_;
    uint64_t size_ = 0;
    bool committed_ = false;
    crypto::Sha256Stream hash_;
  };

  // A writer for a new attachment of at most `max_bytes`; `limit_name` is
  // the configuration key a refusal names.
  Result<std::unique_ptr<Writer>> Begin(uint64_t max_bytes,
                                        std::string limit_name) const;
  // The committed attachment of digest `sha256` (32 raw bytes), marked as
  // just used (its mtime), so that Sweep keeps it another lifetime while
  // the document that now refers to it is committed: kNotFound.
  Result<StoredAttachment> Claim(std::string_view sha256) const;
  // Up to `length` bytes of it from `offset` ("" at the end).
  Result<std::string> Read(std::string_view sha256, uint64_t offset,
                           size_t length) const;
  // Removes the committed file of `sha256` (best effort).
  void Remove(std::string_view sha256) const;
  // Removes committed files not in `needed` and writers' leftovers, both
  // last modified before `before_unix_s`; how many.
  int Sweep(const std::set<std::string>& needed, int64_t before_unix_s) const;

  std::filesystem::path PathOf(std::string_view sha256) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  const std::filesystem::path dir_;
};

}  // namespace docbus::agent
