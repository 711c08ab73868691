#include "protocol/response.h"

#include <algorithm>
#include <utility>

#include "protocol/request_head.h"

namespace tuskd::protocol {
namespace {

bool HasHeader(const HeaderList& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& field) { return EqualsIgnoreCase(field.first, name); });
}

}  // namespace

Response ErrorResponse(const Failure& failure) {
  const ErrorInfo& info = Describe(failure.code);
  Response response;
  response.status = info.status;
  response.headers = failure.headers;
  // tus 1.0.0 requires Tus-Version on every 412, so it is added here even when the Failure was
  // built without it (e.g. by server/ calling ErrorResponse(kUnsupportedVersion)).
  if (failure.code == ErrorCode::kUnsupportedVersion &&
      !HasHeader(response.headers, "Tus-Version")) {
    response.headers.emplace_back("Tus-Version", "1.0.0");
  }
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  response.body.reserve(info.code.size() + info.message.size() + failure.detail.size() + 6);
  response.body.append(info.code).append(": ").append(info.message);
  if (!failure.detail.empty()) response.body.append(" (").append(failure.detail).append(")");
  response.body.push_back('\n');
  return response;
}

Response ErrorResponse(ErrorCode code, std::string detail) {
  return ErrorResponse(Failure{code, std::move(detail), {}});
}

}  // namespace tuskd::protocol
