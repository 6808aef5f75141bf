// Machine-stack guard for the recursive parts of the engine (parser, analyser, evaluator, value walkers).
//
// jsonata-js relies on JavaScript's "Maximum call stack size exceeded"; C++ has no such net. Each thread
// learns its stack bounds once, and the engine stops with an error when less than a safety margin is left,
// whatever the build (sanitizer builds have much larger frames) and whatever the thread's stack size.
#pragma once

namespace hookd::jsonata::detail {

// Lowest address this thread's recursion may reach (null until the thread's first check).
extern thread_local const char* tls_stack_floor;
const char* init_stack_floor() noexcept;

inline bool stack_exhausted() noexcept {
  const char* floor = tls_stack_floor;
  if (!floor) floor = init_stack_floor();
  return static_cast<const char*>(__builtin_frame_address(0)) < floor;
}

}  // namespace hookd::jsonata::detail
