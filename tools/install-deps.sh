#!/usr/bin/env bash
# Installs every Debian 12 package that docbus needs to build, test and run
# its quickstart. Run as root (or through sudo). Nothing else is downloaded.
# postgresql-15 and libpq-dev: the PostgreSQL store and its tests (which start
# a throwaway cluster of their own); prometheus: promtool checks /metrics;
# tzdata: the agency time zone of document dates; libxml2-dev: the edXML
# envelope reader.
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
  curl procps
