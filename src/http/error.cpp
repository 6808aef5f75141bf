#include "http/error.h"

#include "core/log.h"

namespace hookd::http {

Status status_for(const Error& e) noexcept {
  switch (e.fault()) {
    case Fault::invalid_input:
    case Fault::invalid_config:
      return Status::bad_request;
    case Fault::not_found:
      return Status::not_found;
    case Fault::conflict:
      return Status::conflict;
    case Fault::too_large:
      return Status::payload_too_large;
    case Fault::unavailable:
      return Status::service_unavailable;
    case Fault::internal:
      break;
  }
  return Status::internal_server_error;
}

Response error_response(const Error& e, unsigned version) {
  Status status = status_for(e);
  switch (e.fault()) {
    case Fault::invalid_input:
    case Fault::invalid_config:
      if (e.field.empty()) break;
      {
        json::ObjectBuilder b;
        b.set("error", "validation_error").set("message", e.field + ": " + e.message).set("field", e.field);
        return json_response(status, std::move(b).build(), version);
      }
    case Fault::unavailable:
      // The detail (which dependency, which address) is for the operator's log, not for the caller.
      log::warn("http.dependency_unavailable", {{"code", e.name()}, {"message", e.message}});
      {
        Response res = error_response(status, "service_unavailable",
                                      "a service hookd depends on is unavailable; retry later", version);
        res.set(boost::beast::http::field::retry_after, "5");
        return res;
      }
    case Fault::internal:
      log::error("http.internal_error",
                 {{"category", e.code.category().name()}, {"code", e.name()}, {"message", e.message}});
      return error_response(status, "internal_error", e.message, version);
    default:
      break;
  }
  return error_response(status, e.name(), e.message, version);
}

}  // namespace hookd::http
