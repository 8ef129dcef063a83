#include "agents/outbox_files.h"

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

namespace fs = std::filesystem;

constexpr size_t kCopyBufferBytes = size_t{1} << 20;
constexpr std::string_view kWriterSuffix = ".upload";

Status Errno(std::string_view what, const fs::path& path) {
  return Status(Code::kIoError, std::string(what) + " " + path.string() + ": " +
                                    std::strerror(errno));
}

Status CreateDir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return Status(Code::kIoError,
                  "cannot create " + dir.string() + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

fs::path OutboxFiles::PathOf(std::string_view sha256) const {
  return dir_ / Hex(sha256);
}

Result<std::unique_ptr<OutboxFiles::Writer>> OutboxFiles::Begin(
    uint64_t max_bytes, std::string limit_name) const {
  DOCBUS_RETURN_IF_ERROR(CreateDir(dir_));
  const fs::path path =
      dir_ / (Hex(RandomBytes16()) + std::string(kWriterSuffix));
  const int fd = ::open(path.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                        0600);
  if (fd < 0) return Errno("cannot create", path);
  return std::unique_ptr<Writer>(
      new Writer(*this, path, fd, max_bytes, std::move(limit_name)));
}

OutboxFiles::Writer::~Writer() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(path_, ec);
  }
}

Status OutboxFiles::Writer::Write(std::string_view data) {
  if (fd_ < 0) return Status(Code::kFailedPrecondition, "writer is closed");
  if (data.size() > max_bytes_ - size_) {
    ::close(fd_);
    fd_ = -1;
    return Status(Code::kTooLarge, "attachment larger than " + limit_name_ +
                                       " (" + std::to_string(max_bytes_) +
                                       " bytes)");
  }
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Errno("cannot write", path_);
    hash_.Update(data.substr(0, static_cast<size_t>(n)));
    size_ += static_cast<uint64_t>(n);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Result<StoredAttachment> OutboxFiles::Writer::Commit() {
  if (fd_ < 0) return Status(Code::kFailedPrecondition, "writer is closed");
  if (::fdatasync(fd_) != 0) return Errno("cannot sync", path_);
  ::close(fd_);
  fd_ = -1;
  StoredAttachment stored{hash_.Finish(), size_};
  // The same bytes uploaded twice: the same name, the same content.
  DOCBUS_RETURN_IF_ERROR(RenameInto(path_, files_.PathOf(stored.sha256)));
  committed_ = true;
  DOCBUS_RETURN_IF_ERROR(SyncDir(files_.dir_));
  return stored;
}

Status OutboxFiles::Writer::WriteFile(const fs::path& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  const int fd =
      ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0 && (errno == ENOENT || errno == ELOOP)) {
    return Status(errno == ENOENT ? Code::kNotFound : Code::kInvalidField,
                  path.filename().string() +
                      (errno == ENOENT ? ": missing" : ": is a symbolic link"));
  }
  if (fd < 0) return Errno("cannot open", path);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Errno("cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return Status(Code::kInvalidField,
                  path.filename().string() + ": is not a regular file");
  }
  std::string buffer(kCopyBufferBytes, '\0');
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read", path);
    if (n == 0) return Status::Ok();
    DOCBUS_RETURN_IF_ERROR(
        Write(std::string_view(buffer.data(), static_cast<size_t>(n))));
  }
}

Result<StoredAttachment> OutboxFiles::Claim(std::string_view sha256) const {
  struct stat st {};
  const fs::path path = PathOf(sha256);
  if (::utimensat(AT_FDCWD, path.c_str(), nullptr, AT_SYMLINK_NOFOLLOW) != 0 ||
      ::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return Status(Code::kNotFound, "no uploaded attachment " + Hex(sha256));
    }
    return Errno("cannot stat", path);
  }
  if (!S_ISREG(st.st_mode)) {
    return Status(Code::kIoError, path.string() + " is not a regular file");
  }
  return StoredAttachment{std::string(sha256),
                          static_cast<uint64_t>(st.st_size)};
}

Result<std::string> OutboxFiles::Read(std::string_view sha256, uint64_t offset,
                                      size_t length) const {
  const fs::path path = PathOf(sha256);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) {
    return Status(Code::kNotFound, "attachment file " + path.string() +
                                       " is missing");
  }
  if (fd < 0) return Errno("cannot open", path);
  std::string out(length, '\0');
  size_t got = 0;
  while (got < length) {
    const ssize_t n = ::pread(fd, out.data() + got, length - got,
                              static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const Status s = Errno("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

void OutboxFiles::Remove(std::string_view sha256) const {
  std::error_code ec;
  fs::remove(PathOf(sha256), ec);
}

int OutboxFiles::Sweep(const std::set<std::string>& needed,
                       int64_t before_unix_s) const {
  std::set<std::string> needed_hex;
  for (const std::string& sha : needed) needed_hex.insert(Hex(sha));
  int removed = 0;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir_, ec)) {
    struct stat st {};
    if (::lstat(e.path().c_str(), &st) != 0 || st.st_mtime >= before_unix_s) {
      continue;
    }
    const std::string name = e.path().filename().string();
    const bool leftover = e.path().extension() == kWriterSuffix;
    if (!leftover && needed_hex.contains(name)) continue;
    std::error_code rm;
    if (fs::remove(e.path(), rm)) ++removed;
  }
  return removed;
}

}  // namespace docbus::agent
