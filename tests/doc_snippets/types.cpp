// Context for a snippet at namespace scope that uses the application's types.
#include <skew/skew.hpp>

#include "doc_types.hpp"

// snippet
