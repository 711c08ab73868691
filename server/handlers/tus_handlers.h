// The tus request handlers: each asks protocol/ for the decision, has store/ carry it out, and
// answers through the exchange (server/http/exchange.h). One function per method on the upload
// resources. Each runs on its exchange's coroutine; store calls go through store_calls.h.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "server/http/exchange.h"

namespace tuskd::server {

boost::asio::awaitable<void> HandleCreate(Exchange& exchange);
boost::asio::awaitable<void> HandleHead(Exchange& exchange, const std::string& id);
boost::asio::awaitable<void> HandlePatch(Exchange& exchange, const std::string& id);
boost::asio::awaitable<void> HandleDelete(Exchange& exchange, const std::string& id);
boost::asio::awaitable<void> HandleDownload(Exchange& exchange, const std::string& id);

}  // namespace tuskd::server
