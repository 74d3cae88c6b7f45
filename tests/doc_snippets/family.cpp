// Context for a snippet at namespace scope that uses the send-email family.
#include <skew/skew.hpp>

#include "doc_family.hpp"
#include "doc_types.hpp"

// snippet
