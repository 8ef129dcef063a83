// FaultyBrokerStore: a BrokerStore wrapper that injects the failures a
// store can have, so tests can check the promises that depend on them
// ("a turn whose commit fails sends no answer", "nothing acknowledged is
// lost") on every backend. It forwards every call to the store it owns,
// except that, once armed:
//   FailNthWrite(n)  the n-th write from now returns `code` without
//                    reaching the store (a full disk, a refused INSERT);
//   FailNextCommit() the next Commit() rolls the store back and returns
//                    `code` (fsync failure, a failed COMMIT);
//   OnNthWrite(n,f)  runs f() just before the n-th write from now is
//                    forwarded (e.g. cut the database connection, so the
//                    write itself fails the real way).
// Writes are every call that changes state, audit appends included. Each
// fault fires once. Thread-safety: none (see BrokerStore), except that
// FailNextCommit may be called from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "bus/store/broker_store.h"

namespace docbus::store {

class FaultyBrokerStore final : public BrokerStore {
 public:
  explicit FaultyBrokerStore(std::unique_ptr<BrokerStore>&& inner);
  ~FaultyBrokerStore() override;

  void FailNthWrite(int n, Code code = Code::kIoError);
  void FailNextCommit(Code code = Code::kIoError);
  void OnNthWrite(int n, std::function<void()> action);
  // Writes seen (forwarded or failed) so far.
  int64_t writes() const { return writes_; }
  BrokerStore& inner() { return *inner_; }

  Status Begin() override { return inner_->Begin(); }
  Status Commit() override;
  Status Rollback() override { return inner_->Rollback(); }
  void set_fence_epoch(int64_t epoch) override {
    inner_->set_fence_epoch(epoch);
  }

  Result<std::optional<DocumentRecord>> FindDocument(
      std::string_view sender, std::string_view message_id) override {
    return inner_->FindDocument(sender, message_id);
  }
  Result<std::optional<DocumentRecord>> FindDocumentByDocumentId(
      std::string_view sender, std::string_view document_id) override {
    return inner_->FindDocumentByDocumentId(sender, document_id);
  }
  Result<DocumentRecord> GetDocument(int64_t id) override {
    return inner_->GetDocument(id);
  }
  Result<std::vector<std::string>> GetAttachmentDigests(int64_t id) override {
    return inner_->GetAttachmentDigests(id);
  }
  Status InsertDocument(DocumentRecord& record) override;
  Status PutAttachment(std::string_view sha256, std::string_view data) override;
  Result<std::string> GetAttachment(std::string_view sha256) override {
    return inner_->GetAttachment(sha256);
  }
  Result<std::string> ReadAttachment(std::string_view sha256, uint64_t offset,
                                     size_t length) override {
    return inner_->ReadAttachment(sha256, offset, length);
  }
  Result<uint64_t> AppendUpload(const UploadKey& key, uint64_t total_size,
                                uint64_t offset, std::string_view data,
                                int64_t now_unix_ms) override;
  Result<std::optional<UploadProgress>> GetUpload(
      const UploadKey& key) override {
    return inner_->GetUpload(key);
  }
  Result<std::string> ReadUpload(const UploadKey& key, uint64_t offset,
                                 size_t length) override {
    return inner_->ReadUpload(key, offset, length);
  }
  Status AdoptUpload(const UploadKey& key, std::string_view sha256) override;
  Status DeleteUploads(std::string_view sender,
                       std::string_view message_id) override;
  Result<int64_t> DeleteUploadsBefore(int64_t unix_ms) override;

  Result<std::optional<StatusRecord>> FindStatus(
      std::string_view status_id) override {
    return inner_->FindStatus(status_id);
  }
  Status InsertStatus(const StatusRecord& record) override;
  Result<std::vector<StatusRecord>> ListStatuses(
      int64_t document, std::string_view recipient) override {
    return inner_->ListStatuses(document, recipient);
  }

  Status InsertDelivery(DeliveryRecord& record) override;
  Result<std::optional<DeliveryRecord>> GetDelivery(
      int64_t delivery_id) override {
    return inner_->GetDelivery(delivery_id);
  }
  Status SetDeliveryState(int64_t delivery_id, DeliveryState state,
                          int64_t now_unix_ms) override;
  Result<std::vector<QueuedDelivery>> NextQueued(std::string_view recipient,
                                                 const QueueCursor& after,
                                                 size_t limit) override {
    return inner_->NextQueued(recipient, after, limit);
  }
  Result<std::vector<DeliveryRecord>> DueForExpiry(int64_t now_unix_ms,
                                                   size_t limit) override {
    return inner_->DueForExpiry(now_unix_ms, limit);
  }
  Result<std::map<std::string, int64_t>> QueueDepths() override {
    return inner_->QueueDepths();
  }
  Result<std::optional<int64_t>> OldestQueuedUnixMillis(
      std::string_view recipient) override {
    return inner_->OldestQueuedUnixMillis(recipient);
  }

  audit::LogStorage& audit_storage() override;
  Status SaveCheckpoint(uint64_t size, std::string_view signed_note) override;
  Result<std::optional<std::string>> LatestCheckpoint() override {
    return inner_->LatestCheckpoint();
  }

 private:
  class FaultyLogStorage;
  // Counts a write; runs an armed action; the injected failure, if due.
  Status BeforeWrite();

  std::unique_ptr<BrokerStore> inner_;
  std::unique_ptr<FaultyLogStorage> audit_;
  int64_t writes_ = 0;
  int64_t fail_at_ = 0;  // write number that fails; 0 = none
  Code fail_code_ = Code::kIoError;
  int64_t action_at_ = 0;
  std::function<void()> action_;
  // Armed from any thread (a test's, while the broker loop runs).
  std::atomic<bool> fail_commit_{false};
  std::atomic<Code> commit_code_{Code::kIoError};
};

}  // namespace docbus::store
