// The one include for skew's core, by layer from the bottom (docs/architecture.md): base, json
// (internal), model, payload, envelope, dispatch, rollout, evolve. The broker add-ons are included
// on their own: <skew/adapters/kafka.hpp>, <skew/adapters/redis.hpp>.
#pragma once

#include <skew/base/errc.hpp>
#include <skew/base/error.hpp>
#include <skew/base/options.hpp>
#include <skew/base/result.hpp>

#include <skew/model/codec.hpp>
#include <skew/model/describe.hpp>
#include <skew/model/enum.hpp>
#include <skew/model/field.hpp>
#include <skew/model/manifest.hpp>
#include <skew/model/message.hpp>
#include <skew/model/raw_json.hpp>
#include <skew/model/unknown_fields.hpp>
#include <skew/model/variant.hpp>

#include <skew/payload/decoder.hpp>
#include <skew/payload/encode.hpp>

#include <skew/envelope/cache.hpp>
#include <skew/envelope/encode.hpp>
#include <skew/envelope/format.hpp>
#include <skew/envelope/peek.hpp>
#include <skew/envelope/view.hpp>

#include <skew/dispatch/outcome.hpp>
#include <skew/dispatch/router.hpp>
#include <skew/dispatch/stats.hpp>

#include <skew/rollout/emitter.hpp>

#include <skew/evolve/compat.hpp>
#include <skew/evolve/schema.hpp>

#include <skew/version.hpp>
