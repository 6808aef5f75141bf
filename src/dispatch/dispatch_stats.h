// The dispatcher's metrics, declared once.
#pragma once

#include "core/metrics.h"

namespace hookd::dispatch {

struct DispatchStats {
  metrics::Counter& delivered = metrics::registry().counter(
      "hookd_dispatch_attempts_total", "Delivery attempts by outcome.", "outcome=\"delivered\"");
  metrics::Counter& failed = metrics::registry().counter(
      "hookd_dispatch_attempts_total", "Delivery attempts by outcome.", "outcome=\"failed\"");
  metrics::Counter& dead_lettered = metrics::registry().counter("hookd_dispatch_dead_lettered_total",
                                                                "Deliveries that exhausted their attempts.");
  metrics::Counter& disabled = metrics::registry().counter("hookd_dispatch_endpoints_disabled_total",
                                                           "Endpoints disabled after failing.");
  metrics::Counter& scheduled = metrics::registry().counter("hookd_dispatch_deliveries_scheduled_total",
                                                            "Deliveries created from events.");
  // Kafka events the dispatcher is done with: their deliveries are durably scheduled (or they had no endpoint,
  // or were malformed), so their offsets may be committed. Equal to the events produced once dispatch caught up.
  metrics::Counter& events_finished = metrics::registry().counter(
      "hookd_dispatch_events_finished_total", "Kafka events whose deliveries are durably scheduled.");
  // New events whose deliveries were created before their first attempts (recorded_offsets.h): consumed
  // again after a crash or a partition's move, a copy of an event consumed lately, or the partition's mark
  // not known yet. And first attempts sent for a delivery that existed already (an event consumed twice).
  metrics::Counter& events_checked = metrics::registry().counter(
      "hookd_dispatch_events_checked_total",
      "New events whose deliveries were created before sending: they may have been delivered already.");
  metrics::Counter& first_attempts_repeated = metrics::registry().counter(
      "hookd_dispatch_first_attempts_repeated_total",
      "First attempts sent for a delivery that existed already (an event consumed twice).");
  metrics::Counter& malformed = metrics::registry().counter("hookd_dispatch_malformed_events_total",
                                                            "Kafka records that were not events.");
  // Attempts the flow control put back in the schedule instead of sending them (endpoint_flow.h,
  // retry_budget.h), by why.
  metrics::Counter& deferred_busy = metrics::registry().counter(
      "hookd_dispatch_deferred_total", "Attempts put off by flow control, by reason.", "reason=\"busy\"");
  metrics::Counter& deferred_open =
      metrics::registry().counter("hookd_dispatch_deferred_total",
                                  "Attempts put off by flow control, by reason.", "reason=\"breaker_open\"");
  metrics::Counter& deferred_probing = metrics::registry().counter(
      "hookd_dispatch_deferred_total", "Attempts put off by flow control, by reason.", "reason=\"probing\"");
  metrics::Counter& deferred_budget =
      metrics::registry().counter("hookd_dispatch_deferred_total",
                                  "Attempts put off by flow control, by reason.", "reason=\"retry_budget\"");
  metrics::Counter& deferred_ordering = metrics::registry().counter(
      "hookd_dispatch_deferred_total", "Attempts put off by flow control, by reason.", "reason=\"ordering\"");
  metrics::Counter& order_skipped = metrics::registry().counter(
      "hookd_dispatch_order_skipped_total",
      "Deliveries of ordered endpoints let go out of order: too many waited behind them.");
  metrics::Gauge& open_breakers = metrics::registry().gauge(
      "hookd_dispatch_open_breakers", "Endpoints whose circuit breaker is open or half open on this node.");
  metrics::Counter& breaker_opened = metrics::registry().counter("hookd_dispatch_breaker_transitions_total",
                                                                 "Circuit breaker changes.", "to=\"open\"");
  metrics::Counter& breaker_closed = metrics::registry().counter("hookd_dispatch_breaker_transitions_total",
                                                                 "Circuit breaker changes.", "to=\"closed\"");
  // Disabled endpoints: deliveries recorded paused, events not recorded over the per-endpoint bound, paused
  // deliveries resumed when their endpoint was enabled with a replay.
  metrics::Counter& paused = metrics::registry().counter(
      "hookd_dispatch_paused_total", "Deliveries recorded paused because their endpoint was disabled.");
  metrics::Counter& paused_dropped = metrics::registry().counter(
      "hookd_dispatch_paused_dropped_total",
      "Deliveries to a disabled endpoint not recorded: its paused deliveries were at the bound.");
  metrics::Counter& resumed =
      metrics::registry().counter("hookd_dispatch_paused_resumed_total",
                                  "Paused deliveries moved to the schedule by an enable with replay.");
  // webhook:disabled notices: publish attempts Kafka did not acknowledge (each is retried).
  metrics::Counter& notice_publish_failed =
      metrics::registry().counter("hookd_dispatch_notice_publish_failures_total",
                                  "webhook:disabled notice publishes that failed (retried).");
  // Kafka consumers librdkafka declared dead (fatal error), replaced by new ones (dispatcher_consumer.cpp).
  metrics::Counter& consumers_replaced = metrics::registry().counter(
      "hookd_dispatch_consumers_replaced_total", "Kafka consumers that failed fatally and were replaced.");
  metrics::Histogram& latency =
      metrics::registry().histogram("hookd_dispatch_attempt_seconds", "Time of one delivery attempt.");
};

inline DispatchStats& dispatch_stats() {
  static DispatchStats s;
  return s;
}

}  // namespace hookd::dispatch
