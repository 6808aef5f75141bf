// hiredis writes to Redis with write(2), not send(MSG_NOSIGNAL): a write to a connection the server has reset
// raises SIGPIPE, and its default action ends the process silently. A process that uses the Redis client must
// get the error return instead, whether or not its main() thought of it (hookd's does; tests and benchmarks
// need not).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstdlib>

#include "store/redis/client.h"

namespace hookd::store::test {
namespace {

// A write to a pipe nobody reads any more: EPIPE, as for a socket the peer has reset.
int write_to_a_broken_pipe() {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  close(fds[0]);
  errno = 0;
  ssize_t n = write(fds[1], "x", 1);
  int error = errno;
  close(fds[1]);
  return n < 0 ? error : 0;
}

TEST(BrokenPipeTest, AProcessWithARedisClientGetsEpipeInsteadOfDying) {
  // A child of its own (re-executed, not forked): a fresh process whose SIGPIPE is at its default.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::signal(SIGPIPE, SIG_DFL);
        boost::asio::io_context io;
        RedisOptions options;
        options.host = "127.0.0.1";
        options.port = 1;  // nothing listens: the client only has to exist
        auto client = RedisClient::create(io.get_executor(), options);
        std::_Exit(write_to_a_broken_pipe() == EPIPE ? 0 : 3);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(BrokenPipeTest, AHandlerTheProcessInstalledIsLeftAlone) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        std::signal(SIGPIPE, [](int) { std::_Exit(7); });
        boost::asio::io_context io;
        RedisOptions options;
        options.host = "127.0.0.1";
        options.port = 1;
        auto client = RedisClient::create(io.get_executor(), options);
        write_to_a_broken_pipe();
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(7), "");
}

}  // namespace
}  // namespace hookd::store::test
