#include "server/server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/clock.h"
#include "base/log.h"
#include "server/http/connection.h"

namespace tuskd::server {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

void LogException(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, kServerLog, std::string("task failed: ") + e.what());
  }
}

}  // namespace

Server::Server(const ServerConfig& config, store::UploadStore& store)
    : config_(config),
      pool_(config.commit_threads),
      joiner_(&store, [this](const std::string&) { metrics_.CountCompleted(); }) {
  services_.reset(new Services{config, PolicyFor(config), store, pool_, metrics_, joiner_, {}, {}});
  for (unsigned i = 0; i < config.threads; ++i) {
    io_.push_back(std::make_unique<asio::io_context>(1));
  }
}

Server::~Server() = default;

bool Server::Listen(std::string* error) {
  if (!config_.tls_cert.empty()) {
    tls_ = TlsContext::Load(config_.tls_cert, config_.tls_key, error);
    if (!tls_) return false;
  }
  error_code ec;
  auto address = asio::ip::make_address(config_.host, ec);
  if (ec) {
    *error = "invalid --host " + config_.host + ": " + ec.message();
    return false;
  }
  asio::ip::tcp::endpoint endpoint(address, config_.port);
  acceptor_ = std::make_unique<asio::ip::tcp::acceptor>(*io_[0]);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + config_.host + ":" + std::to_string(config_.port) + ": " +
             ec.message();
    return false;
  }
  port_ = acceptor_->local_endpoint().port();
  // Caught from here on, not only once Run() starts: whoever reads the listening line printed
  // after Listen may send SIGTERM at once, and must get a graceful stop, not death by signal.
  signals_ = std::make_unique<asio::signal_set>(*io_[0], SIGINT, SIGTERM);
  // Caught even without TLS: a stray SIGHUP (a closed terminal) must not kill the server.
  hangups_ = std::make_unique<asio::signal_set>(*io_[0], SIGHUP);
  return true;
}

asio::awaitable<void> Server::AcceptLoop() {
  size_t next = 0;
  for (;;) {
    // Spread connections over the io threads; each stays on its thread for life.
    auto& io = *io_[next++ % io_.size()];
    error_code ec;
    asio::ip::tcp::socket socket =
        co_await acceptor_->async_accept(io, asio::redirect_error(asio::use_awaitable, ec));
    if (services_->shutting_down.load()) co_return;
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      // EMFILE and friends: back off briefly instead of spinning.
      asio::steady_timer pause(acceptor_->get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::use_awaitable);
      continue;
    }
    auto connection = std::make_shared<Connection>(std::move(socket),
                                                   tls_ ? tls_->native() : nullptr, *services_);
    asio::co_spawn(
        io, [connection]() { return connection->Run(); }, LogException);
  }
}

asio::awaitable<void> Server::SweepLoop() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!services_->shutting_down.load()) {
    timer.expires_after(config_.sweep_interval);
    error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec || services_->shutting_down.load()) co_return;
    size_t count = 0;
    int64_t now = UnixNow();
    auto& store = services_->store;
    Status status =
        co_await pool_.Run([&store, now, &count] { return store.SweepExpired(now, &count); });
    if (!status.ok()) {
      Log(LogLevel::kError, kServerLog, "expiry sweep failed: " + status.ToString());
    }
    if (count) metrics_.CountExpired(count);
  }
}

asio::awaitable<void> Server::ShutdownWhenSignalled() {
  co_await signals_->async_wait(asio::use_awaitable);
  Log(LogLevel::kInfo, kServerLog, "shutting down");
  services_->shutting_down = true;
  error_code ignored;
  acceptor_->close(ignored);
  services_->connections.ForEach([](Connection& c) { c.Interrupt(Interruption::kShutdown, 0); });
  // In-flight bodies commit and answer 503; wait for them, but not forever.
  auto deadline = std::chrono::steady_clock::now() + config_.shutdown_timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (services_->connections.size() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(asio::use_awaitable);
  }
  for (auto& io : io_) io->stop();
}

asio::awaitable<void> Server::ReloadTlsWhenSignalled() {
  for (;;) {
    error_code ec;
    co_await hangups_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    if (!tls_) {
      Log(LogLevel::kInfo, kServerLog, "SIGHUP ignored: no --tls-cert");
      continue;
    }
    std::string error;
    std::unique_ptr<TlsContext> fresh = TlsContext::Load(config_.tls_cert, config_.tls_key, &error);
    if (!fresh) {
      Log(LogLevel::kError, kServerLog,
          "TLS reload failed, still serving the previous certificate: " + error);
      continue;
    }
    // The accept loop runs on this thread too, so no connection is being made meanwhile; open
    // connections hold a reference to the old context through their SSL objects.
    tls_ = std::move(fresh);
    Log(LogLevel::kInfo, kServerLog, "TLS certificate reloaded");
    if (tls_reloaded_) tls_reloaded_(*tls_);
  }
}

int Server::Run() {
  // Finals a stop or crash left unjoined are joined now, alongside new requests.
  joiner_.Start();
  asio::co_spawn(*io_[0], AcceptLoop(), LogException);
  asio::co_spawn(*io_[0], ShutdownWhenSignalled(), LogException);
  asio::co_spawn(*io_[0], ReloadTlsWhenSignalled(), LogException);
  if (config_.expiration.count() > 0) asio::co_spawn(*io_[0], SweepLoop(), LogException);
  std::vector<std::thread> threads;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& io : io_) guards.push_back(asio::make_work_guard(*io));
  for (size_t i = 1; i < io_.size(); ++i) threads.emplace_back([&io = *io_[i]] { io.run(); });
  io_[0]->run();
  for (auto& io : io_) io->stop();
  for (auto& thread : threads) thread.join();
  pool_.Join();
  joiner_.Stop();  // after the pool: its commits may still wake finals
  return 0;
}

}  // namespace tuskd::server
