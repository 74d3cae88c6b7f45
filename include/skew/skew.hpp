// The one include for skew.
#pragma once

#include <skew/cache.hpp>
#include <skew/codec.hpp>
#include <skew/compat.hpp>
#include <skew/decoder.hpp>
#include <skew/describe.hpp>
#include <skew/emitter.hpp>
#include <skew/encode.hpp>
#include <skew/enum.hpp>
#include <skew/envelope.hpp>
#include <skew/envelope_format.hpp>
#include <skew/error.hpp>
#include <skew/field.hpp>
#include <skew/manifest.hpp>
#include <skew/message.hpp>
#include <skew/options.hpp>
#include <skew/outcome.hpp>
#include <skew/raw_json.hpp>
#include <skew/result.hpp>
#include <skew/router.hpp>
#include <skew/schema.hpp>
#include <skew/stats.hpp>
#include <skew/unknown_fields.hpp>
#include <skew/variant.hpp>
#include <skew/version.hpp>
