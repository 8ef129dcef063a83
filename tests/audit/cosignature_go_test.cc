// Our cosignatures checked by Go. Debian's golang.org/x/mod 0.7 sumdb/note
// knows only key type 0x01, so the Go program parses the witness's verifier
// key itself (recomputing the key id), and gives note.Open a note.Verifier
// whose Verify checks the tlog-cosignature/v1 message with crypto/ed25519:
// sumdb/note parses the note and its signature lines and checks the log's
// signature, crypto/ed25519 the cosignature over the documented message.
//
// Go and x/mod are required (tools/install-deps.sh), never skipped.
#include <catch2/catch.hpp>
#include <filesystem>

#include "bus/audit/checkpoint.h"
#include "bus/audit/cosignature.h"
#include "bus/audit/note_signer.h"
#include "tests/audit/go_program.h"
#include "tests/audit/test_util.h"

namespace docbus::audit {
namespace {

using testing::TempDir;
using testing::WriteFile;

constexpr const char* kGoProgram = R"GO(package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

type cosigVerifier struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
	time uint64
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 72 {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	m := fmt.Sprintf("cosignature/v1\ntime %d\n", t) + string(msg)
	if !ed25519.Verify(v.pub, []byte(m), sig[8:]) {
		return false
	}
	v.time = t
	return true
}

func newCosigVerifier(vkey string) *cosigVerifier {
	parts := strings.SplitN(vkey, "+", 3)
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 33 || key[0] != 0x04 {
		panic("not a cosigner key")
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), key...))
	if hex.EncodeToString(h[:4]) != parts[1] {
		panic("cosigner key id mismatch")
	}
	return &cosigVerifier{name: parts[0], hash: binary.BigEndian.Uint32(h[:4]),
		pub: ed25519.PublicKey(key[1:])}
}

func read(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	return strings.TrimSpace(string(b))
}

func main() {
	for _, dir := range os.Args[1:] {
		logv, err := note.NewVerifier(read(dir, "log_vkey"))
		if err != nil {
			panic(err)
		}
		cv := newCosigVerifier(read(dir, "witness_vkey"))
		msg, _ := os.ReadFile(filepath.Join(dir, "note"))
		n, err := note.Open(msg, note.VerifierList(logv, cv))
		if err == nil && len(n.Sigs) != 2 {
			err = fmt.Errorf("%d verified signatures", len(n.Sigs))
		}
		if err != nil {
			fmt.Printf("%s fail %v\n", filepath.Base(dir), err)
		} else {
			fmt.Printf("%s ok time %d\n", filepath.Base(dir), cv.time)
		}
	}
}
)GO";

TEST_CASE(
    "Go (sumdb/note with a crypto/ed25519 cosignature verifier) accepts our "
    "cosignature with its time, and rejects a forged or moved one") {
  TempDir work;
  auto log_keys = GenerateNoteKeys("docbus.test/axis/2026");
  auto log = NoteSigner::FromKey(log_keys->signer_key);
  auto witness_keys = GenerateCosignerKeys("witness.audit-office.test");
  auto cosigner = Cosigner::FromKey(witness_keys->signer_key);
  REQUIRE(cosigner.ok());
  const std::string text = FormatCheckpoint(
      Checkpoint{"docbus.test/axis/2026", 700, LeafHash("seven hundred")});
  const std::string other = FormatCheckpoint(
      Checkpoint{"docbus.test/axis/2026", 701, LeafHash("seven hundred one")});
  const uint64_t time_s = 1'780'000'456;
  const std::string good = log->Sign(text) + cosigner->SignatureLine(text, time_s);
  std::string forged = good;
  forged[forged.size() - 6] = forged[forged.size() - 6] == 'A' ? 'B' : 'A';
  const std::string moved =
      log->Sign(other) + cosigner->SignatureLine(text, time_s);
  for (const auto& [name, note] :
       {std::pair{"good", good}, {"forged", forged}, {"moved", moved}}) {
    WriteFile(work.path() / name / "log_vkey", log->verifier_key() + "\n");
    WriteFile(work.path() / name / "witness_vkey",
              witness_keys->verifier_key + "\n");
    WriteFile(work.path() / name / "note", note);
  }
  const auto dir = [&](const char* name) {
    return "'" + (work.path() / name).string() + "' ";
  };
  const std::string out =
      RunGoProgram(work, kGoProgram, dir("good") + dir("forged") + dir("moved"));
  INFO(out);
  CHECK_THAT(out, Catch::Contains("good ok time 1780000456"));
  CHECK_THAT(out, Catch::Contains("forged fail"));
  CHECK_THAT(out, Catch::Contains("moved fail"));
}

}  // namespace
}  // namespace docbus::audit
