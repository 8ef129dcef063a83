#include "agents/drop_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agents/agent_metrics.h"
#include "bus/core/chunks.h"

namespace docbus::agent {
namespace {

namespace fs = std::filesystem;

Status IoError(const std::string& what, const fs::path& path, int err) {
  return Status(Code::kIoError,
                what + " " + path.string() + ": " + std::strerror(err));
}

// Closes on every path out of a function.
// Copies go a slice at a time: memory stays flat for any file size.
constexpr size_t kCopyBytes = size_t{1} << 20;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now, reporting the error close(2) may carry for buffered writes.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

}  // namespace

Status WriteFileSynced(const fs::path& path, std::string_view data) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoError("cannot create", path, errno);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot write", path, errno);
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return IoError("cannot fsync", path, errno);
  if (fd.Close() != 0) return IoError("cannot close", path, errno);
  return Status::Ok();
}

Status CopyFileSynced(const fs::path& from, const fs::path& to) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (in.get() < 0) return IoError("cannot open", from, errno);
  Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (out.get() < 0) return IoError("cannot create", to, errno);
  std::string buffer(kCopyBytes, '\0');
  while (true) {
    const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read", from, errno);
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out.get(), buffer.data() + done,
                                static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return IoError("cannot write", to, errno);
      done += w;
    }
  }
  if (::fsync(out.get()) != 0) return IoError("cannot fsync", to, errno);
  if (out.Close() != 0) return IoError("cannot close", to, errno);
  return Status::Ok();
}

Status SyncDir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return IoError("cannot open", dir, errno);
  if (::fsync(fd.get()) != 0) return IoError("cannot fsync", dir, errno);
  return Status::Ok();
}

Status RenameInto(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) == 0) return Status::Ok();
  if (errno == EEXIST || errno == ENOTEMPTY) {
    return Status(Code::kAlreadyExists, to.string() + " exists");
  }
  return IoError("cannot rename to " + to.string() + " from", from, errno);
}

Result<std::string> ReadRegularFile(const fs::path& path, size_t max_bytes) {
  const std::string name = path.filename().string();
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status(Code::kNotFound, name + ": missing");
    if (errno == ELOOP) {
      return Status(Code::kInvalidField, name + ": is a symbolic link");
    }
    return IoError("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return IoError("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return Status(Code::kInvalidField, name + ": is not a regular file");
  }
  const Status too_large(
      Code::kTooLarge,
      name + ": larger than " + std::to_string(max_bytes) + " bytes");
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return too_large;
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot read", path, errno);
    if (n == 0) break;
    // The file may grow while it is read.
    if (out.size() + static_cast<size_t>(n) > max_bytes) return too_large;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

bool PathExists(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsDirectory(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

AttachmentFiles DropFolderFiles(AgentService& service, const fs::path& dir) {
  return [&service, dir](const std::string& name, AttachmentInput* a) -> Status {
    const fs::path path = dir / name;
    std::error_code ec;
    const uintmax_t size = fs::file_size(path, ec);
    if (ec || size <= kChunkedAbove) {
      DOCBUS_ASSIGN_OR_RETURN(a->data, ReadRegularFile(path, kChunkedAbove));
      return Status::Ok();
    }
    DOCBUS_ASSIGN_OR_RETURN(std::unique_ptr<OutboxFiles::Writer> writer,
                            service.BeginAttachment());
    DOCBUS_RETURN_IF_ERROR(writer->WriteFile(path));
    DOCBUS_ASSIGN_OR_RETURN(StoredAttachment stored, writer->Commit());
    service.metrics().Add(metric::kAttachmentBytesUploaded, "",
                          static_cast<double>(stored.size));
    a->uploaded_sha256 = std::move(stored.sha256);
    return Status::Ok();
  };
}

}  // namespace docbus::agent
