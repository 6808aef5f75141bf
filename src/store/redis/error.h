// Transport errors of the Redis layer. A reply Redis sends (`-ERR ...`, `-NOSCRIPT ...`) is never one of
// these: it arrives as a RedisReply of type error. These say the reply did not arrive, and why.
#pragma once

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace hookd::store {

enum class RedisError {
  // The client is between connection attempts; commands fail at once instead of queueing up.
  not_connected = 1,
  // The connection broke after the command was sent: it may or may not have run.
  connection_lost,
  // No reply within the command timeout. The connection is dropped (replies come in order, so nothing behind
  // the late one could arrive sooner) and re-established; the command may or may not have run.
  timeout,
  connect_failed,
  connect_timeout,
  // Redis answered AUTH, SELECT, CLIENT SETNAME or PING on a new connection with an error.
  handshake_failed,
  closed,
  unexpected_reply,
  empty_command,
  // Commands that would change the shared connection's state for everyone on it (SUBSCRIBE, MULTI, SELECT,
  // ...).
  unsupported_command,
  // Redis Cluster: a command, transaction or script whose keys are in different slots. Refused before it is
  // sent: no node could run it (Redis would answer CROSSSLOT).
  cross_slot,
  // WAIT (RedisClient::async_wait_replicas): fewer replicas than RedisOptions::wait_replicas confirmed the
  // writes within RedisOptions::wait_timeout. They ran on the master, which may still lose them.
  not_replicated,
};

const boost::system::error_category& redis_category() noexcept;

inline boost::system::error_code make_error_code(RedisError e) noexcept {
  return {static_cast<int>(e), redis_category()};
}

}  // namespace hookd::store

template <>
struct boost::system::is_error_code_enum<hookd::store::RedisError> : std::true_type {};
