#include "tests/tuskctl/tuskctl_test_util.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/base64.h"
#include "tests/common/one_shot_sha256.h"

namespace tuskd::tuskctl::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::string_view kListening = "tuskd listening on ";

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Waits for `pid` up to `timeout`; its exit code, or -1 on timeout.
int WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return ExitCodeOf(status);
    if (done < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

size_t CollectBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t CollectHeader(char* data, size_t size, size_t count, void* out) {
  std::string line(data, size * count);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n ") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * count;
}

// Our environment without what decides tuskctl's colours and width, then `env`.
std::vector<std::string> TuskctlEnvironment(const std::vector<std::string>& env) {
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.starts_with("NO_COLOR=") || entry.starts_with("COLUMNS=") ||
        entry.starts_with("TERM=")) {
      continue;
    }
    environment.emplace_back(entry);
  }
  environment.insert(environment.end(), env.begin(), env.end());
  return environment;
}

}  // namespace

RunResult RunTuskctl(const std::string& data_dir, const std::vector<std::string>& args,
                     const std::vector<std::string>& env) {
  std::vector<std::string> argv = {TUSKCTL_BINARY, "--data-dir", data_dir};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> environment = TuskctlEnvironment(env);
  auto argv_c = CStrings(argv);
  auto env_c = CStrings(environment);

  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe failed";
    return {};
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    ::execve(argv_c[0], argv_c.data(), env_c.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  RunResult result;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  auto deadline = Clock::now() + std::chrono::seconds(60);
  int open_fds = 2;
  while (open_fds > 0 && Clock::now() < deadline) {
    if (::poll(fds, 2, 100) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buffer[4096];
      ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) ::close(fd.fd);
  }
  result.exit_code = WaitFor(pid, std::chrono::seconds(5));
  if (result.exit_code < 0) {
    ::kill(pid, SIGKILL);
    WaitFor(pid, std::chrono::seconds(5));
    ADD_FAILURE() << "tuskctl did not finish: " << argv[3];
  }
  return result;
}

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << line;
    if (!parsed.is_discarded()) lines.push_back(std::move(parsed));
  }
  return lines;
}

TuskdServer::TuskdServer(std::string data_dir, std::vector<std::string> extra_flags)
    : data_dir_(std::move(data_dir)),
      extra_flags_(std::move(extra_flags)),
      log_path_(data_dir_ + ".tuskd.log") {}

TuskdServer::~TuskdServer() { Stop(); }

std::string TuskdServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string TuskdServer::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool TuskdServer::Start(std::string* error) {
  std::vector<std::string> args = {TUSKD_BINARY, "--host",  "127.0.0.1", "--port", "0",
                                   "--data-dir", data_dir_, "--threads", "2"};
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  auto argv = CStrings(args);
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return false;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a crashed test leaves no server behind
    ::dup2(out[1], STDOUT_FILENO);
    int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log >= 0) ::dup2(log, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  pid_ = pid;
  stdout_fd_ = out[0];
  std::string line;
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos && Clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char chunk[512];
    ssize_t n = ::read(stdout_fd_, chunk, sizeof(chunk));
    if (n <= 0) break;
    line.append(chunk, static_cast<size_t>(n));
  }
  size_t at = line.find(kListening);
  if (at != std::string::npos) {
    std::string rest = line.substr(at + kListening.size());  // http(s)://host:port/files/
    rest = rest.substr(std::min(rest.size(), rest.find("://") + 3));
    rest = rest.substr(0, rest.find('/'));
    port_ = static_cast<uint16_t>(std::atoi(rest.substr(rest.rfind(':') + 1).c_str()));
  }
  if (port_ == 0) {
    Stop();
    *error = "tuskd did not start; stdout '" + line + "'; log:\n" + Log();
    return false;
  }
  return true;
}

int TuskdServer::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int code = WaitFor(pid_, std::chrono::seconds(10));
  if (code < 0) {
    ::kill(pid_, SIGKILL);
    code = WaitFor(pid_, std::chrono::seconds(5));
  }
  pid_ = -1;
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  return code;
}

HttpReply Http(const std::string& method, const std::string& url,
               const std::vector<std::string>& headers, const std::string& body) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& header : headers) list = curl_slist_append(list, header.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (method == "POST" || method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return reply;
}

std::string CreateTusUpload(const std::string& base_url, uint64_t length,
                            const std::string& filename) {
  HttpReply reply = Http("POST", base_url + "/files/",
                         {"Tus-Resumable: 1.0.0", "Upload-Length: " + std::to_string(length),
                          "Upload-Metadata: filename " + EncodeBase64(filename)});
  EXPECT_EQ(reply.status, 201) << reply.body;
  std::string location = reply.headers["location"];
  return location.substr(location.rfind('/') + 1);
}

long PatchTusUpload(const std::string& base_url, const std::string& id, uint64_t offset,
                    const std::string& bytes) {
  return Http("PATCH", base_url + "/files/" + id,
              {"Tus-Resumable: 1.0.0", "Upload-Offset: " + std::to_string(offset),
               "Content-Type: application/offset+octet-stream", "Expect:"},
              bytes)
      .status;
}

DirectStore::DirectStore(const std::string& data_dir, int64_t expiration_seconds) {
  store::StoreOptions options;
  options.data_dir = data_dir;
  options.expiration_seconds = expiration_seconds;
  Status status = store::UploadStore::Open(options, &store_);
  if (!status.ok()) throw std::runtime_error(status.ToString());
}

std::string DirectStore::Create(std::optional<uint64_t> length, const std::string& filename,
                                int64_t now) {
  store::NewUpload spec;
  spec.length = length;
  spec.metadata_raw = "filename " + EncodeBase64(filename);
  spec.metadata = {{"filename", filename}};
  store::UploadRecord record;
  Status status = store_->Create(spec, now, &record);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return record.id;
}

void DirectStore::Append(const std::string& id, std::string_view bytes, int64_t now) {
  auto lease = store_->locks().TryAcquire(id, [] {});
  ASSERT_TRUE(lease.has_value());
  std::unique_ptr<store::UploadWriter> writer;
  Status status = store_->OpenWriter(id, &writer);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_TRUE(writer->Append({bytes.data(), bytes.size()}).ok());
  status = writer->Commit(now);
  ASSERT_TRUE(status.ok()) << status.ToString();
}

std::string Sha256Hex(std::string_view data) { return OneShotSha256Hex(data); }

std::string TestBytes(size_t size, unsigned seed) {
  std::string bytes(size, '\0');
  uint32_t state = seed * 2654435761u + 1;
  for (auto& byte : bytes) {
    state = state * 1664525u + 1013904223u;
    byte = static_cast<char>(state >> 24);
  }
  return bytes;
}

}  // namespace tuskd::tuskctl::testing
