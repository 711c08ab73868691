#include "predict/http_predictor.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/predict/predictor_test_util.h"

namespace tuskd::predict {
namespace {

using Clock = std::chrono::steady_clock;
using predictor_testing::FailingInput;
using predictor_testing::InputOver;

uint64_t Fnv1a(std::string_view bytes, uint64_t hash = 0xcbf29ce484222325) {
  for (char c : bytes) hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3;
  return hash;
}

struct ReceivedRequest {
  std::string request_line;
  std::map<std::string, std::string> headers;  // names in lower case
  uint64_t body_bytes = 0;
  uint64_t body_hash = Fnv1a("");
};

std::string Response(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " Test\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 and an ephemeral port. It reads a
// request with a Content-Length body, records it, and sends what the responder returns (which
// may sleep first; an empty string closes the connection without an answer).
class TestHttpServer {
 public:
  using Responder = std::function<std::string(const ReceivedRequest&)>;

  explicit TestHttpServer(Responder responder) : responder_(std::move(responder)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(addr);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listen_fd_, 8) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~TestHttpServer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd pfd{listen_fd_, POLLIN, 0};
      if (poll(&pfd, 1, 50) <= 0) continue;
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval five_seconds{5, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof(five_seconds));
      ReceivedRequest request;
      if (ReadRequest(fd, &request)) {
        {
          std::lock_guard lock(mu_);
          requests_.push_back(request);
        }
        std::string response = responder_(request);
        send(fd, response.data(), response.size(), MSG_NOSIGNAL);
      }
      close(fd);
    }
  }

  static bool ReadRequest(int fd, ReceivedRequest* request) {
    std::string data;
    char buffer[64 * 1024];
    size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) return false;
      data.append(buffer, n);
    }
    ParseHead(data.substr(0, head_end), request);
    const uint64_t length = std::stoull(request->headers["content-length"]);
    std::string_view body = std::string_view(data).substr(head_end + 4);
    request->body_bytes = body.size();
    request->body_hash = Fnv1a(body);
    while (request->body_bytes < length) {
      ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
      if (n <= 0) return true;  // the client gave up: record what came
      request->body_bytes += n;
      request->body_hash = Fnv1a(std::string_view(buffer, n), request->body_hash);
    }
    return true;
  }

  static void ParseHead(const std::string& head, ReceivedRequest* request) {
    size_t line_end = head.find("\r\n");
    request->request_line = head.substr(0, line_end);
    while (line_end != std::string::npos) {
      size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      std::string line = head.substr(start, line_end - start);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t value = line.find_first_not_of(' ', colon + 1);
      request->headers[name] = value == std::string::npos ? "" : line.substr(value);
    }
  }

  Responder responder_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
};

std::unique_ptr<HttpPredictor> Make(const std::string& url, int timeout_ms = 10000) {
  std::string error;
  PredictorOptions options;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  auto predictor = HttpPredictor::Create(url, options, &error);
  EXPECT_NE(predictor, nullptr) << error;
  return predictor;
}

std::string Base64Decode(const std::string& text) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return "";
  size_t padding = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(n - padding);
  return out;
}

std::string Echo(const ReceivedRequest& request) {
  return Response(
      200, nlohmann::json{{"received", request.body_bytes}, {"hash", request.body_hash}}.dump());
}

TEST(HttpPredictorTest, PostsTheBytesAndReturnsTheJsonReply) {
  TestHttpServer server(Echo);
  std::string bytes(1024 * 1024 + 3, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 % 253);
  PredictionInput input = InputOver(bytes, 50000);
  input.metadata.emplace_back("note", "line one\r\nX-Injected: yes \xFF");
  PredictionOutcome outcome = Make(server.Url("/predict?model=a"))->Predict(input);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.result["received"], bytes.size());
  EXPECT_EQ(outcome.result["hash"], Fnv1a(bytes));

  ASSERT_EQ(server.requests().size(), 1u);
  ReceivedRequest request = server.requests()[0];
  EXPECT_EQ(request.request_line, "POST /predict?model=a HTTP/1.1");
  EXPECT_EQ(request.headers["content-type"], "application/octet-stream");
  EXPECT_EQ(request.headers["content-length"], std::to_string(bytes.size()));
  EXPECT_EQ(request.headers.count("expect"), 0u);
  EXPECT_EQ(request.headers.count("x-injected"), 0u);
  EXPECT_EQ(request.headers["x-tuskd-upload-id"], input.upload_id);
  EXPECT_EQ(request.headers["x-tuskd-sha256"], input.sha256_hex);
  EXPECT_EQ(nlohmann::json::parse(Base64Decode(request.headers["x-tuskd-metadata"])),
            input.Describe());
}

TEST(HttpPredictorTest, EmptyUploadPostsAnEmptyBody) {
  TestHttpServer server(Echo);
  PredictionOutcome outcome = Make(server.Url("/"))->Predict(InputOver(""));
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.result["received"], 0);
}

TEST(HttpPredictorTest, StatusCodesDecideRetryability) {
  TestHttpServer server([](const ReceivedRequest& request) {
    int status = std::stoi(request.request_line.substr(request.request_line.find("/s/") + 3, 3));
    return Response(status, "overloaded\nsecond line");
  });
  const std::pair<int, bool> cases[] = {{500, true},  {503, true},  {429, true},  {408, true},
                                        {400, false}, {404, false}, {413, false}, {301, false}};
  for (auto [status, retryable] : cases) {
    PredictionOutcome outcome =
        Make(server.Url("/s/" + std::to_string(status)))->Predict(InputOver("abc"));
    EXPECT_FALSE(outcome.ok) << status;
    EXPECT_EQ(outcome.retryable, retryable) << status;
    EXPECT_EQ(outcome.error, "HTTP " + std::to_string(status) + ": overloaded");
  }
}

TEST(HttpPredictorTest, SuccessWithoutJsonIsNotRetryable) {
  for (const char* body : {"", "<html>ok</html>", "{\"a\": 1"}) {
    TestHttpServer server([body](const ReceivedRequest&) { return Response(200, body); });
    PredictionOutcome outcome = Make(server.Url("/"))->Predict(InputOver("abc"));
    EXPECT_FALSE(outcome.ok) << body;
    EXPECT_FALSE(outcome.retryable) << body;
    EXPECT_TRUE(outcome.error.starts_with("invalid JSON in response")) << outcome.error;
  }
}

TEST(HttpPredictorTest, SlowServerTimesOut) {
  TestHttpServer server([](const ReceivedRequest& request) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return Echo(request);
  });
  auto start = Clock::now();
  PredictionOutcome outcome = Make(server.Url("/"), 300)->Predict(InputOver("abc"));
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1200));
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_EQ(outcome.error, "timeout after 300 ms");
}

TEST(HttpPredictorTest, ConnectionFailuresAreRetryable) {
  // A port that was just ours and is now closed: connection refused.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  close(fd);
  PredictionOutcome outcome = Make("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/")
                                  ->Predict(InputOver("abc"));
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable);
  EXPECT_TRUE(outcome.error.starts_with("POST failed")) << outcome.error;

  TestHttpServer hangs_up([](const ReceivedRequest&) { return std::string(); });
  outcome = Make(hangs_up.Url("/"))->Predict(InputOver("abc"));
  EXPECT_FALSE(outcome.ok);
  EXPECT_TRUE(outcome.retryable) << outcome.error;
}

TEST(HttpPredictorTest, OversizedReplyIsNotRetryable) {
  TestHttpServer server([](const ReceivedRequest&) {
    return Response(200, "\"" + std::string(HttpPredictor::kMaxResponse, 'x') + "\"");
  });
  PredictionOutcome outcome = Make(server.Url("/"))->Predict(InputOver("abc"));
  EXPECT_FALSE(outcome.ok);
  EXPECT_FALSE(outcome.retryable);
  EXPECT_EQ(outcome.error, "response exceeds 1048576 bytes");
}

TEST(HttpPredictorTest, SourceProblemsAbortTheRequest) {
  TestHttpServer server(Echo);
  auto predictor = Make(server.Url("/"));
  PredictionOutcome failed = predictor->Predict(FailingInput(std::string(70000, 'q'), 1 << 20));
  EXPECT_FALSE(failed.ok);
  EXPECT_TRUE(failed.retryable);
  EXPECT_EQ(failed.error, "reading upload bytes: disk on fire");

  PredictionInput short_input = InputOver("abc");
  short_input.size = 10;
  PredictionOutcome short_outcome = predictor->Predict(short_input);
  EXPECT_FALSE(short_outcome.ok);
  EXPECT_FALSE(short_outcome.retryable);
  EXPECT_EQ(short_outcome.error, "upload bytes: read 3, expected 10");
}

TEST(HttpPredictorTest, ConcurrentPredictionsAllSucceed) {
  TestHttpServer server(Echo);
  auto predictor = Make(server.Url("/"));
  std::vector<std::thread> threads;
  std::vector<PredictionOutcome> outcomes(4);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    threads.emplace_back(
        [&, i] { outcomes[i] = predictor->Predict(InputOver(std::string(i * 1000, 'c'))); });
  }
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    ASSERT_TRUE(outcomes[i].ok) << outcomes[i].error;
    EXPECT_EQ(outcomes[i].result["received"], i * 1000);
  }
}

}  // namespace
}  // namespace tuskd::predict
