#!/usr/bin/env bash
# Installs every Debian 12 package that docbus needs to build, test and run
# its quickstart. Run as root (or through sudo). Nothing else is downloaded.
# postgresql-15 and libpq-dev: the PostgreSQL store and its tests (which start
# a throwaway cluster of their own); prometheus: promtool checks /metrics;
# tzdata: the agency time zone of document dates; libxml2-dev: the edXML
# envelope reader. libp11-dev: signing keys on PKCS#11 tokens (CMake finds
# it with pkg-config, module `libp11`, as PkgConfig::LIBP11); p11-kit and
# p11-kit-modules: the default PKCS#11 module (p11-kit-proxy.so); softhsm2
# and opensc (pkcs11-tool): the software token the PKCS#11 tests make their
# keys on.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates openssl \
  libzmq3-dev cppzmq-dev libprotobuf-dev protobuf-compiler libssl-dev \
  libspdlog-dev catch2 libsqlite3-dev sqlite3 libcli11-dev libtomlplusplus-dev \
  libcpp-httplib-dev nlohmann-json3-dev \
  golang-go golang-golang-x-mod-dev \
  postgresql-15 libpq-dev prometheus tzdata libxml2-dev \
  libp11-dev p11-kit p11-kit-modules softhsm2 opensc \
  curl procps
