#include "store/redis/asio_adapter.h"

#include <hiredis/async.h>

namespace hookd::store::detail {

namespace {

using wait_type = asio::posix::stream_descriptor::wait_type;

class AsioEvents : public std::enable_shared_from_this<AsioEvents> {
 public:
  AsioEvents(redisAsyncContext* ac, const asio::any_io_executor& ex, std::weak_ptr<void> owner,
             std::atomic<int>* reading)
      : ac_(ac), socket_(ex), owner_(std::move(owner)), reading_(reading) {}

  // A descriptor that still holds the fd would close it on destruction; hiredis closes it itself.
  ~AsioEvents() {
    if (socket_.is_open()) socket_.release();
  }

  bool attach() {
    error_code ec;
    socket_.assign(ac_->c.fd, ec);
    if (ec) return false;
    self_ = shared_from_this();
    ac_->ev.data = this;
    ac_->ev.addRead = [](void* p) { self(p).want(self(p).read_, true); };
    ac_->ev.delRead = [](void* p) { self(p).want(self(p).read_, false); };
    ac_->ev.addWrite = [](void* p) { self(p).want(self(p).write_, true); };
    ac_->ev.delWrite = [](void* p) { self(p).want(self(p).write_, false); };
    ac_->ev.cleanup = [](void* p) { self(p).detach(); };
    return true;
  }

 private:
  static AsioEvents& self(void* ev_data) { return *static_cast<AsioEvents*>(ev_data); }

  struct Direction {
    wait_type type;
    bool wanted = false;   // hiredis asked for it (add*) and has not withdrawn it (del*)
    bool pending = false;  // an async_wait is outstanding
  };

  void want(Direction& d, bool on) {
    d.wanted = on;
    if (on) do_wait(d);
  }

  // A withdrawn direction keeps its outstanding wait (Asio cannot cancel one direction alone); on_ready
  // ignores it, and a later add* reuses it instead of starting a second one.
  void do_wait(Direction& d) {
    if (d.pending || !ac_) return;
    d.pending = true;
    socket_.async_wait(d.type, [self = shared_from_this(), owner = owner_.lock(), &d](error_code ec) {
      self->on_ready(d, ec);
    });
  }

  void on_ready(Direction& d, error_code ec) {
    d.pending = false;
    if (ec || !ac_ || !d.wanted) return;
    if (d.type == wait_type::wait_read) {
      // Counted around the read: between hiredis taking bytes off the socket and handing them to a callback,
      // the socket looks empty although a reply or message is being handled (RedisSubscriber::quiet).
      if (reading_) reading_->fetch_add(1, std::memory_order_seq_cst);
      redisAsyncHandleRead(ac_);
      if (reading_) reading_->fetch_sub(1, std::memory_order_seq_cst);
    } else
      redisAsyncHandleWrite(ac_);
    // hiredis usually re-adds what it still wants from inside the call, but not on every path (a read event
    // during connect returns early): keep waiting while it is wanted, as libuv's level-triggered poll would.
    if (ac_ && d.wanted) do_wait(d);
  }

  // hiredis is freeing the context: stop touching it, give the fd back (this cancels the outstanding waits;
  // their handlers still hold `self`) and drop the reference hiredis held through ev.data.
  void detach() {
    ac_ = nullptr;
    read_.wanted = write_.wanted = false;
    if (socket_.is_open()) socket_.release();
    auto last = std::move(self_);
  }

  redisAsyncContext* ac_;
  asio::posix::stream_descriptor socket_;
  std::weak_ptr<void> owner_;
  std::atomic<int>* const reading_;  // may be null; outlives us with the owner
  std::shared_ptr<AsioEvents> self_;
  Direction read_{wait_type::wait_read};
  Direction write_{wait_type::wait_write};
};

}  // namespace

bool attach_to_asio(redisAsyncContext* ac, const asio::any_io_executor& ex, std::weak_ptr<void> owner,
                    std::atomic<int>* reading) {
  if (ac->ev.data != nullptr) return false;
  auto events = std::make_shared<AsioEvents>(ac, ex, std::move(owner), reading);
  return events->attach();
}

}  // namespace hookd::store::detail
