#include "hookd_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "http_call.h"

extern char** environ;

namespace hookd::test {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string tail(const std::string& text, size_t bytes = 4000) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

}  // namespace

std::string hookd_binary() {
#ifdef HOOKD_BINARY_PATH
  return HOOKD_BINARY_PATH;
#else
  return "hookd";
#endif
}

HookdProcess::HookdProcess(std::string binary, std::map<std::string, std::string> env, bool wait_ready,
                           std::chrono::seconds timeout) {
  char tmpl[] = "/tmp/hookd-e2e-XXXXXX.log";
  int fd = mkstemps(tmpl, 4);
  if (fd < 0) throw std::runtime_error("mkstemps failed");
  log_path_ = tmpl;
  env["HOOKD_LISTEN"] = "127.0.0.1:0";
  env.try_emplace("HOOKD_REDIS_SLOT_AUDIT", "true");

  std::vector<std::string> vars;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    std::string name = kv.substr(0, kv.find('='));
    if (!env.count(name)) vars.push_back(kv);
  }
  for (const auto& [k, v] : env)
    vars.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& v : vars)
    envp.push_back(v.data());
  envp.push_back(nullptr);

  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    // If the test process dies (a crash, a sanitizer abort), its hookd dies with it: a survivor would keep
    // polling the shared test Redis and send later tests' deliveries with its own settings.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    // The child must not keep the test's other descriptors (listening test servers): close everything else.
    for (int i = 3; i < 1024; ++i)
      close(i);
    char* argv[] = {binary.data(), nullptr};
    execve(binary.c_str(), argv, envp.data());
    _exit(127);
  }
  close(fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");

  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) throw std::runtime_error("hookd exited during startup:\n" + tail(log()));
    if (port_ == 0) {
      std::string text = log();
      constexpr std::string_view kStarted = "\"event\":\"service.started\",\"port\":";
      size_t at = text.find(kStarted);
      if (at != std::string::npos)
        port_ = static_cast<uint16_t>(std::atoi(text.c_str() + at + kStarted.size()));
    }
    if (port_ != 0) {
      if (!wait_ready) return;
      auto r = http_call(port_, "GET", "/readyz");
      if (r.status == 200) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::string last = tail(log());
  kill();
  throw std::runtime_error("hookd did not become ready in time:\n" + last);
}

HookdProcess::~HookdProcess() {
  if (running()) stop();
  if (auto lines = cross_slot_lines(); !lines.empty()) {
    std::string text;
    for (const auto& l : lines)
      text += l + "\n";
    ADD_FAILURE() << "hookd sent " << lines.size()
                  << " Redis request(s) whose keys span Redis Cluster slots (redis.cross_slot):\n"
                  << text;
  }
  // HOOKD_TEST_KEEP_LOGS=1 keeps each process' log in /tmp (hookd-e2e-*.log), to read after a run.
  const char* keep = std::getenv("HOOKD_TEST_KEEP_LOGS");
  if (!log_path_.empty() && !(keep && std::string_view(keep) == "1")) unlink(log_path_.c_str());
}

std::string HookdProcess::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

std::string HookdProcess::log() const {
  return read_file(log_path_);
}

std::vector<std::string> HookdProcess::cross_slot_lines() const {
  std::vector<std::string> out;
  std::istringstream in(log());
  for (std::string line; std::getline(in, line);)
    if (line.find("redis.cross_slot") != std::string::npos) out.push_back(line);
  return out;
}

bool HookdProcess::running() const {
  if (pid_ <= 0) return false;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    auto* self = const_cast<HookdProcess*>(this);
    self->pid_ = -1;
    self->exit_status_ = status;
    return false;
  }
  return true;
}

int HookdProcess::stop() {
  if (pid_ <= 0) return exit_status_;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return exit_status_ = status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return exit_status_ = status;
}

void HookdProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, &exit_status_, 0);
  pid_ = -1;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "waitpid status " + std::to_string(status);
}

}  // namespace hookd::test
