#include "protocol/ietf/problem.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "protocol/ietf/fields.h"

namespace tuskd::protocol {

IetfFailure MismatchedOffset(uint64_t expected, uint64_t provided) {
  IetfFailure mismatch(
      Failure{ErrorCode::kMismatchedOffset,
              "expected " + std::to_string(expected) + ", provided " + std::to_string(provided),
              {{"Upload-Offset", std::to_string(expected)}}});
  mismatch.expected_offset = expected;
  mismatch.provided_offset = provided;
  return mismatch;
}

std::string_view ProblemType(const IetfDraft& draft, ErrorCode code) {
  switch (code) {
    case ErrorCode::kMismatchedOffset:
      if (draft.offset_and_completed_problems) return "mismatching-upload-offset";
      break;
    case ErrorCode::kUploadCompleted:
      if (draft.offset_and_completed_problems) return "completed-upload";
      break;
    case ErrorCode::kInconsistentLength:
      if (draft.inconsistent_length_problem) return "inconsistent-upload-length";
      break;
    default:
      break;
  }
  return {};
}

Response IetfErrorResponse(const IetfDraft& draft, const IetfFailure& failure, uint64_t max_size) {
  std::string_view type = ProblemType(draft, failure.failure.code);
  Response response;
  if (type.empty()) {
    response = ErrorResponse(failure.failure);
  } else {
    const ErrorInfo& info = Describe(failure.failure.code);
    nlohmann::json problem = {{"type", std::string(kProblemTypeBase) + std::string(type)},
                              {"title", std::string(info.message)},
                              {"status", info.status},
                              {"code", std::string(info.code)}};
    if (!failure.failure.detail.empty()) problem["detail"] = failure.failure.detail;
    if (failure.expected_offset) problem["expected-offset"] = *failure.expected_offset;
    if (failure.provided_offset) problem["provided-offset"] = *failure.provided_offset;
    response.status = info.status;
    response.headers = failure.failure.headers;
    response.headers.emplace_back("Content-Type", "application/problem+json");
    response.body = problem.dump() + "\n";
  }
  if (response.status == 413) AddUploadLimit(draft, max_size, std::nullopt, response.headers);
  return response;
}

}  // namespace tuskd::protocol
