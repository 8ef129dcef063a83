// AttachmentFileStore (agents/attachment_files.h): attachment bytes kept as
// files, content-addressed, under <data_dir>/attachments/: the file of an
// attachment is named by the lowercase hex SHA-256 of its bytes, so one name is
// one content and a file once committed never changes. Bytes arrive through a
// Writer into
// "<sha256 hex>.part" (hashed as they are written); Commit checks the digest,
// fsyncs the file, renames it to its final name and fsyncs the folder. A
// partial file may be taken up again after a crash (Resume): it is cut back
// to the offset the caller recorded as durable and its bytes are hashed
// again. The format is described in agents/README.md ("Inbox files").
//
// This is the receiving agent's minimal version (the inbox); the sending
// half has the same interface (branch large-send).
//
// Thread-safety: the object is immutable and thread-safe; one Writer or
// Reader per thread. Errors: kIoError with the path and strerror text;
// kDigestMismatch from Commit; kNotFound from Open for a missing file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "bus/core/status.h"
#include "bus/crypto/sha256.h"

namespace docbus::agent {

class AttachmentFileStore {
 public:
  explicit AttachmentFileStore(const std::filesystem::path& data_dir)
      : dir_(data_dir / "attachments") {}

  // Bytes of one attachment whose SHA-256 is known in advance (the signed
  // manifest's), written in order.
  class Writer {
   public:
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    uint64_t offset() const { return offset_; }
    Status Write(std::string_view data);
    // fsyncs what was written: offset() is then durable.
    Status Sync();
    // Checks the digest, makes the file durable under its final name. On a
    // mismatch the partial file is removed (kDigestMismatch).
    Status Commit();
    // Removes the partial file.
    void Abandon();

   private:
    friend class AttachmentFileStore;
    Writer(const AttachmentFileStore& files, std::string sha256, int fd,
           uint64_t offset)
        : files_(files), sha256_(std::move(sha256)), fd_(fd), offset_(offset) {}
    const AttachmentFileStore& files_;
    const std::string sha256_;  // the expected 32 raw bytes
    int fd_;
    uint64_t offset_;
    crypto::Sha256Stream hash_;
  };

  // A committed file, read from an offset on.
  class Reader {
   public:
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;
    uint64_t size() const { return size_; }
    // Up to `max_bytes` from the current position ("" at the end).
    Result<std::string> Read(size_t max_bytes);

   private:
    friend class AttachmentFileStore;
    Reader(int fd, uint64_t size, std::filesystem::path path)
        : fd_(fd), size_(size), path_(std::move(path)) {}
    int fd_;
    uint64_t size_;
    std::filesystem::path path_;
  };

  // A writer for the attachment of digest `sha256` (32 raw bytes), starting
  // at `offset` of its partial file: 0 starts anew; more takes up the bytes
  // already there (the file is cut back to `offset`; kIoError when shorter).
  Result<std::unique_ptr<Writer>> Begin(std::string_view sha256,
                                        uint64_t offset = 0) const;
  // The committed file of `sha256`, positioned at `offset`.
  Result<std::unique_ptr<Reader>> Open(std::string_view sha256,
                                       uint64_t offset = 0) const;
  // The same for a file named by PathOf (as the inbox views give it).
  static Result<std::unique_ptr<Reader>> OpenFile(
      const std::filesystem::path& path, uint64_t offset = 0);
  // Whether a committed file of `sha256` with `size` bytes is there.
  bool Has(std::string_view sha256, uint64_t size) const;
  // Removes the committed and partial files of `sha256` (best effort).
  void Remove(std::string_view sha256) const;

  std::filesystem::path PathOf(std::string_view sha256) const;
  std::filesystem::path PartialPathOf(std::string_view sha256) const;

 private:
  const std::filesystem::path dir_;
};

}  // namespace docbus::agent
