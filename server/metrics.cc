#include "server/metrics.h"

#include <sstream>

namespace tuskd::server {

void Metrics::CountRequest(int status) {
  if (status >= 100 && status < static_cast<int>(responses_.size())) {
    responses_[status].fetch_add(1, std::memory_order_relaxed);
  }
}

std::string Metrics::Render(const store::StorageTotals& storage) const {
  std::ostringstream out;
  auto counter = [&](const char* name, const char* help, uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
        << name << ' ' << value << '\n';
  };
  out << "# HELP tuskd_responses_total Responses sent, by status code.\n"
      << "# TYPE tuskd_responses_total counter\n";
  for (size_t code = 100; code < responses_.size(); ++code) {
    uint64_t n = responses_[code].load(std::memory_order_relaxed);
    if (n) out << "tuskd_responses_total{code=\"" << code << "\"} " << n << '\n';
  }
  counter("tuskd_bytes_received_total", "Upload body bytes received.", bytes_received_.load());
  counter("tuskd_bytes_sent_total", "Download body bytes sent.", bytes_sent_.load());
  counter("tuskd_uploads_created_total", "Uploads created.", uploads_created_.load());
  counter("tuskd_uploads_completed_total", "Uploads that received their last byte.",
          uploads_completed_.load());
  counter("tuskd_uploads_expired_total", "Unfinished uploads removed by the sweeper.",
          uploads_expired_.load());
  counter("tuskd_commits_total", "Durable commits (data sync + state batch).", commits_.load());
  counter("tuskd_tls_handshake_failures_total",
          "TLS connections that ended before their handshake completed.", tls_failures_.load());
  auto gauge = [&](const char* name, const char* help, uint64_t value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
        << name << ' ' << value << '\n';
  };
  gauge("tuskd_logical_bytes", "Committed bytes of live uploads, as clients sent them.",
        storage.logical_bytes);
  gauge("tuskd_stored_bytes", "Bytes their data files hold (smaller with compression).",
        storage.stored_bytes);
  out << "# HELP tuskd_connections_open Client connections open now.\n"
      << "# TYPE tuskd_connections_open gauge\n"
      << "tuskd_connections_open " << connections_.load() << '\n';
  return out.str();
}

}  // namespace tuskd::server
