// The process: io threads (one io_context each, so a connection and its thread-local piece
// buffer stay on one thread), the listener, the expiry sweeper and graceful shutdown on
// SIGTERM/SIGINT (stop accepting, end in-flight bodies with a commit and a 503, then return).
// Run() is called once, from main's thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>

#include "server/blocking_pool.h"
#include "server/http/tls_context.h"
#include "server/metrics.h"
#include "server/services.h"

namespace tuskd::server {

class Server {
 public:
  Server(const ServerConfig& config, store::UploadStore& store);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads the TLS certificate (with --tls-cert) and binds the listening socket; false with a
  // message when either fails.
  bool Listen(std::string* error);
  uint16_t port() const { return port_; }
  // The TLS context once Listen has loaded it; nullptr for plain HTTP. After a reload, the new
  // one (read it from the reload listener or before Run).
  const TlsContext* tls() const { return tls_.get(); }
  // Called on the io thread after SIGHUP has replaced the certificate (to republish its pin).
  void SetTlsReloadListener(std::function<void(const TlsContext&)> listener) {
    tls_reloaded_ = std::move(listener);
  }
  // Serves until a signal asks to stop; returns the process exit code.
  int Run();

 private:
  boost::asio::awaitable<void> AcceptLoop();
  boost::asio::awaitable<void> SweepLoop();
  boost::asio::awaitable<void> ShutdownWhenSignalled();
  // SIGHUP: read --tls-cert and --tls-key again. New connections get the new certificate, open
  // ones keep theirs; a pair that does not load leaves the old one serving.
  boost::asio::awaitable<void> ReloadTlsWhenSignalled();

  const ServerConfig& config_;
  Metrics metrics_;
  BlockingPool pool_;
  store::ConcatJoiner joiner_;
  std::unique_ptr<Services> services_;
  std::vector<std::unique_ptr<boost::asio::io_context>> io_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::unique_ptr<boost::asio::signal_set> signals_;  // installed by Listen
  std::unique_ptr<boost::asio::signal_set> hangups_;  // SIGHUP, installed by Listen
  std::unique_ptr<TlsContext> tls_;  // loaded by Listen; replaced on io_[0] by a reload
  std::function<void(const TlsContext&)> tls_reloaded_;
  uint16_t port_ = 0;
};

}  // namespace tuskd::server
