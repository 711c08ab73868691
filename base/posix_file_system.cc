// PosixFileSystem: the production FileSystem (declared in base/file_system.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "base/file_system.h"

namespace tuskd {
namespace {

// Retries a system call interrupted by a signal; the store never wants EINTR as an answer.
template <typename Call>
auto RetryOnEintr(Call call) {
  decltype(call()) result;
  do {
    result = call();
  } while (result == -1 && errno == EINTR);
  return result;
}

// One open file. size_ mirrors the file's length so that Size() is a plain read on the hot
// path; the store is the only writer of its data files.
class PosixDataFile final : public DataFile {
 public:
  PosixDataFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixDataFile() override { ::close(fd_); }
  PosixDataFile(const PosixDataFile&) = delete;
  PosixDataFile& operator=(const PosixDataFile&) = delete;

  Status Append(std::span<const char> bytes) override {
    const char* data = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
      ssize_t n = RetryOnEintr([&] { return ::write(fd_, data, left); });
      if (n < 0) return Status::FromErrno(errno, "write " + path_);
      if (n == 0) return Status::FromErrno(EIO, "write " + path_ + " wrote nothing");
      data += n;
      left -= static_cast<size_t>(n);
      size_ += static_cast<uint64_t>(n);  // a failure later still leaves this prefix on disk
    }
    return Status::Ok();
  }

  Status Sync() override {
    if (RetryOnEintr([&] { return ::fdatasync(fd_); }) != 0) {
      return Status::FromErrno(errno, "fdatasync " + path_);
    }
    return Status::Ok();
  }

  Status Truncate(uint64_t length) override {
    if (RetryOnEintr([&] { return ::ftruncate(fd_, static_cast<off_t>(length)); }) != 0) {
      return Status::FromErrno(errno, "ftruncate " + path_);
    }
    size_ = length;
    return Status::Ok();
  }

  Status ReadAt(uint64_t offset, std::span<char> out, size_t* read) override {
    size_t total = 0;
    while (total < out.size()) {
      ssize_t n = RetryOnEintr([&] {
        return ::pread(fd_, out.data() + total, out.size() - total,
                       static_cast<off_t>(offset + total));
      });
      if (n < 0) return Status::FromErrno(errno, "pread " + path_);
      if (n == 0) break;  // end of file
      total += static_cast<size_t>(n);
    }
    *read = total;
    return Status::Ok();
  }

  uint64_t Size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
};

Status OpenFile(const std::string& path, int flags, std::unique_ptr<DataFile>* out) {
  int fd = RetryOnEintr([&] { return ::open(path.c_str(), flags | O_CLOEXEC, 0600); });
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status status = Status::FromErrno(errno, "fstat " + path);
    ::close(fd);
    return status;
  }
  *out = std::make_unique<PosixDataFile>(fd, path, static_cast<uint64_t>(st.st_size));
  return Status::Ok();
}

class PosixFileSystemImpl final : public FileSystem {
 public:
  Status OpenForAppend(const std::string& path, std::unique_ptr<DataFile>* out) override {
    return OpenFile(path, O_RDWR | O_CREAT | O_APPEND, out);
  }

  Status OpenForRead(const std::string& path, std::unique_ptr<DataFile>* out) override {
    return OpenFile(path, O_RDONLY, out);
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return Status::FromErrno(errno, "unlink " + path);
    }
    return Status::Ok();
  }

  Status Truncate(const std::string& path, uint64_t length) override {
    if (RetryOnEintr([&] { return ::truncate(path.c_str(), static_cast<off_t>(length)); }) != 0) {
      return Status::FromErrno(errno, "truncate " + path);
    }
    return Status::Ok();
  }

  Status FileSize(const std::string& path, uint64_t* size) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + path);
    *size = static_cast<uint64_t>(st.st_size);
    return Status::Ok();
  }

  Status CreateDirs(const std::string& path) override {
    // Walk every prefix ending before a '/', then the whole path.
    for (size_t pos = path.find('/', 1);; pos = path.find('/', pos + 1)) {
      std::string prefix = path.substr(0, pos);
      if (!prefix.empty() && ::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
        return Status::FromErrno(errno, "mkdir " + prefix);
      }
      if (pos == std::string::npos) break;
    }
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + path);
    if (!S_ISDIR(st.st_mode)) return Status::IOError(path + " exists and is not a directory");
    return Status::Ok();
  }

  Status SyncDir(const std::string& path) override {
    int fd = RetryOnEintr([&] { return ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return Status::FromErrno(errno, "open " + path);
    Status status;
    if (RetryOnEintr([&] { return ::fsync(fd); }) != 0)
      status = Status::FromErrno(errno, "fsync " + path);
    ::close(fd);
    return status;
  }

  Status ForEachFile(const std::string& dir,
                     const std::function<void(const std::string& name)>& visit) override {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec)) visit(it->path().filename().string());
    }
    if (ec) return Status::IOError("listing " + dir + ": " + ec.message());
    return Status::Ok();
  }
};

}  // namespace

FileSystem* PosixFileSystem() {
  static auto* const fs = new PosixFileSystemImpl();  // never destroyed
  return fs;
}

}  // namespace tuskd
