// RFC 6962 / 9162 vectors from transparency-dev/merkle and the C2SP
// signed-note example: an auditor using any standard verifier gets the same
// answers as ours. The vectors are in the repository
// (tests/audit/testdata/rfc6962/, provenance in its README.md).
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "bus/audit/checkpoint.h"
#include "bus/audit/hash.h"
#include "bus/audit/memory_log_storage.h"
#include "bus/audit/merkle.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/note_verifier.h"
#include "bus/audit/proof.h"
#include "bus/core/base64.h"
#include "tests/audit/test_util.h"

namespace docbus::audit {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;

fs::path VectorRoot() {
  return fs::path(DOCBUS_SOURCE_DIR) / "tests/audit/testdata/rfc6962";
}

// How many vectors of each kind the folder holds (6 happy paths, 92
// negative cases), so that a file lost from the copy fails the test.
constexpr int kVectorFiles = 98;
constexpr int kHappyPaths = 6;

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string B64(const nlohmann::json& v) {
  if (v.is_null()) return "";
  auto bytes = Base64Decode(v.get<std::string>());
  REQUIRE(bytes.has_value());
  return *bytes;
}

// Our API takes 32-byte hashes. A vector's root of another length can only
// ever compare equal to the same bytes, so map it to a 32-byte stand-in that
// keeps equality; a leaf hash or proof hash of another length is refused
// outright (the vector counts as rejected).
Hash RootStandIn(const std::string& bytes) {
  if (auto h = HashFromBytes(bytes)) return *h;
  return LeafHash("stand-in:" + bytes);
}

bool ProofHashes(const nlohmann::json& proof, std::vector<Hash>* out) {
  if (proof.is_null()) return true;
  for (const auto& p : proof) {
    auto h = HashFromBytes(B64(p));
    if (!h) return false;
    out->push_back(*h);
  }
  return true;
}

std::vector<fs::path> JsonFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  return files;
}

TEST_CASE(
    "every RFC 6962 inclusion vector: happy paths accepted, every "
    "tampered proof rejected") {
  auto files = JsonFiles(VectorRoot() / "inclusion");
  REQUIRE(files.size() == kVectorFiles);
  int accepted = 0, rejected = 0;
  for (const auto& file : files) {
    INFO(file.string());
    auto v = nlohmann::json::parse(ReadFile(file));
    bool want_err = v["wantErr"].get<bool>();
    std::vector<Hash> proof;
    bool ok = ProofHashes(v["proof"], &proof);
    auto leaf = HashFromBytes(B64(v["leafHash"]));
    ok = ok && leaf.has_value();
    if (ok) {
      ok = VerifyInclusion(v["leafIdx"].get<uint64_t>(),
                           v["treeSize"].get<uint64_t>(), *leaf, proof,
                           RootStandIn(B64(v["root"])))
               .ok();
    }
    CHECK(ok == !want_err);
    (ok ? accepted : rejected)++;
  }
  CHECK(accepted == kHappyPaths);
  CHECK(rejected == kVectorFiles - kHappyPaths);
}

TEST_CASE(
    "every RFC 6962 consistency vector: happy paths accepted, forks "
    "and malformed proofs rejected") {
  auto files = JsonFiles(VectorRoot() / "consistency");
  REQUIRE(files.size() == kVectorFiles);
  int accepted = 0, rejected = 0;
  for (const auto& file : files) {
    INFO(file.string());
    auto v = nlohmann::json::parse(ReadFile(file));
    bool want_err = v["wantErr"].get<bool>();
    std::vector<Hash> proof;
    bool ok = ProofHashes(v["proof"], &proof);
    if (ok) {
      ok = VerifyConsistency(v["size1"].get<uint64_t>(),
                             v["size2"].get<uint64_t>(),
                             RootStandIn(B64(v["root1"])),
                             RootStandIn(B64(v["root2"])), proof)
               .ok();
    }
    CHECK(ok == !want_err);
    (ok ? accepted : rejected)++;
  }
  CHECK(accepted == kHappyPaths);
  CHECK(rejected == kVectorFiles - kHappyPaths);
}

TEST_CASE(
    "roots of sizes 0 to 8 match RFC 6962, and proofs generated from "
    "the stored layout verify for every pair of sizes") {
  auto roots = nlohmann::json::parse(ReadFile(VectorRoot() / "roots.json"));
  MemoryLogStorage storage;
  std::vector<std::string> leaves;
  for (const auto& hex : roots["leaf_inputs_hex"]) {
    leaves.push_back(Unhex(hex.get<std::string>()));
  }
  for (size_t n = 0; n <= leaves.size(); ++n) {
    auto root = TreeHash(static_cast<int64_t>(n), storage);
    REQUIRE(root.ok());
    CHECK(HashToHex(*root) == roots["root_by_size_hex"][n].get<std::string>());
    if (n == leaves.size()) break;
    auto hashes = StoredHashesForRecord(static_cast<int64_t>(n),
                                        LeafHash(leaves[n]), storage);
    REQUIRE(hashes.ok());
    REQUIRE(storage.Append(static_cast<int64_t>(n), leaves[n], *hashes).ok());
  }
  // A larger log: every inclusion and consistency proof verifies, and
  // RootOfHashes and InclusionProofOfHashes agree with the stored layout.
  std::vector<Hash> leaf_hashes;
  for (const auto& l : leaves) leaf_hashes.push_back(LeafHash(l));
  for (int i = static_cast<int>(leaves.size()); i < 70; ++i) {
    std::string entry = "entry " + std::to_string(i);
    leaf_hashes.push_back(LeafHash(entry));
    auto hashes = StoredHashesForRecord(i, leaf_hashes.back(), storage);
    REQUIRE(storage.Append(i, entry, *hashes).ok());
  }
  for (int64_t n = 1; n <= 70; ++n) {
    Hash root = *TreeHash(n, storage);
    CHECK(root == RootOfHashes(std::span(leaf_hashes).first(n)));
    for (int64_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(i, n, storage);
      REQUIRE(proof.ok());
      CHECK(VerifyInclusion(i, n, leaf_hashes[i], *proof, root).ok());
      CHECK(static_cast<int>(proof->size()) == InclusionProofLength(i, n));
      CHECK(*proof ==
            InclusionProofOfHashes(i, std::span(leaf_hashes).first(n)));
    }
    for (int64_t m = 1; m <= n; ++m) {
      auto proof = ConsistencyProof(m, n, storage);
      REQUIRE(proof.ok());
      CHECK(VerifyConsistency(m, n, *TreeHash(m, storage), root, *proof).ok());
    }
  }
  // The stored-hash layout round-trips.
  for (int64_t idx = 0; idx < StoredHashCount(70); ++idx) {
    int level;
    int64_t n;
    SplitStoredHashIndex(idx, &level, &n);
    CHECK(StoredHashIndex(level, n) == idx);
  }
}

TEST_CASE(
    "the C2SP signed-note example verifies, and fails with one byte "
    "flipped") {
  auto verifier = NoteVerifier::FromVerifierKey(
      "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
  REQUIRE(verifier.ok());
  std::string note =
      "This is an example message.\n\n"
      "\xE2\x80\x94 example.com/foo "
      "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXm"
      "RKuwHjG1Yu72IneyaQM=\n";
  auto text = verifier->Open(note);
  REQUIRE(text.ok());
  CHECK(*text == "This is an example message.\n");

  std::string flipped = note;
  flipped[5] ^= 0x01;  // "This" → "Thir"
  auto bad = verifier->Open(flipped);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kBadSignature);

  // A key id that does not match the key is refused.
  CHECK_FALSE(NoteVerifier::FromVerifierKey(
                  "example.com/foo+530d903b+"
                  "AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
                  .ok());
}

TEST_CASE(
    "a checkpoint signed with a generated key opens with its verifier "
    "key and nothing else") {
  auto keys = GenerateNoteKeys("docbus.gov.vn/axis/2026");
  REQUIRE(keys.ok());
  auto signer = NoteSigner::FromKey(keys->signer_key + "\n");
  REQUIRE(signer.ok());
  CHECK(signer->verifier_key() == keys->verifier_key);
  auto verifier = NoteVerifier::FromVerifierKey(keys->verifier_key);
  REQUIRE(verifier.ok());
  Checkpoint cp{"docbus.gov.vn/axis/2026", 20852163, LeafHash("x")};
  std::string note = signer->Sign(FormatCheckpoint(cp));
  auto opened = OpenCheckpoint(*verifier, note);
  REQUIRE(opened.ok());
  CHECK(*opened == cp);

  auto other = GenerateNoteKeys("docbus.gov.vn/axis/2026");
  auto other_verifier = NoteVerifier::FromVerifierKey(other->verifier_key);
  CHECK(OpenCheckpoint(*other_verifier, note).status().code() ==
        Code::kBadSignature);
  CHECK_FALSE(GenerateNoteKeys("bad name").ok());
  CHECK_FALSE(GenerateNoteKeys("a+b").ok());
}

TEST_CASE("checkpoint parsing is strict") {
  std::string root = HashToBase64(LeafHash("r"));
  CHECK(ParseCheckpoint("o\n0\n" + root + "\n").ok());
  CHECK(ParseCheckpoint("o\n12\n" + root + "\next\n").ok());
  CHECK_FALSE(ParseCheckpoint("o\n012\n" + root + "\n").ok());
  CHECK_FALSE(ParseCheckpoint("o\n+12\n" + root + "\n").ok());
  CHECK_FALSE(ParseCheckpoint("o\n12\n" + root).ok());
  CHECK_FALSE(ParseCheckpoint("o\n12\n" + root + "\n\n").ok());
  CHECK_FALSE(ParseCheckpoint("o o\n12\n" + root + "\n").ok());
  CHECK_FALSE(ParseCheckpoint("o\n18446744073709551616\n" + root + "\n").ok());
  CHECK_FALSE(ParseCheckpoint("o\n12\n" + root.substr(0, 43) + "\n").ok());
  std::string noncanonical = root;
  noncanonical[42] = noncanonical[42] == 'A' ? 'B' : 'A';  // low bits set
  auto r = ParseCheckpoint("o\n12\n" + noncanonical + "\n");
  if (r.ok()) CHECK(HashToBase64(r->root) == noncanonical);
}

}  // namespace
}  // namespace docbus::audit
