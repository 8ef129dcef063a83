#include "agents/attachment_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "agents/drop_files.h"
#include "bus/core/ids.h"

namespace docbus::agent {
namespace {

constexpr size_t kHashBufferBytes = size_t{1} << 20;

Status Errno(std::string_view what, const std::filesystem::path& path) {
  return Status(Code::kIoError, std::string(what) + " " + path.string() + ": " +
                                    std::strerror(errno));
}

}  // namespace

std::filesystem::path AttachmentFileStore::PathOf(
    std::string_view sha256) const {
  return dir_ / Hex(sha256);
}

std::filesystem::path AttachmentFileStore::PartialPathOf(
    std::string_view sha256) const {
  return dir_ / (Hex(sha256) + ".part");
}

Result<std::unique_ptr<AttachmentFileStore::Writer>> AttachmentFileStore::Begin(
    std::string_view sha256, uint64_t offset) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return Status(Code::kIoError,
                  "cannot create " + dir_.string() + ": " + ec.message());
  }
  const std::filesystem::path path = PartialPathOf(sha256);
  const int fd =
      ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Errno("cannot open", path);
  std::unique_ptr<Writer> writer(
      new Writer(*this, std::string(sha256), fd, offset));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Errno("cannot stat", path);
  if (static_cast<uint64_t>(st.st_size) < offset) {
    return Status(Code::kIoError, path.string() + ": shorter than " +
                                      std::to_string(offset) + " bytes");
  }
  if (::ftruncate(fd, static_cast<off_t>(offset)) != 0) {
    return Errno("cannot truncate", path);
  }
  // The bytes already there count towards the digest.
  std::string buffer(kHashBufferBytes, '\0');
  for (uint64_t done = 0; done < offset;) {
    const ssize_t n =
        ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(done));
    if (n <= 0) return Errno("cannot read", path);
    writer->hash_.Update(
        std::string_view(buffer.data(), static_cast<size_t>(n)));
    done += static_cast<uint64_t>(n);
  }
  if (::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return Errno("cannot seek", path);
  }
  return writer;
}

AttachmentFileStore::Writer::~Writer() {
  if (fd_ >= 0) ::close(fd_);
}

Status AttachmentFileStore::Writer::Write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("cannot write", files_.PartialPathOf(sha256_));
    hash_.Update(data.substr(0, static_cast<size_t>(n)));
    offset_ += static_cast<uint64_t>(n);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status AttachmentFileStore::Writer::Sync() {
  if (::fdatasync(fd_) != 0) {
    return Errno("cannot sync", files_.PartialPathOf(sha256_));
  }
  return Status::Ok();
}

Status AttachmentFileStore::Writer::Commit() {
  if (hash_.Finish() != sha256_) {
    Abandon();
    return Status(Code::kDigestMismatch,
                  "attachment bytes do not match the manifest's SHA-256");
  }
  DOCBUS_RETURN_IF_ERROR(Sync());
  ::close(fd_);
  fd_ = -1;
  DOCBUS_RETURN_IF_ERROR(
      RenameInto(files_.PartialPathOf(sha256_), files_.PathOf(sha256_)));
  return SyncDir(files_.dir_);
}

void AttachmentFileStore::Writer::Abandon() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  std::filesystem::remove(files_.PartialPathOf(sha256_), ec);
}

Result<std::unique_ptr<AttachmentFileStore::Reader>> AttachmentFileStore::Open(
    std::string_view sha256, uint64_t offset) const {
  return OpenFile(PathOf(sha256), offset);
}

Result<std::unique_ptr<AttachmentFileStore::Reader>>
AttachmentFileStore::OpenFile(const std::filesystem::path& path,
                              uint64_t offset) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) {
    return Status(Code::kNotFound,
                  "attachment file " + path.string() + " is missing");
  }
  if (fd < 0) return Errno("cannot open", path);
  std::unique_ptr<Reader> reader(new Reader(fd, 0, path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Errno("cannot stat", path);
  reader->size_ = static_cast<uint64_t>(st.st_size);
  if (offset > reader->size_ ||
      ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return Status(Code::kInvalidField, "offset " + std::to_string(offset) +
                                           " beyond " + path.string());
  }
  return reader;
}

AttachmentFileStore::Reader::~Reader() { ::close(fd_); }

Result<std::string> AttachmentFileStore::Reader::Read(size_t max_bytes) {
  std::string out(max_bytes, '\0');
  ssize_t n;
  do {
    n = ::read(fd_, out.data(), out.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Errno("cannot read", path_);
  out.resize(static_cast<size_t>(n));
  return out;
}

bool AttachmentFileStore::Has(std::string_view sha256, uint64_t size) const {
  std::error_code ec;
  const uint64_t on_disk = std::filesystem::file_size(PathOf(sha256), ec);
  return !ec && on_disk == size;
}

void AttachmentFileStore::Remove(std::string_view sha256) const {
  std::error_code ec;
  std::filesystem::remove(PathOf(sha256), ec);
  std::filesystem::remove(PartialPathOf(sha256), ec);
}

}  // namespace docbus::agent
