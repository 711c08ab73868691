#include "base/status.h"

#include <cerrno>
#include <cstring>

namespace tuskd {

Status Status::FromErrno(int err, const std::string& context) {
  std::string msg = context + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) return NoSpace(std::move(msg));
  if (err == ENOENT) return NotFound(std::move(msg));
  return IOError(std::move(msg));
}

std::string Status::ToString() const {
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      return "NotFound: " + message_;
    case Code::kIOError:
      return "IOError: " + message_;
    case Code::kNoSpace:
      return "NoSpace: " + message_;
    case Code::kCorruption:
      return "Corruption: " + message_;
    case Code::kBusy:
      return "Busy: " + message_;
    case Code::kInvalid:
      return "Invalid: " + message_;
  }
  return "Unknown: " + message_;
}

}  // namespace tuskd
