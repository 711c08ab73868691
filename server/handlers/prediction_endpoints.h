// The results API of the completion pipeline: GET <base><id>/prediction and
// GET /predictions/<sha256>, as JSON {status, sha256, cache_hit, result, error, updated_at}.
// Each runs on its exchange's coroutine.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "server/http/exchange.h"

namespace tuskd::server {

boost::asio::awaitable<void> HandleUploadPrediction(Exchange& exchange, const std::string& id);
boost::asio::awaitable<void> HandleHashPrediction(Exchange& exchange, const std::string& sha256);

}  // namespace tuskd::server
