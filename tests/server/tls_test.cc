// tuskd serving HTTPS (--tls-cert, --tls-key): uploads and downloads byte-exact over TLS, with
// https Locations; a TLS body cut mid-way keeps every byte the server decrypted (I2); chunked
// bodies, 100 Continue and slow downloaders over TLS; clients that speak plain HTTP, garbage or
// nothing to the TLS port are answered or dropped without disturbing anyone else (I6); and
// certificates that do not load stop the start with a message that names the flag.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/admin_file.h"
#include "tests/common/test_certificate.h"
#include "tests/server/https_client.h"
#include "tests/server/raw_client.h"
#include "tests/server/shared_tuskd.h"

namespace tuskd::server::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using tuskd::testing::MakeTestCertificate;
using tuskd::testing::TestCertificate;

// A directory of certificates, removed with it.
class CertificateDir {
 public:
  CertificateDir() {
    std::string pattern = std::filesystem::temp_directory_path().string() + "/tuskd-tls-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~CertificateDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }
  TestCertificate Make(const std::string& prefix) const {
    TestCertificate made;
    EXPECT_TRUE(MakeTestCertificate(path_, prefix, &made)) << "in " << path_;
    return made;
  }

 private:
  std::string path_;
};

const CertificateDir& Certificates() {
  static const CertificateDir dir;
  return dir;
}

const TestCertificate& SuiteCertificate() {
  static const TestCertificate cert = Certificates().Make("suite-");
  return cert;
}

class TlsTest : public SharedTuskdTest<TlsTest> {
 public:
  static std::vector<std::string> Flags() {
    return {"--tls-cert",       SuiteCertificate().cert_path,
            "--tls-key",        SuiteCertificate().key_path,
            "--header-timeout", "2s"};
  }

 protected:
  static HttpResponse Https(HttpsRequest request) {
    return HttpsExchange(port(), SuiteCertificate().cert_path, request);
  }
  static std::string Create(uint64_t length) {
    HttpResponse r =
        Https({"POST",
               "/files/",
               {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", std::to_string(length)}}});
    EXPECT_EQ(r.status, 201) << r.error << r.body;
    std::string location = r.Header("Location").value_or("");
    EXPECT_EQ(location.rfind("https://127.0.0.1:" + std::to_string(port()) + "/files/", 0), 0u)
        << location;
    return location.substr(location.find("/files/"));
  }
  static HttpsRequest Patch(const std::string& path, uint64_t offset, std::string body) {
    HttpsRequest request{"PATCH", path, PatchHeaders(offset)};
    request.body = std::move(body);
    return request;
  }
  static std::optional<uint64_t> Offset(const std::string& path) {
    HttpResponse r = Https({"HEAD", path});
    auto value = r.Header("Upload-Offset");
    if (r.status != 200 || !value) return std::nullopt;
    return std::stoull(*value);
  }
  static std::optional<int64_t> Metric(const std::string& name) {
    HttpResponse r = Https({"GET", "/metrics", {}});
    size_t at = r.body.find("\n" + name + " ");
    if (r.status != 200 || at == std::string::npos) return std::nullopt;
    return std::strtoll(r.body.c_str() + at + name.size() + 2, nullptr, 10);
  }
  // Until only the asking connection is open: every cut body has been committed.
  static bool WaitUntilIdle() {
    auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (Metric("tuskd_connections_open") != 1) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return true;
  }
};

TEST_F(TlsTest, UploadAndDownloadOverHttpsAreByteExact) {
  // Over 1 MiB, so curl asks for 100 Continue first: the interim response goes over TLS too.
  const std::string data = TestBytes(3 << 20, 1);
  std::string path = Create(data.size());
  HttpResponse patched = Https(Patch(path, 0, data));
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_EQ(patched.Header("Upload-Offset"), std::to_string(data.size()));
  HttpResponse head = Https({"HEAD", path});
  EXPECT_EQ(head.Header("Upload-Sha256"), Sha256Of(data));
  HttpResponse got = Https({"GET", path, {}});
  EXPECT_EQ(got.status, 200) << got.error;
  EXPECT_TRUE(got.body == data) << "downloaded " << got.body.size() << " bytes";
}

TEST_F(TlsTest, IetfDraftCreationWithItsInterimResponseOverTls) {
  // The 104 Upload Resumption Supported goes out over TLS before the final 201.
  const std::string data = TestBytes(200'000, 7);
  HttpsRequest request{
      "POST", "/files/", {{"Upload-Draft-Interop-Version", "6"}, {"Upload-Complete", "?1"}}};
  request.body = data;
  HttpResponse created = Https(request);
  EXPECT_EQ(created.status, 201) << created.error << created.body;
  std::string location = created.Header("Location").value_or("");
  ASSERT_EQ(location.rfind("https://127.0.0.1:", 0), 0u) << location;
  EXPECT_TRUE(Https({"GET", location.substr(location.find("/files/")), {}}).body == data);
}

TEST_F(TlsTest, ChunkedBodiesOverTls) {
  // What tus-java-client sends.
  const std::string data = TestBytes(1'500'000, 2);
  std::string path = Create(data.size());
  HttpsRequest request = Patch(path, 0, data);
  request.chunked = true;
  HttpResponse patched = Https(request);
  EXPECT_EQ(patched.status, 204) << patched.error << patched.body;
  EXPECT_TRUE(Https({"GET", path, {}}).body == data);
}

TEST_F(TlsTest, ACutBodyKeepsEveryByteTheServerDecrypted) {
  const std::string data = TestBytes(2 << 20, 3);
  for (size_t cut : {size_t{1}, size_t{700'001}, data.size() - 1}) {
    SCOPED_TRACE("cut after " + std::to_string(cut));
    std::string path = Create(data.size());
    ASSERT_TRUE(WaitUntilIdle());
    int64_t before = Metric("tuskd_bytes_received_total").value_or(-1);
    HttpsRequest request = Patch(path, 0, data);
    request.cut_after = cut;
    EXPECT_EQ(Https(request).status, 0) << "the client gave up mid-body";
    ASSERT_TRUE(WaitUntilIdle());
    // Whatever reached the server whole (a TLS record cut in half never decrypts) is kept.
    int64_t received = Metric("tuskd_bytes_received_total").value_or(-1) - before;
    EXPECT_LE(received, static_cast<int64_t>(cut));
    std::optional<uint64_t> offset = Offset(path);
    ASSERT_TRUE(offset.has_value());
    EXPECT_EQ(static_cast<int64_t>(*offset), received);
    HttpResponse resumed = Https(Patch(path, *offset, data.substr(*offset)));
    EXPECT_EQ(resumed.status, 204) << resumed.error << resumed.body;
    EXPECT_TRUE(Https({"GET", path, {}}).body == data);
  }
}

TEST_F(TlsTest, ASlowDownloaderGetsEveryByteAndRangesWork) {
  // The server's TLS writes fill the socket and wait, many times over.
  const std::string data = TestBytes(4 << 20, 4);
  std::string path = Create(data.size());
  ASSERT_EQ(Https(Patch(path, 0, data)).status, 204);
  HttpsRequest slow{"GET", path, {}};
  slow.max_receive_bytes_per_second = 8 << 20;
  HttpResponse got = Https(slow);
  EXPECT_EQ(got.status, 200) << got.error;
  EXPECT_TRUE(got.body == data) << "downloaded " << got.body.size() << " bytes";
  HttpResponse range = Https({"GET", path, {{"Range", "bytes=1000-1999999"}}});
  EXPECT_EQ(range.status, 206);
  EXPECT_TRUE(range.body == data.substr(1000, 1999000));
}

TEST_F(TlsTest, ConcurrentUploadsOverTlsStayApart) {
  // Connections of one io thread share its piece buffer; with TLS as without.
  constexpr int kUploads = 8;
  std::vector<std::string> datas, paths(kUploads);
  for (int i = 0; i < kUploads; ++i) datas.push_back(TestBytes(1 << 20, 10 + i));
  for (int i = 0; i < kUploads; ++i) paths[i] = Create(datas[i].size());
  std::vector<int> statuses(kUploads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kUploads; ++i) {
    threads.emplace_back([&, i] { statuses[i] = Https(Patch(paths[i], 0, datas[i])).status; });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kUploads; ++i) {
    EXPECT_EQ(statuses[i], 204) << i;
    EXPECT_TRUE(Https({"GET", paths[i], {}}).body == datas[i]) << i;
  }
}

TEST_F(TlsTest, PlainHttpToTheTlsPortIsToldWhyInTheClear) {
  RawClient client(port());
  HttpResponse r = client.RoundTrip(BuildRequest("POST", "/files/", PatchHeaders(0)));
  EXPECT_EQ(r.status, 400) << r.error;
  EXPECT_NE(r.body.find("HTTP request to an HTTPS server"), std::string::npos) << r.body;
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_EQ(Https({"OPTIONS", "/files/"}).status, 204);
}

TEST_F(TlsTest, GarbageAndSilenceAreDroppedWhileOthersAreServed) {
  const int64_t failures = Metric("tuskd_tls_handshake_failures_total").value_or(-1);
  RawClient garbage(port());
  ASSERT_TRUE(garbage.Send(TestBytes(300, 5)));
  EXPECT_TRUE(garbage.WaitForClose());
  EXPECT_EQ(Metric("tuskd_tls_handshake_failures_total"), failures + 1);

  // A client that connects and never starts the handshake is closed after --header-timeout
  // (2 s here); meanwhile others upload.
  RawClient silent(port());
  ASSERT_TRUE(silent.connected());
  const std::string data = TestBytes(100'000, 6);
  std::string path = Create(data.size());
  EXPECT_EQ(Https(Patch(path, 0, data)).status, 204);
  EXPECT_TRUE(silent.WaitForClose(seconds(6)));
  EXPECT_TRUE(Https({"GET", path, {}}).body == data);
}

TEST_F(TlsTest, UntrustedClientsCannotProceed) {
  // A client that does not trust the certificate stops at the handshake; the server carries on.
  CertificateDir other;
  TestCertificate stranger = other.Make("stranger-");
  HttpResponse r = HttpsExchange(port(), stranger.cert_path, {"OPTIONS", "/files/"});
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(Https({"OPTIONS", "/files/"}).status, 204);
}

// ---- start-up ----

struct StartResult {
  int exit_code = -1;
  std::string log;
};

StartResult StartWith(const std::vector<std::string>& flags) {
  TuskdProcess server(flags);
  std::string error;
  StartResult result;
  if (server.Start(&error)) {
    result.exit_code = 0;
    server.Stop();
    return result;
  }
  result.exit_code = server.last_exit_code();
  result.log = error;
  return result;
}

TEST(TlsStartTest, CertificatesThatDoNotLoadStopTheStartNamingTheFlag) {
  const TestCertificate& good = SuiteCertificate();
  TestCertificate other = Certificates().Make("other-");
  StartResult missing =
      StartWith({"--tls-cert", Certificates().path() + "/none.pem", "--tls-key", good.key_path});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.log.find("--tls-cert"), std::string::npos) << missing.log;

  StartResult not_a_key = StartWith({"--tls-cert", good.cert_path, "--tls-key", good.cert_path});
  EXPECT_EQ(not_a_key.exit_code, 1);
  EXPECT_NE(not_a_key.log.find("--tls-key"), std::string::npos) << not_a_key.log;

  StartResult mismatched = StartWith({"--tls-cert", good.cert_path, "--tls-key", other.key_path});
  EXPECT_EQ(mismatched.exit_code, 1);
  EXPECT_NE(mismatched.log.find("does not belong"), std::string::npos) << mismatched.log;

  StartResult half = StartWith({"--tls-cert", good.cert_path});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.log.find("go together"), std::string::npos) << half.log;
}

// ---- SIGHUP ----

// Polls `done` every 20 ms for up to 10 s.
template <class Done>
bool Eventually(Done done) {
  auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

TEST(TlsReloadTest, SighupSwapsTheCertificateAndOneThatDoesNotLoadKeepsTheOld) {
  CertificateDir dir;
  const TestCertificate a = dir.Make("a-"), b = dir.Make("b-");
  const std::string cert = dir.path() + "/live-cert.pem", key = dir.path() + "/live-key.pem";
  auto install = [&](const TestCertificate& from) {
    namespace fs = std::filesystem;
    fs::copy_file(from.cert_path, cert, fs::copy_options::overwrite_existing);
    fs::copy_file(from.key_path, key, fs::copy_options::overwrite_existing);
  };
  install(a);
  TuskdProcess server({"--tls-cert", cert, "--tls-key", key});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto options = [&](const TestCertificate& trusted) {
    return HttpsExchange(server.port(), trusted.cert_path, {"OPTIONS", "/files/"}).status;
  };
  EXPECT_EQ(options(a), 204);
  const std::string pin_a =
      store::ReadAdminFile(server.data_dir()).value_or(store::AdminInfo{}).tls_pin;
  EXPECT_FALSE(pin_a.empty());

  // A download in progress across the reload keeps its connection (and the old context).
  const std::string data = TestBytes(4 << 20, 8);
  HttpsRequest create{"POST",
                      "/files/",
                      {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", std::to_string(data.size())}}};
  HttpResponse created = HttpsExchange(server.port(), a.cert_path, create);
  const std::string location = created.Header("Location").value_or("");
  const std::string path = location.substr(location.find("/files/"));
  HttpsRequest patch{"PATCH", path, PatchHeaders(0)};
  patch.body = data;
  ASSERT_EQ(HttpsExchange(server.port(), a.cert_path, patch).status, 204);
  HttpResponse slow_download;
  std::thread downloader([&] {
    HttpsRequest get{"GET", path, {}};
    get.max_receive_bytes_per_second = 4 << 20;  // about a second
    slow_download = HttpsExchange(server.port(), a.cert_path, get);
  });
  std::this_thread::sleep_for(milliseconds(200));

  // A renewal (a new key too): new connections get it, and tuskctl's pin follows.
  install(b);
  ::kill(server.pid(), SIGHUP);
  EXPECT_TRUE(Eventually([&] { return options(b) == 204; })) << server.Log();
  downloader.join();
  EXPECT_EQ(slow_download.status, 200) << slow_download.error;
  EXPECT_TRUE(slow_download.body == data) << "downloaded " << slow_download.body.size();
  EXPECT_EQ(options(a), 0) << "the old certificate is no longer served";
  const std::string pin_b =
      store::ReadAdminFile(server.data_dir()).value_or(store::AdminInfo{}).tls_pin;
  EXPECT_FALSE(pin_b.empty());
  EXPECT_NE(pin_b, pin_a);

  // A broken file (a renewal caught half-written): logged, and the last good one keeps serving.
  std::ofstream(cert, std::ios::trunc) << "not a certificate\n";
  ::kill(server.pid(), SIGHUP);
  EXPECT_TRUE(Eventually([&] {
    return server.Log().find("TLS reload failed") != std::string::npos;
  })) << server.Log();
  EXPECT_EQ(options(b), 204);
  EXPECT_EQ(store::ReadAdminFile(server.data_dir()).value_or(store::AdminInfo{}).tls_pin, pin_b);
  EXPECT_TRUE(server.Alive());
}

TEST(TlsReloadTest, APlainServerIgnoresSighup) {
  // SIGHUP's default would end the process (a closed terminal sends it).
  TuskdProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  ::kill(server.pid(), SIGHUP);
  EXPECT_TRUE(Eventually([&] { return server.Log().find("SIGHUP ignored") != std::string::npos; }))
      << server.Log();
  EXPECT_TRUE(server.Alive());
  EXPECT_EQ(Exchange(server.port(), "OPTIONS", "/files/").status, 204);
}

}  // namespace
}  // namespace tuskd::server::testing
