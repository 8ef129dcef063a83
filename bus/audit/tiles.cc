#include "bus/audit/tiles.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <system_error>

#include "bus/audit/merkle.h"
#include "bus/core/files.h"

namespace docbus::audit {
namespace {

// Calls `write(n, width)` for each tile (or bundle) of a level that differs
// between a level of `old_count` and of `new_count` hashes (or entries): the
// tiles that completed and the partial tile of the new count.
Status ForEachChangedTile(
    int64_t old_count, int64_t new_count,
    const std::function<Status(int64_t n, int64_t width)>& write) {
  if (new_count == old_count) return Status::Ok();
  for (int64_t n = old_count / kTileWidth; n * kTileWidth < new_count; ++n) {
    DOCBUS_RETURN_IF_ERROR(
        write(n, std::min(kTileWidth, new_count - n * kTileWidth)));
  }
  return Status::Ok();
}

using FileSink = std::function<Status(TileFile file)>;

Status CollectLevel(LogStorage& storage, int level, uint64_t old_size,
                    uint64_t new_size, const FileSink& sink) {
  const int shift = level * kTileHeight;
  return ForEachChangedTile(
      static_cast<int64_t>(old_size >> shift),
      static_cast<int64_t>(new_size >> shift),
      [&](int64_t n, int64_t width) -> Status {
        std::vector<int64_t> indexes(static_cast<size_t>(width));
        for (int64_t i = 0; i < width; ++i) {
          indexes[i] = StoredHashIndex(shift, n * kTileWidth + i);
        }
        DOCBUS_ASSIGN_OR_RETURN(std::vector<Hash> hashes,
                                storage.ReadHashes(indexes));
        if (static_cast<int64_t>(hashes.size()) != width) {
          return Status(Code::kCorruption,
                        "audit storage returned too few hashes");
        }
        std::string tile;
        tile.reserve(static_cast<size_t>(width) * 32);
        for (const Hash& h : hashes) {
          tile.append(reinterpret_cast<const char*>(h.data()), h.size());
        }
        return sink(
            {TilePath(level, n, static_cast<int>(width)), std::move(tile)});
      });
}

Status CollectEntries(LogStorage& storage, uint64_t old_size, uint64_t new_size,
                      const FileSink& sink) {
  return ForEachChangedTile(
      static_cast<int64_t>(old_size), static_cast<int64_t>(new_size),
      [&](int64_t n, int64_t width) -> Status {
        const int64_t begin = n * kTileWidth;
        DOCBUS_ASSIGN_OR_RETURN(std::vector<std::string> entries,
                                storage.ReadEntries(begin, begin + width));
        DOCBUS_ASSIGN_OR_RETURN(std::string bundle, FormatEntryBundle(entries));
        return sink(
            {EntriesPath(n, static_cast<int>(width)), std::move(bundle)});
      });
}

// Hands `sink` every file of the publication, in order, the checkpoint last.
Status ForEachTileFile(LogStorage& storage, uint64_t old_size,
                       uint64_t new_size, std::string_view signed_checkpoint,
                       const FileSink& sink) {
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
  DOCBUS_RETURN_IF_ERROR(CollectEntries(storage, old_size, new_size, sink));
  for (int level = 0; level < 8 && (new_size >> (level * kTileHeight)) > 0;
       ++level) {
    DOCBUS_RETURN_IF_ERROR(
        CollectLevel(storage, level, old_size, new_size, sink));
  }
  return sink({"checkpoint", std::string(signed_checkpoint)});
}

}  // namespace

std::string TileIndexPath(int64_t n) {
  std::string out;
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
  return docbus::WriteFileAtomically(path, contents, 0644);
}

Status PublishTiles(LogStorage& storage, uint64_t old_size, uint64_t new_size,
                    std::string_view signed_checkpoint,
                    const std::filesystem::path& dir) {
  // Each write syncs its file and folder, so the tiles are durable before
  // the checkpoint that refers to them appears.
  return ForEachTileFile(
      storage, old_size, new_size, signed_checkpoint, [&](TileFile file) {
        return WriteFileAtomically(dir / file.path, file.contents);
      });
}

Result<std::vector<TileFile>> CollectTiles(LogStorage& storage,
                                           uint64_t old_size, uint64_t new_size,
                                           std::string_view signed_checkpoint) {
  std::vector<TileFile> files;
  DOCBUS_RETURN_IF_ERROR(ForEachTileFile(storage, old_size, new_size,
                                         signed_checkpoint, [&](TileFile file) {
                                           files.push_back(std::move(file));
                                           return Status::Ok();
                                         }));
  return files;
}

Status WriteTiles(const std::vector<TileFile>& files,
                  const std::filesystem::path& dir) {
  for (const TileFile& file : files) {
    DOCBUS_RETURN_IF_ERROR(WriteFileAtomically(dir / file.path, file.contents));
  }
  return Status::Ok();
}

}  // namespace docbus::audit
