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
    : TuskdProcess(std::move(data_dir), [&] {
        extra_flags.insert(extra_flags.begin(), {"--threads", "2"});
        return std::move(extra_flags);
      }()) {}

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
