// The real hookd binary as a child process, for end-to-end tests: started with the environment a test gives
// it, ready when /readyz says so, stopped with SIGTERM (or killed) when the test is done. Its log goes to a
// file the test can read (and prints on failure).
//
// The Redis Cluster oracle: every process runs with HOOKD_REDIS_SLOT_AUDIT=true (unless the test sets it), so its
// Redis client checks each request's keys against Redis Cluster's slots and logs `redis.cross_slot` for one that
// spans slots; when the process is destroyed, the running test fails (ADD_FAILURE) with those log lines.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace hookd::test {

class HookdProcess {
 public:
  // Starts `binary` with `env` added to the test's environment and HOOKD_LISTEN=127.0.0.1:0, then waits until
  // the log says which port it took and /readyz answers 200 (or `wait_ready` is false: until it listens).
  // Throws std::runtime_error with the log's tail if it exits or times out.
  HookdProcess(std::string binary, std::map<std::string, std::string> env, bool wait_ready = true,
               std::chrono::seconds timeout = std::chrono::seconds(60));
  ~HookdProcess();
  HookdProcess(const HookdProcess&) = delete;
  HookdProcess& operator=(const HookdProcess&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url(std::string_view path = "/") const;
  std::string log() const;
  // Graceful stop (SIGTERM, then SIGKILL after 15 s). Returns the exit status (waitpid's), also when the
  // process had already ended by itself: a crash reads as a crash, never as a clean exit.
  int stop();
  // SIGKILL: a crash.
  void kill();
  bool running() const;
  // The log lines of requests whose keys spanned Redis Cluster slots (redis.cross_slot).
  std::vector<std::string> cross_slot_lines() const;

 private:
  pid_t pid_ = -1;
  int exit_status_ = 0;  // once pid_ is reaped
  uint16_t port_ = 0;
  std::string log_path_;
};

// "exited with 0", "killed by signal 13 (Broken pipe)", ...: a waitpid status for a failure message.
std::string describe_exit(int status);

// Path of the hookd binary under test (set by CMake).
std::string hookd_binary();

}  // namespace hookd::test
