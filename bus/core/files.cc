#include "bus/core/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bus/core/ids.h"

namespace docbus {

Status IoError(std::string_view what, const std::filesystem::path& file,
               int err) {
  return Status(Code::kIoError, std::string(what) + " " + file.string() + ": " +
                                    std::strerror(err));
}

namespace {

Status SyncDirectory(const std::filesystem::path& dir) {
  const int fd =
      ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError("cannot open folder", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("cannot fsync folder", dir, err);
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadFileLimited(const std::filesystem::path& file,
                                    uint64_t max_bytes) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return Status(Code::kNotFound, "no such file " + file.string());
    }
    return IoError("cannot open", file, err);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return IoError("cannot stat", file, err);
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Status(Code::kTooLarge, file.string() + " is larger than " +
                                       std::to_string(max_bytes) + " bytes");
  }
  std::string data;
  char buf[16384];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return IoError("cannot read", file, err);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
    if (data.size() > max_bytes) {
      ::close(fd);
      return Status(Code::kTooLarge, file.string() + " grew past " +
                                         std::to_string(max_bytes) + " bytes");
    }
  }
  ::close(fd);
  return data;
}

Status WriteFileAtomically(const std::filesystem::path& file,
                           std::string_view data, mode_t mode) {
  const std::filesystem::path tmp =
      file.parent_path() / ("." + file.filename().string() + ".tmp-" +
                            Hex(RandomBytes16()).substr(0, 12));
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return IoError("cannot create", tmp, errno);
  auto fail = [&](const std::string& what, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return IoError(what, tmp, err);
  };
  // The umask may have narrowed `mode`; private keys rely on the exact bits.
  if (::fchmod(fd, mode) != 0) return fail("cannot chmod", errno);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write", errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot fsync", errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError("cannot close", tmp, err);
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError("cannot rename onto", file, err);
  }
  return SyncDirectory(file.parent_path());
}

Status MakeDirectory(const std::filesystem::path& dir, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status(Code::kIoError,
                  "cannot create folder " + dir.string() + ": " + ec.message());
  }
  if (::chmod(dir.c_str(), mode) != 0)
    return IoError("cannot chmod", dir, errno);
  return Status::Ok();
}

}  // namespace docbus
