// A response as plain values: status, headers and a small body. server/ adds the headers every
// response carries (Tus-Resumable, CORS, Content-Length) and writes it with Beast.
#pragma once

#include <string>

#include "protocol/error_catalogue.h"

namespace tuskd::protocol {

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;  // small: error text or JSON; downloads stream separately
};

// The text/plain response for a failure: "<CODE>: <message>[ (<detail>)]\n".
Response ErrorResponse(const Failure& failure);
Response ErrorResponse(ErrorCode code, std::string detail = {});

}  // namespace tuskd::protocol
