// A SoftHSM2 token for tests, made in a temporary folder: its own
// softhsm2.conf and token directory (SOFTHSM2_CONF is set to it for this
// process and the daemons it starts), initialised with softhsm2-util and
// given a P-256 key generated ON the token with OpenSC's pkcs11-tool, so the
// private key never exists outside it. Used by crypto_test and the
// onboarding e2e test. One token per test case (SOFTHSM2_CONF is
// process-wide); not thread-safe.
#pragma once

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bus/core/files.h"
#include "tests/support/shell.h"
#include "tests/temp_dir.h"

namespace docbus::test {

inline constexpr char kSoftHsmModule[] = "/usr/lib/softhsm/libsofthsm2.so";

class SoftHsmToken {
 public:
  static constexpr char kPin[] = "471902";
  static constexpr char kKeyLabel[] = "agency-signing";

  explicit SoftHsmToken(std::string label = "docbus-agency")
      : label_(std::move(label)) {
    const auto tokens = tmp_.path() / "tokens";
    std::filesystem::create_directories(tokens);
    REQUIRE(WriteFileAtomically(conf(),
                                "directories.tokendir = " + tokens.string() +
                                    "\nobjectstore.backend = file\n"
                                    "log.level = ERROR\n",
                                0600)
                .ok());
    REQUIRE(::setenv("SOFTHSM2_CONF", conf().c_str(), 1) == 0);
    Run("softhsm2-util --init-token --free --label " + label_ + " --pin " +
        kPin + " --so-pin 90417253");
    Run(std::string("pkcs11-tool --module ") + kSoftHsmModule +
        " --token-label " + label_ + " --login --pin " + kPin +
        " --keypairgen --key-type EC:prime256v1 --label " + kKeyLabel +
        " --id 01");
    REQUIRE(
        WriteFileAtomically(pin_file(), std::string(kPin) + "\n", 0600).ok());
  }

  std::filesystem::path conf() const { return tmp_.path() / "softhsm2.conf"; }
  std::filesystem::path pin_file() const { return tmp_.path() / "pin"; }
  const std::string& label() const { return label_; }

  // The key's RFC 7512 URI with the PIN read from pin_file().
  std::string Uri() const {
    return "pkcs11:token=" + label_ + ";object=" + kKeyLabel +
           ";type=private?pin-source=file:" + pin_file().string();
  }
  // The same key with the PIN given inline.
  std::string UriWithPin(const std::string& pin) const {
    return "pkcs11:token=" + label_ + ";id=%01?pin-value=" + pin;
  }

 private:
  static void Run(const std::string& command) {
    std::string output;
    const int rc = testing::RunShell(command, &output);
    INFO(command << "\n" << output);
    REQUIRE(rc == 0);
  }

  testing::TempDir tmp_;
  std::string label_;
};

}  // namespace docbus::test
