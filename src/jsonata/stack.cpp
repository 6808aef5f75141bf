#include "jsonata/stack.h"

#include <pthread.h>

#include <cstddef>

namespace hookd::jsonata::detail {

namespace {

const char* compute_floor() noexcept {
  const char* here = static_cast<const char*>(__builtin_frame_address(0));
  size_t size = 0;
  void* low = nullptr;
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &low, &size);
    pthread_attr_destroy(&attr);
  }
  if (!low || size == 0 || here < static_cast<const char*>(low)) {
    // Unknown bounds: assume the smallest common thread stack (512 KiB) and keep half of it.
    return here - 256 * 1024;
  }
  // Keep a margin for the frames below the last check (built-ins, allocator, sanitizer runtime).
  size_t margin = size >= (4u << 20) ? (1u << 20) : size / 4;
  return static_cast<const char*>(low) + margin;
}

}  // namespace

thread_local const char* tls_stack_floor = nullptr;

const char* init_stack_floor() noexcept {
  tls_stack_floor = compute_floor();
  return tls_stack_floor;
}

}  // namespace hookd::jsonata::detail
