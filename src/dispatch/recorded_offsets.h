// Which consumed events may have been delivered already.
//
// A new event's first attempts go out before anything is written (Dispatcher::deliver_first); one script call
// afterwards creates each delivery with its attempt, and only then is the event's Kafka offset committable. So
// an event consumed again (its dispatcher crashed before the commit, or its partition moved) may have its
// deliveries made and sent already, and sending it first again would deliver it twice. The record of a first
// attempt raises a mark of its partition (the highest offset recorded, keys::recorded_offset), and so does the
// creation of an event's deliveries on the checked path below (DeliveryStore::raise_mark); a dispatcher
// that gets a partition reads the mark, and events up to it take the checked path instead: deliveries
// created before their attempt, by the script that creates only what does not exist (DeliveryStore::schedule).
//
// The same event id may also come twice at different offsets (an ingest that published a vendor's retry
// again after a lost acknowledgement): its copies share a partition (Kafka's key is the account), so the
// dispatcher remembers the event ids it consumed lately, and a copy of one takes the checked path too.
//
// What is left: an attempt in flight when its dispatcher died is sent again (as after any crash between
// sending and recording), and so is one the partition's previous owner, still running after a rebalance, was
// sending when this one read the mark. Its record then finds the delivery made and only adds the attempt.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "bus/consumer.h"
#include "core/result.h"

namespace hookd::dispatch {

class RecordedOffsets {
 public:
  enum class Verdict {
    unseen,     // past the mark: no dispatcher recorded it; deliver first
    checked,    // at or before the mark, or the mark not known (yet): create the deliveries first
    read_mark,  // checked, and the caller reads the mark of this partition for this generation now
  };
  // `remembered`: how many recent event ids are kept.
  explicit RecordedOffsets(size_t remembered = 65'536) : remembered_(remembered) {}

  // What to do with a consumed event, `event_id`. read_mark comes once per generation of a partition (and
  // again after a failed read); the caller answers with learned().
  Verdict check(const bus::ConsumedMessage& m, std::string_view event_id);
  // The mark of `partition` read for `generation` (DeliveryStore::recorded_through), or its error.
  void learned(int32_t partition, uint64_t generation, const Result<int64_t>& through);

 private:
  enum class State { reading, known, unknown };
  struct Mark {
    uint64_t generation = 0;
    State state = State::unknown;
    int64_t through = -1;
  };
  // True when `event_id` was among the last remembered_ consumed (then it is not remembered again).
  bool seen_lately(std::string_view event_id);

  const size_t remembered_;
  std::mutex mu_;
  std::unordered_map<int32_t, Mark> marks_;      // per partition: the newest generation seen
  std::unordered_set<std::string> recent_;       // the event ids remembered
  std::deque<const std::string*> recent_order_;  // the same, oldest first
};

}  // namespace hookd::dispatch
