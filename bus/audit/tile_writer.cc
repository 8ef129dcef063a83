#include "bus/audit/tile_writer.h"

namespace docbus::audit {

TileWriter::TileWriter(std::filesystem::path dir, uint64_t shown_size,
                       uint64_t max_queued_entries)
    : dir_(std::move(dir)),
      max_queued_entries_(max_queued_entries),
      written_size_(shown_size),
      handed_size_(shown_size) {
  thread_ = std::thread([this] { Run(); });
}

TileWriter::~TileWriter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

Status TileWriter::Publish(LogStorage& storage, uint64_t size,
                           std::string_view note) {
  if (std::optional<Status> failed = TakeFailure()) return *failed;
  uint64_t from;
  {
    std::lock_guard lock(mu_);
    from = handed_size_ <= size ? handed_size_ : 0;  // a folder of another log
  }
  if (size - from > max_queued_entries_) {
    Flush();
    // A queued publication may have failed meanwhile: its files are not
    // there, so this one cannot start where it ended.
    if (std::optional<Status> failed = TakeFailure()) return *failed;
    DOCBUS_RETURN_IF_ERROR(PublishTiles(storage, from, size, note, dir_));
    std::lock_guard lock(mu_);
    written_size_ = handed_size_ = size;
    return Status::Ok();
  }
  DOCBUS_ASSIGN_OR_RETURN(std::vector<TileFile> files,
                          CollectTiles(storage, from, size, note));
  {
    std::lock_guard lock(mu_);
    // An earlier publication failed meanwhile: these files assume its files
    // exist, so they wait for the next call (which reports the failure).
    if (failure_.has_value()) return Status::Ok();
    queue_.push_back({std::move(files), size});
    handed_size_ = size;
  }
  changed_.notify_all();
  return Status::Ok();
}

std::optional<Status> TileWriter::TakeFailure() {
  std::lock_guard lock(mu_);
  std::optional<Status> failure = std::move(failure_);
  failure_.reset();
  if (failure.has_value()) handed_size_ = written_size_;
  return failure;
}

void TileWriter::Flush() {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void TileWriter::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    changed_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything is written
    Publication next = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Status written = WriteTiles(next.files, dir_);
    lock.lock();
    busy_ = false;
    if (written.ok()) {
      written_size_ = next.size;
    } else {
      failure_ = std::move(written);
      queue_.clear();
    }
    changed_.notify_all();
  }
}

}  // namespace docbus::audit
