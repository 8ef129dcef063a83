// The signals a daemon's main thread waits for, synchronously (sigwait /
// sigtimedwait): SIGTERM and SIGINT stop it, SIGHUP asks it to reload.
#pragma once

#include <pthread.h>

#include <csignal>

namespace docbus {

// Blocks the daemon signals in the calling thread, and so in every thread it
// starts afterwards (call it before starting any), and returns their set for
// the main thread to wait on.
inline sigset_t BlockDaemonSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace docbus
