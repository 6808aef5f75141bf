#include "dispatch/recorded_offsets.h"

namespace hookd::dispatch {

RecordedOffsets::Verdict RecordedOffsets::check(const bus::ConsumedMessage& m, std::string_view event_id) {
  std::lock_guard lock(mu_);
  bool copy = seen_lately(event_id);
  Mark& mark = marks_[m.partition];
  if (copy) return Verdict::checked;
  if (m.generation < mark.generation)
    return Verdict::checked;  // read before a revoke: its owner is elsewhere
  if (m.generation == mark.generation) {
    if (mark.state == State::known) return m.offset > mark.through ? Verdict::unseen : Verdict::checked;
    if (mark.state == State::reading) return Verdict::checked;
  }
  // A new generation, or the read for this one failed: read (again).
  mark.generation = m.generation;
  mark.state = State::reading;
  return Verdict::read_mark;
}

void RecordedOffsets::learned(int32_t partition, uint64_t generation, const Result<int64_t>& through) {
  std::lock_guard lock(mu_);
  Mark& mark = marks_[partition];
  if (mark.generation != generation) return;  // a newer generation began meanwhile
  if (through.ok()) {
    mark.state = State::known;
    mark.through = *through;
  } else {
    mark.state = State::unknown;
  }
}

bool RecordedOffsets::seen_lately(std::string_view event_id) {
  if (remembered_ == 0) return false;
  auto [it, inserted] = recent_.emplace(event_id);
  if (!inserted) return true;
  if (recent_order_.size() == remembered_) {
    recent_.erase(recent_.find(*recent_order_.front()));
    recent_order_.pop_front();
  }
  recent_order_.push_back(&*it);  // an element's address outlives rehashing
  return false;
}

}  // namespace hookd::dispatch
