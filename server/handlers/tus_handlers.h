// The tus request handlers: each asks protocol/ for the decision, has store/ carry it out, and
// answers through the connection. One function per method on the upload resources.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "server/http/connection.h"

namespace tuskd::server {

boost::asio::awaitable<void> HandleCreate(Connection& connection);
boost::asio::awaitable<void> HandleHead(Connection& connection, const std::string& id);
boost::asio::awaitable<void> HandlePatch(Connection& connection, const std::string& id);
boost::asio::awaitable<void> HandleDelete(Connection& connection, const std::string& id);
boost::asio::awaitable<void> HandleDownload(Connection& connection, const std::string& id);

}  // namespace tuskd::server
