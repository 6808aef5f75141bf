// hiredis' async context on Asio, the way hiredis' adapters/libuv.h puts it on libuv: hiredis says when it
// wants to read or write (addRead/delRead/addWrite/delWrite) and Asio says when the socket is ready
// (posix::stream_descriptor::async_wait), which calls redisAsyncHandleRead/Write. hiredis owns the socket:
// the descriptor only borrows it and releases it, never closes it, when hiredis cleans up.
#pragma once

#include <atomic>
#include <memory>

#include "core/asio.h"

struct redisAsyncContext;

namespace hookd::store::detail {

// Fills ac->ev. `ex` must run one handler at a time (a strand): hiredis is not thread-safe and every read,
// write and callback it makes runs from these handlers. Each pending wait holds a strong reference to `owner`
// (the object hiredis calls back, through ac->data and command privdata), so the owner lives at least as long
// as a wait that can still call into it; close the context to let it go. Returns false if an event library is
// already attached or the socket cannot be registered. `reading`, when given, is incremented while hiredis
// reads and dispatches what arrived (it must live as long as the owner).
bool attach_to_asio(redisAsyncContext* ac, const asio::any_io_executor& ex, std::weak_ptr<void> owner,
                    std::atomic<int>* reading = nullptr);

}  // namespace hookd::store::detail
