#include "bus/audit/tiles.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

#include "bus/audit/merkle.h"
#include "bus/core/ids.h"

namespace docbus::audit {
namespace {

Status IoError(const char* what, const std::filesystem::path& path, int err) {
  return Status(Code::kIoError, std::string(what) + " " + path.string() + ": " +
                                    std::strerror(err));
}

// The same with the current errno; nothing before the call touches errno.
Status LastIoError(const char* what, const std::filesystem::path& path) {
  return IoError(what, path, errno);
}

Status FsyncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return LastIoError("opening folder", dir);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("syncing folder", dir, err);
  return Status::Ok();
}

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& p) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return LastIoError("writing", p);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Writes the tiles of one level that changed between the two sizes, noting
// the folders touched.
Status PublishLevel(LogStorage& storage, int level, uint64_t old_size,
                    uint64_t new_size, const std::filesystem::path& dir,
                    std::set<std::filesystem::path>* folders) {
  const int shift = level * kTileHeight;
  const int64_t old_count = static_cast<int64_t>(old_size >> shift);
  const int64_t new_count = static_cast<int64_t>(new_size >> shift);
  if (new_count == old_count) return Status::Ok();
  for (int64_t n = old_count / kTileWidth; n * kTileWidth < new_count; ++n) {
    const int64_t width = std::min(kTileWidth, new_count - n * kTileWidth);
    std::vector<int64_t> indexes(static_cast<size_t>(width));
    for (int64_t i = 0; i < width; ++i) {
      indexes[i] = StoredHashIndex(shift, n * kTileWidth + i);
    }
    DOCBUS_ASSIGN_OR_RETURN(std::vector<Hash> hashes,
                            storage.ReadHashes(indexes));
    if (static_cast<int64_t>(hashes.size()) != width) {
      return Status(Code::kCorruption, "audit storage returned too few hashes");
    }
    std::string tile;
    tile.reserve(static_cast<size_t>(width) * 32);
    for (const Hash& h : hashes) {
      tile.append(reinterpret_cast<const char*>(h.data()), h.size());
    }
    std::filesystem::path path =
        dir / TilePath(level, n, static_cast<int>(width));
    DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(path, tile));
    folders->insert(path.parent_path());
  }
  return Status::Ok();
}

Status PublishEntries(LogStorage& storage, uint64_t old_size, uint64_t new_size,
                      const std::filesystem::path& dir,
                      std::set<std::filesystem::path>* folders) {
  const int64_t old_count = static_cast<int64_t>(old_size);
  const int64_t new_count = static_cast<int64_t>(new_size);
  if (new_count == old_count) return Status::Ok();
  for (int64_t n = old_count / kTileWidth; n * kTileWidth < new_count; ++n) {
    const int64_t begin = n * kTileWidth;
    const int64_t width = std::min(kTileWidth, new_count - begin);
    DOCBUS_ASSIGN_OR_RETURN(std::vector<std::string> entries,
                            storage.ReadEntries(begin, begin + width));
    DOCBUS_ASSIGN_OR_RETURN(std::string bundle, FormatEntryBundle(entries));
    std::filesystem::path path = dir / EntriesPath(n, static_cast<int>(width));
    DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(path, bundle));
    folders->insert(path.parent_path());
  }
  return Status::Ok();
}

}  // namespace

std::string TileIndexPath(int64_t n) {
  std::string out;
  std::string groups;
  // Three-digit groups from the right; all but the last get an "x".
  std::vector<int> parts;
  do {
    parts.push_back(static_cast<int>(n % 1000));
    n /= 1000;
  } while (n > 0);
  for (size_t i = parts.size(); i-- > 0;) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "%s%03d", i > 0 ? "x" : "", parts[i]);
    if (!out.empty()) out.push_back('/');
    out += buf;
  }
  return out;
}

std::string TilePath(int level, int64_t n, int width) {
  std::string path = "tile/" + std::to_string(level) + "/" + TileIndexPath(n);
  if (width > 0 && width < kTileWidth) path += ".p/" + std::to_string(width);
  return path;
}

std::string EntriesPath(int64_t n, int width) {
  std::string path = "tile/entries/" + TileIndexPath(n);
  if (width > 0 && width < kTileWidth) path += ".p/" + std::to_string(width);
  return path;
}

Result<std::string> FormatEntryBundle(const std::vector<std::string>& entries) {
  size_t total = 0;
  for (const std::string& e : entries) total += 2 + e.size();
  std::string bundle;
  bundle.reserve(total);
  for (const std::string& e : entries) {
    if (e.size() > 65535) {
      return Status(Code::kTooLarge, "entry of " + std::to_string(e.size()) +
                                         " bytes does not fit a bundle");
    }
    bundle.push_back(static_cast<char>(e.size() >> 8));
    bundle.push_back(static_cast<char>(e.size() & 0xff));
    bundle += e;
  }
  return bundle;
}

Status ParseEntryBundle(std::string_view bundle,
                        std::vector<std::string_view>* out) {
  while (!bundle.empty()) {
    if (bundle.size() < 2) {
      return Status(Code::kMalformed, "entry bundle ends inside a length");
    }
    size_t len = (static_cast<size_t>(static_cast<uint8_t>(bundle[0])) << 8) |
                 static_cast<uint8_t>(bundle[1]);
    if (bundle.size() - 2 < len) {
      return Status(Code::kMalformed, "entry bundle ends inside an entry");
    }
    out->push_back(bundle.substr(2, len));
    bundle.remove_prefix(2 + len);
  }
  return Status::Ok();
}

Status WriteFileAtomically(const std::filesystem::path& path,
                           std::string_view contents) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) {
    return Status(
        Code::kIoError,
        "creating folder " + path.parent_path().string() + ": " + ec.message());
  }
  std::filesystem::path tmp = path;
  tmp += ".tmp-" + Hex(RandomBytes16()).substr(0, 12);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return LastIoError("creating", tmp);
  Status written = WriteAll(fd, contents, tmp);
  if (written.ok() && ::fsync(fd) != 0) written = LastIoError("syncing", tmp);
  if (::close(fd) != 0 && written.ok()) written = LastIoError("closing", tmp);
  if (written.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    written = LastIoError("renaming into", path);
  }
  if (!written.ok()) ::unlink(tmp.c_str());
  return written;
}

Status PublishTiles(LogStorage& storage, uint64_t old_size, uint64_t new_size,
                    std::string_view signed_checkpoint,
                    const std::filesystem::path& dir) {
  if (old_size > new_size) {
    return Status(Code::kInvalidArgument,
                  "tiles cannot shrink from " + std::to_string(old_size) +
                      " to " + std::to_string(new_size));
  }
  DOCBUS_ASSIGN_OR_RETURN(int64_t stored, storage.Size());
  if (new_size > static_cast<uint64_t>(stored)) {
    return Status(Code::kInvalidArgument,
                  "tiles for " + std::to_string(new_size) +
                      " entries but the log holds " + std::to_string(stored));
  }
  std::set<std::filesystem::path> folders;
  DOCBUS_RETURN_IF_ERROR(
      PublishEntries(storage, old_size, new_size, dir, &folders));
  for (int level = 0; level < 8 && (new_size >> (level * kTileHeight)) > 0;
       ++level) {
    DOCBUS_RETURN_IF_ERROR(
        PublishLevel(storage, level, old_size, new_size, dir, &folders));
  }
  // Tiles are durable before the checkpoint that refers to them appears.
  for (const auto& folder : folders) DOCBUS_RETURN_IF_ERROR(FsyncDir(folder));
  DOCBUS_RETURN_IF_ERROR(
      WriteFileAtomically(dir / "checkpoint", signed_checkpoint));
  return FsyncDir(dir);
}

}  // namespace docbus::audit
