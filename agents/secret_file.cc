#include "agents/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace docbus::agent {
namespace {

constexpr std::uintmax_t kMaxSmallFile = 1 << 20;

Status Errno(const std::string& what, const std::filesystem::path& path) {
  return Status(Code::kIoError,
                what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

Status WriteSecretFile(const std::filesystem::path& path,
                       std::string_view contents) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot create", tmp);
  ::fchmod(fd, 0600);
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n =
        ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno("cannot write", tmp);
      ::close(fd);
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Errno("cannot fsync", tmp);
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return Errno("cannot rename to", path);
  const std::filesystem::path dir =
      path.parent_path().empty() ? "." : path.parent_path();
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFile(const std::filesystem::path& path) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    return Status(ec == std::errc::no_such_file_or_directory ? Code::kNotFound
                                                             : Code::kIoError,
                  "cannot read " + path.string() + ": " + ec.message());
  }
  if (size > kMaxSmallFile) {
    return Status(Code::kTooLarge, path.string() + " is larger than 1 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Errno("cannot open", path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace docbus::agent
