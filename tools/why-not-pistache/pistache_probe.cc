// pistache_probe: the smallest Pistache (0.0.5, Debian 12) HTTP server that lets a client see
// what an upload handler would see. It is a measuring instrument, not a tus server.
//
//   pistache_probe [--threads N] [--max-request-bytes N]
//
// Prints "pistache_probe listening on 127.0.0.1:<port> pid=<pid>" once bound (port chosen by the
// kernel), then one "handler ..." line per POST/PATCH/PUT that reaches the handler.
//
// Routes (the path does not matter except for /stats):
//   POST|PATCH|PUT any  records the handler's entry (steady clock, i.e. CLOCK_MONOTONIC, so a
//                       client on the same host can compare it with its own timestamps), the body
//                       size Pistache handed over and the process's VmHWM, then answers 204.
//   GET /stats          one line: calls=<n> last_body_bytes=<b> last_entry_ns=<t> total_body=<b>
//                       vmrss_kib=<k> vmhwm_kib=<k>.
//   HEAD|GET any other  200 with an empty body: the "small request" of the starvation experiment.
//
// Built with C++17 because that is what Pistache 0.0.5's headers are written against.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/net.h>

namespace {

using Pistache::Address;
using Pistache::Ipv4;
using Pistache::Port;
namespace Http = Pistache::Http;

// HTTP_PROTOTYPE clones the handler once per worker thread, so anything the /stats route reports
// must live outside the handler object.
std::atomic<uint64_t> g_calls{0};
std::atomic<uint64_t> g_last_body_bytes{0};
std::atomic<int64_t> g_last_entry_ns{0};
std::atomic<uint64_t> g_total_body_bytes{0};

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Reads one "Vm...:  N kB" field of /proc/self/status; 0 if absent. The client reads the same file
// from outside (/proc/<pid>/status); this copy exists so the handler log line carries it too.
uint64_t ProcStatusKib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t field_len = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, field_len, field) == 0 && line.size() > field_len &&
        line[field_len] == ':') {
      return std::strtoull(line.c_str() + field_len + 1, nullptr, 10);
    }
  }
  return 0;
}

class ProbeHandler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(ProbeHandler)

  void onRequest(const Http::Request& request, Http::ResponseWriter response) override {
    // Taken before anything else: this is "when the application first hears of the body".
    const int64_t entry_ns = SteadyNowNs();
    const Http::Method method = request.method();
    if (method == Http::Method::Post || method == Http::Method::Patch ||
        method == Http::Method::Put) {
      const uint64_t body_bytes = request.body().size();
      g_last_entry_ns.store(entry_ns);
      g_last_body_bytes.store(body_bytes);
      g_total_body_bytes.fetch_add(body_bytes);
      const uint64_t calls = g_calls.fetch_add(1) + 1;
      std::printf("handler call=%llu method=%s entry_ns=%lld body_bytes=%llu vmhwm_kib=%llu\n",
                  static_cast<unsigned long long>(calls), Http::methodString(method),
                  static_cast<long long>(entry_ns), static_cast<unsigned long long>(body_bytes),
                  static_cast<unsigned long long>(ProcStatusKib("VmHWM")));
      std::fflush(stdout);
      response.send(Http::Code::No_Content);
      return;
    }
    if (method == Http::Method::Get && request.resource() == "/stats") {
      std::ostringstream out;
      out << "calls=" << g_calls.load() << " last_body_bytes=" << g_last_body_bytes.load()
          << " last_entry_ns=" << g_last_entry_ns.load()
          << " total_body=" << g_total_body_bytes.load() << " vmrss_kib=" << ProcStatusKib("VmRSS")
          << " vmhwm_kib=" << ProcStatusKib("VmHWM") << "\n";
      response.send(Http::Code::Ok, out.str());
      return;
    }
    response.send(Http::Code::Ok);
  }
};

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  // Pistache's default limit is 4 KiB for head *and* body together; a body has to fit in it
  // whole, so an upload server has to raise it to the largest PATCH it will ever accept.
  size_t max_request_bytes = size_t{1} << 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") {
      threads = std::atoi(argv[i + 1]);
    } else if (flag == "--max-request-bytes") {
      max_request_bytes = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }

  // Block SIGTERM/SIGINT before Pistache starts its threads (they inherit the mask), so that
  // sigwait() below is the only place they are delivered.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Http::Endpoint endpoint(Address(Ipv4(127, 0, 0, 1), Port(0)));
  endpoint.init(Http::Endpoint::options()
                    .threads(threads)
                    .maxRequestSize(max_request_bytes)
                    .flags(Pistache::Tcp::Options::ReuseAddr)
                    // Long enough that no experiment is cut short by Pistache's own timers.
                    .headerTimeout(std::chrono::seconds(60))
                    .bodyTimeout(std::chrono::seconds(120)));
  endpoint.setHandler(Http::make_handler<ProbeHandler>());
  endpoint.bind();
  endpoint.serveThreaded();

  std::printf("pistache_probe listening on 127.0.0.1:%u pid=%d threads=%d\n",
              static_cast<unsigned>(static_cast<uint16_t>(endpoint.getPort())),
              static_cast<int>(getpid()), threads);
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  // Not endpoint.shutdown(): in 0.0.5 it can wait on connections a client left open, and this
  // process must end promptly whatever state an experiment left it in.
  std::_Exit(0);
}
