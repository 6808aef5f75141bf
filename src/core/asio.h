// The one way hookd includes Asio and Beast. Boost 1.74's asio uses std::exchange without including
// <utility>, which C++20 standard libraries no longer pull in transitively.
#pragma once

#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace hookd {
namespace asio = boost::asio;
namespace beast = boost::beast;
// Not `http`: hookd::http is our own namespace (server, router, client).
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;
template <typename T = void>
using awaitable = boost::asio::awaitable<T>;
using boost::asio::use_awaitable;
// `co_await op(..., redirect(ec))`: errors as values, never exceptions, on the data path.
inline auto redirect(error_code& ec) {
  return boost::asio::redirect_error(boost::asio::use_awaitable, ec);
}
}  // namespace hookd
