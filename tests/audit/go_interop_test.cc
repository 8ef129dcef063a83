// Interop with Go's reference implementation (golang.org/x/mod/sumdb/note
// and sumdb/tlog, as packaged by Debian): a Go program accepts our signed
// checkpoint with our verifier key, our inclusion and consistency proofs,
// and computes the signed root from our tiles export; each modified input
// is rejected. Keys made by Go sign byte-identically with our NoteSigner.
//
// Go and the x/mod sources are required (tools/install-deps.sh installs
// golang-go and golang-golang-x-mod-dev): when `go` is not on PATH or the
// packages are missing, these tests fail, they are never skipped.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <sstream>

#include "bus/audit/checkpoint.h"
#include "bus/audit/exported_log.h"
#include "bus/audit/note_signer.h"
#include "bus/audit/note_verifier.h"
#include "bus/core/base64.h"
#include "tests/audit/go_program.h"
#include "tests/audit/log_builder.h"
#include "tests/audit/test_util.h"

namespace docbus::audit {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::TestLog;
using testing::WriteFile;

constexpr const char* kGoProgram = R"GO(package main

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type exportReader struct{ dir string }

func (r exportReader) Height() int { return 8 }
func (r exportReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}
func (r exportReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	var out [][]byte
	for _, t := range tiles {
		// tlog-tiles paths are sumdb's without the height element.
		p := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
		b, err := os.ReadFile(filepath.Join(r.dir, p))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func read(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		panic(err)
	}
	return string(b)
}

func hashes(text string) []tlog.Hash {
	var out []tlog.Hash
	for _, line := range strings.Fields(text) {
		b, err := base64.StdEncoding.DecodeString(line)
		if err != nil || len(b) != 32 {
			panic("bad hash")
		}
		var h tlog.Hash
		copy(h[:], b)
		out = append(out, h)
	}
	return out
}

func result(dir, what string, err error) {
	if err != nil {
		fmt.Printf("%s %s fail %v\n", filepath.Base(dir), what, err)
	} else {
		fmt.Printf("%s %s ok\n", filepath.Base(dir), what)
	}
}

func check(dir string) {
	v, err := note.NewVerifier(strings.TrimSpace(read(dir, "vkey")))
	if err != nil {
		panic(err)
	}
	msg := read(dir, "checkpoint")
	_, err = note.Open([]byte(msg), note.VerifierList(v))
	result(dir, "note", err)

	text := msg[:strings.LastIndex(msg, "\n\n")+1]
	lines := strings.SplitN(text, "\n", 2)
	tree, err := tlog.ParseTree([]byte("go.sum database tree\n" + lines[1]))
	if err != nil {
		panic(err)
	}
	index, _ := strconv.ParseInt(strings.TrimSpace(read(dir, "index")), 10, 64)
	leaf := tlog.RecordHash([]byte(read(dir, "entry")))
	err = tlog.CheckRecord(hashes(read(dir, "inclusion")), tree.N, tree.Hash, index, leaf)
	result(dir, "inclusion", err)

	oldSize, _ := strconv.ParseInt(strings.TrimSpace(read(dir, "old_size")), 10, 64)
	oldRoot := hashes(read(dir, "old_root"))[0]
	err = tlog.CheckTree(hashes(read(dir, "consistency")), tree.N, tree.Hash, oldSize, oldRoot)
	result(dir, "consistency", err)

	thr := tlog.TileHashReader(tree, exportReader{filepath.Join(dir, "export")})
	root, err := tlog.TreeHash(tree.N, thr)
	if err == nil && root != tree.Hash {
		err = fmt.Errorf("root differs")
	}
	if err == nil {
		_, err = tlog.ProveRecord(tree.N, index, thr)
	}
	result(dir, "tiles", err)
}

func main() {
	if os.Args[1] == "gen" {
		skey, vkey, err := note.GenerateKey(nil, os.Args[2])
		if err != nil {
			panic(err)
		}
		s, _ := note.NewSigner(skey)
		msg, _ := note.Sign(&note.Note{Text: "docbus interop\n"}, s)
		fmt.Printf("%s\n%s\n%s\n", skey, vkey, base64.StdEncoding.EncodeToString(msg))
		return
	}
	for _, dir := range os.Args[1:] {
		check(dir)
	}
}
)GO";

std::string RunGo(const TempDir& work, const std::string& args) {
  return RunGoProgram(work, kGoProgram, args);
}

std::string Lines(const std::vector<Hash>& hashes) {
  std::string out;
  for (const Hash& h : hashes) out += HashToBase64(h) + "\n";
  return out;
}

// Writes one case folder for the Go program.
void WriteCase(const std::filesystem::path& dir, TestLog& log, int64_t index,
               int64_t old_size) {
  const int64_t size = *log.log().Size();
  std::string checkpoint = log.Publish(dir / "export");
  WriteFile(dir / "checkpoint", checkpoint);
  WriteFile(dir / "vkey", log.verifier_key() + "\n");
  WriteFile(dir / "index", std::to_string(index));
  WriteFile(dir / "entry", *log.storage().ReadEntry(index));
  WriteFile(dir / "inclusion", Lines(*log.log().InclusionProof(index, size)));
  WriteFile(dir / "old_size", std::to_string(old_size));
  WriteFile(dir / "old_root", HashToBase64(*log.log().Root(old_size)) + "\n");
  WriteFile(dir / "consistency",
            Lines(*log.log().ConsistencyProof(old_size, size)));
}

// Flips one bit of the base64 hash on line `line` of a proof file.
void CorruptProof(const std::filesystem::path& file, int line) {
  std::istringstream in(ReadFile(file));
  std::string out, l;
  for (int i = 0; std::getline(in, l); ++i) {
    if (i == line) {
      Hash h = *HashFromBase64(l);
      h[5] ^= 0x10;
      l = HashToBase64(h);
    }
    out += l + "\n";
  }
  WriteFile(file, out);
}

TEST_CASE(
    "Go's sumdb note and tlog accept our checkpoint, proofs and tiles, "
    "and reject each modified one") {
  TempDir work;
  TestLog log;
  log.AddBrokerTraffic(100);  // 700 entries: full, partial and level-1 tiles
  const int64_t index = 517, old_size = 333;
  std::vector<std::string> names = {"good", "bad-note", "bad-inclusion",
                                    "bad-consistency", "bad-tiles"};
  for (const auto& name : names) {
    WriteCase(work.path() / name, log, index, old_size);
  }
  std::string note = ReadFile(work.path() / "bad-note/checkpoint");
  note[note.size() - 10] = note[note.size() - 10] == 'A' ? 'B' : 'A';
  WriteFile(work.path() / "bad-note/checkpoint", note);
  CorruptProof(work.path() / "bad-inclusion/inclusion", 2);
  CorruptProof(work.path() / "bad-consistency/consistency", 1);
  std::string tile =
      ReadFile(work.path() / "bad-tiles/export/tile/0/002.p/188");
  tile[64] ^= 1;
  WriteFile(work.path() / "bad-tiles/export/tile/0/002.p/188", tile);

  std::string args;
  for (const auto& name : names)
    args += "'" + (work.path() / name).string() + "' ";
  std::string out = RunGo(work, args);
  INFO(out);
  for (const char* check : {"note", "inclusion", "consistency", "tiles"}) {
    CHECK_THAT(out, Catch::Contains(std::string("good ") + check + " ok"));
  }
  CHECK_THAT(out, Catch::Contains("bad-note note fail"));
  CHECK_THAT(out, Catch::Contains("bad-note inclusion ok"));
  CHECK_THAT(out, Catch::Contains("bad-inclusion inclusion fail"));
  CHECK_THAT(out, Catch::Contains("bad-inclusion consistency ok"));
  CHECK_THAT(out, Catch::Contains("bad-consistency consistency fail"));
  CHECK_THAT(out, Catch::Contains("bad-consistency inclusion ok"));
  CHECK_THAT(out, Catch::Contains("bad-tiles tiles fail"));
  CHECK_THAT(out, Catch::Contains("bad-tiles note ok"));
}

TEST_CASE(
    "a key made by Go's note.GenerateKey signs byte-identically with "
    "our NoteSigner, and Go's signed note opens with our verifier") {
  TempDir work;
  std::istringstream out(RunGo(work, "gen docbus.test/agency/000.00.01.H01"));
  std::string skey, vkey, signed_b64;
  std::getline(out, skey);
  std::getline(out, vkey);
  std::getline(out, signed_b64);
  INFO(vkey);
  auto signer = NoteSigner::FromKey(skey);
  REQUIRE(signer.ok());
  CHECK(signer->verifier_key() == vkey);
  std::string go_note = *Base64Decode(signed_b64);
  CHECK(signer->Sign("docbus interop\n") == go_note);
  auto verifier = NoteVerifier::FromVerifierKey(vkey);
  REQUIRE(verifier.ok());
  CHECK(*verifier->Open(go_note) == "docbus interop\n");
}

}  // namespace
}  // namespace docbus::audit
