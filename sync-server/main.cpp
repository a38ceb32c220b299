// houqin-server --data DIR [--listen HOST:PORT] [--dev-plain-http] [--threads N] [--max-waits N]
//
// Runs until SIGTERM or SIGINT, then stops accepting, lets in-flight
// requests finish, drains the writer, checkpoints the WAL and exits 0.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "log.h"
#include "server.h"

namespace {

int Usage(const char* why) {
  std::fprintf(stderr,
               "houqin-server: %s\n"
               "usage: houqin-server --data DIR [--listen HOST:PORT] [--dev-plain-http] [--threads N] "
               "[--max-waits N] [--quiet]\n"
               "  --data DIR        database, certificate and server.json live here\n"
               "  --listen H:P      default 0.0.0.0:8443; port 0 lets the OS pick (written to DIR/port)\n"
               "  --dev-plain-http  serve plain HTTP (development only)\n"
               "  --threads N       request threads beyond the long-poll cap (default 32)\n"
               "  --max-waits N     concurrent long polls (default 256); more get 503 too_many_waits\n"
               "  --quiet           no per-request log lines\n",
               why);
  return 2;
}

bool PositiveInt(const char* text, int* out) {
  const char* end = text + std::strlen(text);
  auto [ptr, ec] = std::from_chars(text, end, *out);
  return ec == std::errc() && ptr == end && *out > 0 && *out <= 100000;
}

}  // namespace

int main(int argc, char** argv) {
  using houqin::server::Log;
  houqin::server::ServerOptions options;
  std::string listen, threads, max_waits;
  bool plain = false, quiet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    if (arg == "--data") {
      if (!value(&options.data_dir)) return Usage("--data needs a directory");
    } else if (arg == "--listen") {
      if (!value(&listen)) return Usage("--listen needs HOST:PORT");
    } else if (arg == "--threads") {
      if (!value(&threads)) return Usage("--threads needs a number");
    } else if (arg == "--max-waits") {
      if (!value(&max_waits)) return Usage("--max-waits needs a number");
    } else if (arg == "--dev-plain-http") {
      plain = true;
    } else if (arg == "--quiet") {
      quiet = true;
    } else if (arg == "--help" || arg == "-h") {
      Usage("help");
      return 0;
    } else {
      return Usage(("unknown argument " + arg).c_str());
    }
  }
  if (options.data_dir.empty()) return Usage("--data DIR is required");
  // The file first, the command line over it.
  if (houqin::Status s = houqin::server::ApplyConfigFile(options); !s.ok()) {
    Log("error", "bad configuration", {{"error", s.ToString()}});
    return 1;
  }
  if (!listen.empty() && !houqin::server::ParseListen(listen, &options.listen_host, &options.listen_port))
    return Usage("--listen must be HOST:PORT");
  if (!threads.empty() && !PositiveInt(threads.c_str(), &options.workers)) return Usage("--threads must be 1..100000");
  if (!max_waits.empty() && !PositiveInt(max_waits.c_str(), &options.max_waits))
    return Usage("--max-waits must be 1..100000");
  if (plain) options.plain_http = true;
  if (quiet) options.log_requests = false;

  // Every pool thread may hold a few SQLite connections and a socket: the
  // usual soft limit of 1024 descriptors is too few for hundreds of devices.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  // Blocked in every thread (they inherit the mask); one thread takes them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that hangs up mid-response must not kill the server.
  signal(SIGPIPE, SIG_IGN);

  houqin::server::SyncServer server(options);
  if (houqin::Status s = server.Start(); !s.ok()) {
    Log("error", "cannot start", {{"error", s.ToString()}});
    return 1;
  }
  std::thread([&server, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    Log("info", "stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    server.Stop();
  }).detach();
  if (houqin::Status s = server.Wait(); !s.ok()) {
    Log("error", "stopped with an error", {{"error", s.ToString()}});
    return 1;
  }
  return 0;
}
