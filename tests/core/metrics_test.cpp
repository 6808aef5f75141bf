#include "core/metrics.h"

#include <gtest/gtest.h>

namespace hookd::metrics {
namespace {

TEST(Metrics, RendersPrometheusText) {
  Registry r;
  r.counter("hookd_test_total", "Things.", "kind=\"a\"").inc(3);
  r.gauge("hookd_test_gauge", "Level.").set(-2);
  auto& h = r.histogram("hookd_test_seconds", "Time.", "", {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  EXPECT_EQ(
      r.render(),
      "# HELP hookd_test_gauge Level.\n# TYPE hookd_test_gauge gauge\nhookd_test_gauge -2\n"
      "# HELP hookd_test_seconds Time.\n# TYPE hookd_test_seconds histogram\n"
      "hookd_test_seconds_bucket{le=\"0.1\"} 1\n"
      "hookd_test_seconds_bucket{le=\"1\"} 2\nhookd_test_seconds_bucket{le=\"+Inf\"} 3\n"
      "hookd_test_seconds_sum 5.55\nhookd_test_seconds_count 3\n"
      "# HELP hookd_test_total Things.\n# TYPE hookd_test_total counter\nhookd_test_total{kind=\"a\"} 3\n");
}

TEST(Metrics, SameSeriesIsTheSameObject) {
  Registry r;
  EXPECT_EQ(&r.counter("c", "h", "x=\"1\""), &r.counter("c", "h", "x=\"1\""));
  EXPECT_NE(&r.counter("c", "h", "x=\"1\""), &r.counter("c", "h", "x=\"2\""));
  EXPECT_THROW(r.gauge("c", "h"), std::logic_error);
}

}  // namespace
}  // namespace hookd::metrics
