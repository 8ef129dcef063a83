#include "bus/store/faulty_broker_store.h"

#include <utility>

namespace docbus::store {

// The store's audit log, its appends counted as writes.
class FaultyBrokerStore::FaultyLogStorage final : public audit::LogStorage {
 public:
  FaultyLogStorage(FaultyBrokerStore& store, audit::LogStorage& inner)
      : store_(store), inner_(inner) {}
  Result<std::vector<audit::Hash>> ReadHashes(
      std::span<const int64_t> indexes) override {
    return inner_.ReadHashes(indexes);
  }
  Result<int64_t> Size() override { return inner_.Size(); }
  Result<std::string> ReadEntry(int64_t index) override {
    return inner_.ReadEntry(index);
  }
  Result<std::vector<std::string>> ReadEntries(int64_t begin,
                                               int64_t end) override {
    return inner_.ReadEntries(begin, end);
  }
  Status Append(int64_t index, std::string_view entry,
                std::span<const audit::Hash> hashes) override {
    DOCBUS_RETURN_IF_ERROR(store_.BeforeWrite());
    return inner_.Append(index, entry, hashes);
  }

 private:
  FaultyBrokerStore& store_;
  audit::LogStorage& inner_;
};

FaultyBrokerStore::FaultyBrokerStore(std::unique_ptr<BrokerStore>&& inner)
    : inner_(std::move(inner)),
      audit_(
          std::make_unique<FaultyLogStorage>(*this, inner_->audit_storage())) {}

FaultyBrokerStore::~FaultyBrokerStore() = default;

void FaultyBrokerStore::FailNthWrite(int n, Code code) {
  fail_at_ = writes_ + n;
  fail_code_ = code;
}

void FaultyBrokerStore::FailNextCommit(Code code) {
  fail_commit_ = true;
  commit_code_ = code;
}

void FaultyBrokerStore::OnNthWrite(int n, std::function<void()> action) {
  action_at_ = writes_ + n;
  action_ = std::move(action);
}

Status FaultyBrokerStore::BeforeWrite() {
  ++writes_;
  if (writes_ == action_at_ && action_) {
    auto action = std::move(action_);
    action_ = nullptr;
    action();
  }
  if (writes_ == fail_at_) {
    fail_at_ = 0;
    return Status(fail_code_,
                  "injected failure of write " + std::to_string(writes_));
  }
  return Status::Ok();
}

Status FaultyBrokerStore::Commit() {
  if (fail_commit_.exchange(false)) {
    (void)inner_->Rollback();
    return Status(commit_code_, "injected commit failure");
  }
  return inner_->Commit();
}

Status FaultyBrokerStore::InsertDocument(DocumentRecord& record) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->InsertDocument(record);
}

Status FaultyBrokerStore::PutAttachment(std::string_view sha256,
                                        std::string_view data) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->PutAttachment(sha256, data);
}

Result<uint64_t> FaultyBrokerStore::AppendUpload(const UploadKey& key,
                                                 uint64_t total_size,
                                                 uint64_t offset,
                                                 std::string_view data,
                                                 int64_t now_unix_ms) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->AppendUpload(key, total_size, offset, data, now_unix_ms);
}

Status FaultyBrokerStore::AdoptUpload(const UploadKey& key,
                                      std::string_view sha256) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->AdoptUpload(key, sha256);
}

Status FaultyBrokerStore::DeleteUploads(std::string_view sender,
                                        std::string_view message_id) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->DeleteUploads(sender, message_id);
}

Result<int64_t> FaultyBrokerStore::DeleteUploadsBefore(int64_t unix_ms) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->DeleteUploadsBefore(unix_ms);
}

Status FaultyBrokerStore::InsertStatus(const StatusRecord& record) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->InsertStatus(record);
}

Status FaultyBrokerStore::InsertDelivery(DeliveryRecord& record) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->InsertDelivery(record);
}

Status FaultyBrokerStore::SetDeliveryState(int64_t delivery_id,
                                           DeliveryState state,
                                           int64_t now_unix_ms) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->SetDeliveryState(delivery_id, state, now_unix_ms);
}

audit::LogStorage& FaultyBrokerStore::audit_storage() { return *audit_; }

Status FaultyBrokerStore::SaveCheckpoint(uint64_t size,
                                         std::string_view signed_note) {
  DOCBUS_RETURN_IF_ERROR(BeforeWrite());
  return inner_->SaveCheckpoint(size, signed_note);
}

}  // namespace docbus::store
