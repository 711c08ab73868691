// Whether a peer address is this host's loopback: the admin endpoints' first condition
// (server/handlers/admin_endpoints.h). A pure function.
#pragma once

#include <boost/asio/ip/address.hpp>

namespace tuskd::server {

// 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z, what a dual-stack listener sees).
bool IsLoopbackAddress(const boost::asio::ip::address& address);

}  // namespace tuskd::server
