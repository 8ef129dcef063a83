// The tiles export (c2sp.org/tlog-tiles): a folder any standard tlog client
// can read, with
//   tile/<L>/<N>[.p/<W>]        hashes, 256 per full tile, 32 bytes each
//   tile/entries/<N>[.p/<W>]    entry bundles: per entry a big-endian uint16
//                               length then the entry bytes
//   checkpoint                  the signed checkpoint note
// N is written in 3-digit groups, all but the last prefixed with "x"
// (1234067 → x001/x234/067). Tile height is 8 (256 hashes).
// Functions are safe from any thread, but a folder has one writer: two
// PublishTiles into the same folder at once are not supported.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "bus/audit/log_storage.h"
#include "bus/core/status.h"

namespace docbus::audit {

inline constexpr int kTileHeight = 8;
inline constexpr int64_t kTileWidth = 256;

// "tile/<level>/<N>" or "tile/<level>/<N>.p/<width>" when 0 < width < 256.
std::string TilePath(int level, int64_t n, int width = 256);
// "tile/entries/<N>[.p/<width>]".
std::string EntriesPath(int64_t n, int width = 256);
// "x001/x234/067" for 1234067.
std::string TileIndexPath(int64_t n);

// Writes every tile and entry bundle that differs between the trees of
// `old_size` and `new_size` entries (full tiles that completed, partial
// tiles of the new size), then `checkpoint` = `signed_checkpoint`, which
// must commit to `new_size`. Each file goes through WriteFileAtomically
// below, so the tiles are durable before the checkpoint appears. Never
// deletes anything, so the partial tiles of earlier checkpoints stay
// readable. kInvalidArgument
// if old_size > new_size or new_size exceeds the storage; kIoError naming
// the file on a filesystem error.
Status PublishTiles(LogStorage& storage, uint64_t old_size, uint64_t new_size,
                    std::string_view signed_checkpoint,
                    const std::filesystem::path& dir);

// One file of a publication: its path inside the tiles folder and its bytes.
struct TileFile {
  std::string path;
  std::string contents;
};

// The files PublishTiles would write, in its order (the checkpoint last),
// read from `storage` but not written: for a writer on another thread (see
// tile_writer.h). Errors as PublishTiles' storage errors.
Result<std::vector<TileFile>> CollectTiles(LogStorage& storage,
                                           uint64_t old_size, uint64_t new_size,
                                           std::string_view signed_checkpoint);

// Writes `files` in order under `dir`, each through WriteFileAtomically
// below; stops at the first failure (kIoError naming the file).
Status WriteTiles(const std::vector<TileFile>& files,
                  const std::filesystem::path& dir);

// Serializes entries as an entry bundle; kTooLarge for an entry > 65535.
Result<std::string> FormatEntryBundle(const std::vector<std::string>& entries);
// Splits a bundle into entries, appending them to `out`. kMalformed for a
// truncated bundle (the entries read so far are kept in `out`).
Status ParseEntryBundle(std::string_view bundle,
                        std::vector<std::string_view>* out);

// Creates the missing parent folders of `path`, then
// docbus::WriteFileAtomically(path, contents, 0644) (bus/core/files.h: temp
// file, fsync, rename, folder fsync). kIoError naming the folder or file.
Status WriteFileAtomically(const std::filesystem::path& path,
                           std::string_view contents);

}  // namespace docbus::audit
